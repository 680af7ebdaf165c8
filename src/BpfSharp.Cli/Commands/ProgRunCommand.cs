using System.Globalization;
using System.Text;
using BpfSharp.Cli.Output;
using BpfSharp.Linux;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// <c>prog run PROG data_in FILE [data_out FILE [data_size_out L]] [ctx_in FILE [ctx_out FILE [ctx_size_out M]]]
/// [repeat N]</c>: runs a program once or N times on test input (<c>BPF_PROG_TEST_RUN</c>), like bpftool. FILE
/// <c>-</c> is standard input or output (printed as a hex dump, or a byte array under <c>-j</c>).
/// </summary>
internal static class ProgRunCommand
{
    /// <summary>bpftool's default output buffer size (<c>SZ_32K</c>).</summary>
    private const int DefaultOutputSize = 32 * 1024;

    /// <summary>Inputs larger than this are refused (the kernel takes at most a few pages of data anyway).</summary>
    private const int MaxInputSize = 64 * 1024 * 1024;

    public static void AddTo(System.CommandLine.Command prog)
    {
        prog.Subcommands.Add(MapCommand.Verb("run",
            "Run PROG on test input: data_in FILE [data_out FILE [data_size_out L]] [ctx_in FILE [ctx_out FILE [ctx_size_out M]]] [repeat N].",
            "PROG data_in FILE [data_out FILE [data_size_out L]] [ctx_in FILE [ctx_out FILE [ctx_size_out M]]] [repeat N]", Run));
    }

    private static int Run(IReadOnlyList<string> words, System.CommandLine.ParseResult result)
    {
        var output = new BpftoolOutput(result);
        if (words.Count < 4) throw CliException.Usage("expected PROG data_in FILE ...");
        var at = 0;
        using var fd = ObjectSelectors.Program(words, ref at);
        string? dataIn = null, dataOut = null, ctxIn = null, ctxOut = null;
        uint dataSizeOut = 0, ctxSizeOut = 0, repeat = 1;
        while (at < words.Count)
        {
            var word = words[at];
            Ambiguous(word, "data_in", "data_out", "data_size_out");
            Ambiguous(word, "ctx_in", "ctx_out", "ctx_size_out");
            var argument = at + 1 < words.Count ? words[at + 1] : throw new CliException($"'{word}' needs an argument");
            if (BpftoolGrammar.IsPrefix(word, "data_in")) dataIn = argument;
            else if (BpftoolGrammar.IsPrefix(word, "data_out")) dataOut = argument;
            else if (BpftoolGrammar.IsPrefix(word, "data_size_out")) dataSizeOut = Number(argument, "output data size");
            else if (BpftoolGrammar.IsPrefix(word, "ctx_in")) ctxIn = argument;
            else if (BpftoolGrammar.IsPrefix(word, "ctx_out")) ctxOut = argument;
            else if (BpftoolGrammar.IsPrefix(word, "ctx_size_out")) ctxSizeOut = Number(argument, "output context size");
            else if (BpftoolGrammar.IsPrefix(word, "repeat")) repeat = Number(argument, "repeat number");
            else throw CliException.Usage($"expected no more arguments, 'data_in', 'data_out', 'data_size_out', 'ctx_in', 'ctx_out', 'ctx_size_out' or 'repeat', got: '{word}'?");
            if (dataIn == "-" && ctxIn == "-") throw new CliException("cannot use standard input for both data_in and ctx_in");
            at += 2;
        }
        var data = Read(dataIn);
        var context = Read(ctxIn);
        var dataBuffer = data is null ? [] : new byte[dataSizeOut == 0 ? DefaultOutputSize : dataSizeOut];
        var contextBuffer = context is null ? [] : new byte[ctxSizeOut == 0 ? DefaultOutputSize : ctxSizeOut];
        using var program = BpfProgram.FromFileDescriptor(fd);
        BpfTestRunResult run;
        try
        {
            run = program.TestRun(data ?? [], dataBuffer, repeat, context ?? [], contextBuffer);
        }
        catch (BpfSyscallException e)
        {
            throw CliException.Kernel($"failed to run program: {MapDumpCommand.Strerror(e.Errno)}");
        }
        if (output.IsJson) output.Json.StartObject();
        var failed = false;
        if (run.DataOutLength > 0) failed |= !Print(output, dataBuffer.AsSpan(0, Math.Min(run.DataOutLength, dataBuffer.Length)), dataOut, "data_out");
        if (run.ContextOutLength > 0) failed |= !Print(output, contextBuffer.AsSpan(0, Math.Min(run.ContextOutLength, contextBuffer.Length)), ctxOut, "ctx_out");
        if (output.IsJson)
        {
            output.Json.Number("retval", (ulong)run.ReturnValue);
            output.Json.Number("duration", (ulong)run.DurationNanoseconds);
            output.Json.EndObject();
        }
        else
        {
            output.Text.Append(CultureInfo.InvariantCulture,
                $"Return value: {run.ReturnValue}, duration{(repeat > 1 ? " (average)" : "")}: {run.DurationNanoseconds}ns\n");
        }
        output.Finish();
        return failed ? 1 : 0;
    }

    // bpftool's detect_common_prefix: a word that abbreviates several keywords is refused.
    private static void Ambiguous(string word, params string[] keywords)
    {
        var matches = keywords.Where(k => BpftoolGrammar.IsPrefix(word, k)).ToArray();
        if (matches.Length >= 2)
            throw new CliException($"ambiguous prefix: '{word}' could be {string.Join(" or ", matches.Select(m => $"'{m}'"))}");
    }

    private static uint Number(string text, string what) =>
        BpftoolGrammar.TryParseUInt32(text, out var value) ? value : throw new CliException($"can't parse {text} as {what}");

    private static byte[]? Read(string? path)
    {
        if (path is null) return null;
        try
        {
            using var stream = path == "-" ? Console.OpenStandardInput() : File.OpenRead(path);
            using var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int n;
            while ((n = stream.Read(chunk)) > 0)
            {
                if (buffer.Length + n > MaxInputSize) throw new CliException($"data_in/ctx_in is too long (max: {MaxInputSize})");
                buffer.Write(chunk, 0, n);
            }
            return buffer.ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"failed to open {path}: {e.Message}");
        }
    }

    /// <summary>bpftool's <c>print_run_output</c>: to a file, or to standard output for "-".</summary>
    private static bool Print(BpftoolOutput output, ReadOnlySpan<byte> data, string? path, string jsonKey)
    {
        if (path is null) return true;
        if (path == "-")
        {
            if (output.IsJson)
            {
                output.Json.Name(jsonKey);
                output.Json.StartArray();
                foreach (var b in data) output.Json.Number(b);
                output.Json.EndArray();
            }
            else
            {
                HexDump(output.Text, data);
            }
            return true;
        }
        try
        {
            File.WriteAllBytes(path, data.ToArray());
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Error: failed to open {path}: {e.Message}");
            return false;
        }
    }

    /// <summary>bpftool's <c>hex_print</c>: offset, 16 bytes in pairs, and their printable characters.</summary>
    private static void HexDump(StringBuilder text, ReadOnlySpan<byte> data)
    {
        for (var i = 0; i < data.Length; i += 16)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i:x7}\t");
            int j;
            for (j = i; j < i + 16 && j < data.Length; j++) text.Append(data[j].ToString("x2", CultureInfo.InvariantCulture)).Append(j % 2 == 1 ? " " : "");
            for (; j < i + 16; j++) text.Append("  ").Append(j % 2 == 1 ? " " : "");
            text.Append("| ");
            for (j = i; j < i + 16 && j < data.Length; j++)
            {
                var c = (char)data[j];
                // bpftool tests a signed char: bytes from 0x80 up are below ' ' and print as '.'.
                text.Append(data[j] < 0x20 || data[j] > 0x7e ? '.' : c).Append(j == i + 7 ? " " : "");
            }
            text.Append('\n');
        }
    }
}
