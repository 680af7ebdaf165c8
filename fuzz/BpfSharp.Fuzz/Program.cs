using BpfSharp.Btf;
using BpfSharp.Objects;
using SharpFuzz;

namespace BpfSharp.Fuzzing;

/// <summary>
/// <c>BpfSharp.Fuzz fuzz TARGET CONTEXT_DIR</c>: one AFL++ target (run under afl-fuzz, see scripts/fuzz.sh).
/// <c>BpfSharp.Fuzz replay TARGET CONTEXT_DIR FILE...</c>: runs inputs once each (crashes, corpora) and exits 1 on
/// the first undocumented exception, printing it. CONTEXT_DIR holds object.o and kernel.btf, the fixed half of the
/// two-input targets.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length < 3 || args[0] is not ("fuzz" or "replay") || !FuzzTargets.Names.Contains(args[1]))
        {
            Console.Error.WriteLine($"usage: BpfSharp.Fuzz fuzz|replay TARGET CONTEXT_DIR [FILE...]; targets: {string.Join(' ', FuzzTargets.Names)}");
            return 2;
        }
        string target = args[1];
        var scratch = Directory.CreateTempSubdirectory("bpfsharp-fuzz-").FullName;
        // Lazily: instrumented code must not run before Fuzzer.Run sets up the coverage map (it would fault).
        var contextDir = args[2];
        var lazy = new Lazy<FuzzContext>(() => new FuzzContext(ObjectSpec.Load(Path.Combine(contextDir, "object.o")),
            BtfSpec.Load(Path.Combine(contextDir, "kernel.btf")), scratch));
        if (args[0] == "replay")
        {
            foreach (var file in args.Skip(3))
            {
                try
                {
                    FuzzTargets.Run(target, File.ReadAllBytes(file), lazy.Value);
                }
                catch (Exception e)
                {
                    Console.Error.WriteLine($"{file}: {e}");
                    return 1;
                }
            }
            return 0;
        }
        // Anything but a documented exception escapes Run and is an AFL++ crash.
        Fuzzer.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            FuzzTargets.Run(target, buffer.ToArray(), lazy.Value);
        });
        return 0;
    }
}
