using BpfSharp.Btf;
using BpfSharp.Fuzzing;
using BpfSharp.Objects;
using BpfSharp.Tests.CoRe;
using BpfSharp.Tests.CoReTools;
using BpfSharp.Tests.Compiler;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Robustness;

/// <summary>
/// The error contract (docs/errors.md), enforced: every fuzz target, fed seeded mutations of inputs the tests build,
/// throws nothing but the documented exceptions. Seeds and mutants are deterministic, so a failure reproduces; set
/// BPFSHARP_FUZZ_SEEDS=DIR to also write the seeds as the fuzzer's starting corpus (DIR/TARGET/seed-N).
/// </summary>
public class ErrorContractTests
{
    private const int MutantsPerSeed = 400;

    private static readonly Lazy<FuzzContext> Context = new(() => new FuzzContext(
        ObjectSpec.Load(CoReTestKit.Compile("nesting")),
        BtfSpec.Load(CoReTestKit.Compile("nesting___extra_nesting")),
        TestPaths.NewScratchDirectory("fuzz-contract")));

    private static ReadOnlyMemory<byte> Section(string path, string name) =>
        ObjectSpec.Load(path).Sections.Single(s => s.Name == name).Data;

    /// <summary>Seeds per target, all built by the tests themselves (clang-19 objects, the compiler's output).</summary>
    public static byte[][] Seeds(string target)
    {
        string nesting = CoReTestKit.Compile("nesting"), carrier = CoReTestKit.Compile("nesting___extra_nesting");
        string coreReads = CoReToolsKit.CoreReads;
        return target switch
        {
            "btf" or "csharp" => [Section(nesting, ".BTF").ToArray(), Section(carrier, ".BTF").ToArray(), Section(coreReads, ".BTF").ToArray()],
            "object" or "loader" => [File.ReadAllBytes(nesting), File.ReadAllBytes(coreReads), File.ReadAllBytes(CoReTestKit.Compile("nesting:eb"))],
            "btfext" => [Section(nesting, ".BTF.ext").ToArray()],
            "core" or "minbtf" => [Section(carrier, ".BTF").ToArray(), Section(CoReTestKit.Compile("nesting___err_too_deep"), ".BTF").ToArray()],
            "assembly" => [File.ReadAllBytes(CompiledTestPrograms.AssemblyPath)],
            _ => throw new ArgumentException(target),
        };
    }

    public static TheoryData<string> Targets() => [.. FuzzTargets.Names.Where(n => n != "assembly")]; // assembly: CorruptAssemblyTests

    [Theory]
    [MemberData(nameof(Targets))]
    public void MutatedInputsThrowOnlyDocumentedExceptions(string target)
    {
        var seeds = Seeds(target);
        if (Environment.GetEnvironmentVariable("BPFSHARP_FUZZ_SEEDS") is { Length: > 0 } corpus)
        {
            Directory.CreateDirectory(Path.Combine(corpus, target));
            for (int i = 0; i < seeds.Length; i++) File.WriteAllBytes(Path.Combine(corpus, target, $"seed-{i}"), seeds[i]);
            // The fixed half of the two-input targets, as the fuzzer's Program reads it.
            Directory.CreateDirectory(Path.Combine(corpus, "context"));
            File.Copy(CoReTestKit.Compile("nesting"), Path.Combine(corpus, "context", "object.o"), overwrite: true);
            File.WriteAllBytes(Path.Combine(corpus, "context", "kernel.btf"), Section(CoReTestKit.Compile("nesting___extra_nesting"), ".BTF").ToArray());
        }
        var failures = new List<string>();
        foreach (var (seed, s) in seeds.Select((x, i) => (x, i)))
        {
            FuzzTargets.Run(target, seed, Context.Value); // the seed itself
            var random = new Random(1300 + s);
            for (int m = 0; m < MutantsPerSeed && failures.Count < 5; m++)
            {
                var mutant = Mutator.Mutate(seed, random);
                try
                {
                    FuzzTargets.Run(target, mutant, Context.Value);
                }
                catch (Exception e)
                {
                    failures.Add($"seed {s} mutant {m}: {e.GetType().Name}: {e.Message}\n{e.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}");
                }
            }
        }
        Assert.True(failures.Count == 0, $"{target}: undocumented exceptions:\n" + string.Join("\n", failures));
    }
}

/// <summary>Small structure-blind mutations (the kinds libFuzzer starts with): byte sets, interesting words, cuts.</summary>
internal static class Mutator
{
    private static readonly uint[] Interesting = [0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

    public static byte[] Mutate(byte[] seed, Random random)
    {
        var data = (byte[])seed.Clone();
        int edits = 1 + random.Next(4);
        for (int e = 0; e < edits && data.Length > 4; e++)
        {
            switch (random.Next(5))
            {
                case 0: data[random.Next(data.Length)] = (byte)random.Next(256); break;
                case 1: data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8)); break;
                case 2:
                {
                    int at = random.Next(data.Length - 3) & ~3;
                    BitConverter.TryWriteBytes(data.AsSpan(at), Interesting[random.Next(Interesting.Length)]);
                    break;
                }
                case 3: data = data[..random.Next(data.Length)]; break;
                default:
                {
                    int from = random.Next(data.Length), to = random.Next(data.Length), n = Math.Min(random.Next(16), Math.Min(data.Length - from, data.Length - to));
                    data.AsSpan(from, n).CopyTo(data.AsSpan(to));
                    break;
                }
            }
        }
        return data;
    }
}
