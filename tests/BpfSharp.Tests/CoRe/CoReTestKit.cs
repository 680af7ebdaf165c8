using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using BpfSharp.Btf;
using BpfSharp.CoRe;
using BpfSharp.Instructions;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Objects;

namespace BpfSharp.Tests.CoRe;

/// <summary>One relocation decision as printed by the libbpf oracle.</summary>
internal sealed record OracleDecision(string Section, int Relo, string Program, int Insn, int Err, bool Poison, bool Validate,
    bool MemSizeFail, ulong Orig, ulong New, uint OrigSize, uint NewSize, int PatchErr, string Insn0, string Insn1);

/// <summary>The oracle's output for one object.</summary>
internal sealed record OracleRun(List<string> LogLines, List<OracleDecision> Decisions, Dictionary<string, string> Programs, int Result);

/// <summary>Compiles CO-RE test programs, builds and runs the libbpf oracle (native/core_oracle.c), and compares.</summary>
internal static class CoReTestKit
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> Compiled = new();
    private static readonly Lazy<string> Scratch = new(() => TestPaths.NewScratchDirectory("core"));
    private static readonly Lazy<string> Oracle = new(BuildOracle);

    public static string CoreDir => Path.Combine(TestPaths.TestData, "core");

    /// <summary>Compiles testdata/core/NAME.c (or a path) once per process; "name:eb" compiles big-endian.</summary>
    public static string Compile(string name) => Compiled.GetOrAdd(name, n => new Lazy<string>(() =>
    {
        bool eb = n.EndsWith(":eb", StringComparison.Ordinal);
        string baseName = eb ? n[..^3] : n;
        string source = Path.IsPathRooted(baseName) ? baseName : Path.Combine(CoreDir, baseName + ".c");
        string output = Path.Combine(Scratch.Value, Path.GetFileNameWithoutExtension(source) + (eb ? ".eb" : "") + ".o");
        TestObjects.Run("clang-19", $"-O2 -g -target {(eb ? "bpfeb" : "bpfel")} -I{ExternalTool.MultiarchIncludeDirectory} -c {TestObjects.Quote(source)} -o {TestObjects.Quote(output)}");
        return output;
    })).Value;

    /// <summary>A raw (decompressed) copy of a shared kernel blob, for the oracle.</summary>
    public static string RawKernelBlob(string file) => Compiled.GetOrAdd("blob:" + file, _ => new Lazy<string>(() =>
    {
        string output = Path.Combine(Scratch.Value, file.Replace(".gz", "", StringComparison.Ordinal));
        using var input = new GZipStream(File.OpenRead(TestPaths.Kernel(file)), CompressionMode.Decompress);
        using var fs = File.Create(output);
        input.CopyTo(fs);
        return output;
    })).Value;

    private static string BuildOracle()
    {
        string outDir = Path.Combine(Scratch.Value, "oracle");
        TestObjects.Run("make", $"-s -C {TestObjects.Quote(TestPaths.RepoRoot)} -f native/core_oracle.mk OUT={TestObjects.Quote(outDir)}");
        return Path.Combine(outDir, "core_oracle");
    }

    /// <summary>Runs libbpf's CO-RE code over an object. Targets: (name, raw BTF or ELF path, base path or null).</summary>
    public static OracleRun RunOracle(string obj, params (string Name, string Path, string? Base)[] targets)
    {
        var args = new StringBuilder(TestObjects.Quote(obj));
        foreach (var t in targets)
            args.Append(' ').Append(TestObjects.Quote($"{t.Name}={t.Path}" + (t.Base is null ? "" : "@" + t.Base)));
        string output = TestObjects.Run(Oracle.Value, args.ToString());
        var log = new List<string>();
        var decisions = new List<OracleDecision>();
        int result = int.MinValue;
        var programs = new Dictionary<string, string>();
        foreach (var raw in output.Split('\n'))
        {
            // libbpf's "error matching candidate" line ends in "\n ": the next line starts with a stray space.
            var line = raw.StartsWith(" libbpf: ", StringComparison.Ordinal) ? raw[1..] : raw;
            if (line.StartsWith("libbpf: ", StringComparison.Ordinal)) log.Add(line.TrimEnd());
            else if (line.StartsWith("ORACLE result=", StringComparison.Ordinal)) result = int.Parse(line["ORACLE result=".Length..], CultureInfo.InvariantCulture);
            else if (line.StartsWith("ORACLE prog=", StringComparison.Ordinal))
            {
                var parts = line["ORACLE prog=".Length..].Split(" insns=");
                programs[parts[0]] = parts[1].Trim();
            }
            else if (line.StartsWith("ORACLE ", StringComparison.Ordinal))
            {
                var kv = line["ORACLE ".Length..].Split(' ').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
                decisions.Add(new OracleDecision(kv["sec"], int.Parse(kv["relo"], CultureInfo.InvariantCulture), kv["prog"],
                    int.Parse(kv["insn"], CultureInfo.InvariantCulture), int.Parse(kv["err"], CultureInfo.InvariantCulture),
                    kv["poison"] == "1", kv["validate"] == "1", kv["memsz_fail"] == "1",
                    ulong.Parse(kv["orig"], CultureInfo.InvariantCulture), ulong.Parse(kv["new"], CultureInfo.InvariantCulture),
                    uint.Parse(kv["orig_sz"], CultureInfo.InvariantCulture), uint.Parse(kv["new_sz"], CultureInfo.InvariantCulture),
                    int.Parse(kv["patch_err"], CultureInfo.InvariantCulture), kv["insn0"], kv["insn1"]));
            }
            else if (line.Length > 0 && !line.StartsWith(' ')) log.Add(line.TrimEnd()); // continuation of a warn line
        }
        Assert.NotEqual(int.MinValue, result);
        return new OracleRun(log, decisions, programs, result);
    }

    /// <summary>Little-endian hex of an instruction slot, as the oracle prints it.</summary>
    public static string Hex(Instruction insn)
    {
        Span<byte> b = stackalloc byte[8];
        b[0] = insn.Opcode;
        b[1] = (byte)(insn.Destination | (insn.Source << 4));
        System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(b[2..], insn.Offset);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(b[4..], insn.Immediate);
        return Convert.ToHexStringLower(b);
    }

    /// <summary>
    /// Relocates <paramref name="obj"/> with BpfSharp (strict libbpf mode) and with libbpf, and asserts identical
    /// decisions, patched instructions and log lines. Returns the BpfSharp result for further checks.
    /// </summary>
    public static CoReObjectResult AssertSameAsLibbpf(string obj, params (string Name, string Path, string? Base)[] targets)
    {
        var oracle = RunOracle(obj, targets);
        var spec = ObjectSpec.Load(obj);
        var bases = new Dictionary<string, BtfSpec>();
        var coreTargets = targets.Select(t =>
        {
            BtfSpec? baseSpec = null;
            if (t.Base is not null && !bases.TryGetValue(t.Base, out baseSpec)) bases[t.Base] = baseSpec = BtfSpec.Load(t.Base);
            return new CoReTarget(t.Name, BtfSpec.Load(t.Path, baseSpec));
        }).ToArray();
        var log = new CoReLog();
        var result = CoReObjectRelocation.Relocate(spec, coreTargets, new CoReOptions { StrictLibbpf = true }, log);
        // Without a log the engine reuses results per (type, access string, kind): it must decide exactly the same.
        AssertSameRelocation(result, CoReObjectRelocation.Relocate(ObjectSpec.Load(obj), coreTargets, new CoReOptions { StrictLibbpf = true }));

        var ours = log.Lines.Select(l => l.Text).ToList();
        var theirs = oracle.LogLines.Select(NormalizeLibbpf112).ToList();
        for (int i = 0; i < Math.Max(ours.Count, theirs.Count); i++)
        {
            string? a = i < ours.Count ? ours[i] : null, b = i < theirs.Count ? theirs[i] : null;
            if (a != b)
                Assert.Fail($"log line {i} differs from libbpf\n  libbpf:   {b ?? "<end>"}\n  bpfsharp: {a ?? "<end>"}\n\nlibbpf log:\n{string.Join('\n', theirs)}\n\nbpfsharp log:\n{string.Join('\n', ours)}");
        }

        Assert.Equal(oracle.Result, result.Result.Errno);
        Assert.True(oracle.Decisions.Count > 0, "libbpf made no decision at all: the comparison would be empty");
        var applied = result.Result.Relocations.Where(r => r.Outcome != CoReOutcome.Skipped).ToList();
        Assert.Equal(oracle.Decisions.Count, applied.Count);
        for (int i = 0; i < applied.Count; i++)
        {
            var d = oracle.Decisions[i];
            var r = applied[i];
            string where = $"{d.Section} relo #{d.Relo} ({r.LocalSpec})";
            Assert.True(d.Section == r.SectionName && d.Relo == r.RelocationIndex && d.Program == r.ProgramName && d.Insn == r.InstructionIndex, where);
            if (d.Err != 0)
            {
                Assert.Equal(CoReOutcome.Error, r.Outcome);
                Assert.True(d.Err == r.Errno, $"{where}: errno {r.Errno}, libbpf {d.Err}");
                continue;
            }
            Assert.True(d.Poison == r.Value.Poison, $"{where}: poison");
            Assert.True(d.Validate == r.Value.Validate, $"{where}: validate");
            // libbpf 1.1.2 predates upstream d7a4ab15: for a field that is itself an array it used the whole array's
            // size (and so failed the memsz check whenever the dimensions changed). Translate our upstream values.
            var (expOrigSize, expNewSize, expMemFail) = Libbpf112Sizes(spec.Btf!, coreTargets, r);
            Assert.True(d.MemSizeFail == expMemFail, $"{where}: memsz");
            Assert.True(d.Orig == r.Value.OriginalValue, $"{where}: orig {r.Value.OriginalValue}, libbpf {d.Orig}");
            Assert.True(d.New == r.Value.NewValue, $"{where}: new {r.Value.NewValue}, libbpf {d.New}");
            Assert.True(d.OrigSize == expOrigSize && d.NewSize == expNewSize,
                $"{where}: sizes {expOrigSize}/{expNewSize} (1.1.2 view of {r.Value.OriginalSize}/{r.Value.NewSize}), libbpf {d.OrigSize}/{d.NewSize}");
            Assert.True(d.PatchErr == r.Errno, $"{where}: patch errno {r.Errno}, libbpf {d.PatchErr}");
        }
        foreach (var (name, hex) in oracle.Programs)
        {
            var prog = result.FindProgram(name);
            Assert.True(prog is not null, $"libbpf has program {name}, BpfSharp does not");
            string ours2 = string.Concat(prog!.Instructions.Select(Hex));
            Assert.True(hex == ours2, $"program {name} differs after relocation\n  libbpf:   {hex}\n  bpfsharp: {ours2}");
        }
        return result;
    }

    /// <summary>Asserts two relocations of the same object produced equal reports and instructions.</summary>
    public static void AssertSameRelocation(CoReObjectResult expected, CoReObjectResult actual)
    {
        Assert.Equal(expected.Result.Errno, actual.Result.Errno);
        Assert.Equal(expected.Result.Relocations.Count, actual.Result.Relocations.Count);
        for (int i = 0; i < expected.Result.Relocations.Count; i++)
        {
            var e = expected.Result.Relocations[i];
            var a = actual.Result.Relocations[i];
            string where = $"report {i} ({e.SectionName} relo #{e.RelocationIndex}, {e.LocalSpec})";
            Assert.True(e.TargetRawSpec is null == a.TargetRawSpec is null
                && (e.TargetRawSpec is null || e.TargetRawSpec.SequenceEqual(a.TargetRawSpec!)), $"{where}: raw spec");
            Assert.True(e with { TargetRawSpec = null } == a with { TargetRawSpec = null },
                $"{where} differs\n  expected: {e}\n  actual:   {a}");
        }
        Assert.Equal(expected.Programs.Count, actual.Programs.Count);
        for (int p = 0; p < expected.Programs.Count; p++)
            Assert.True(expected.Programs[p].Instructions.AsSpan().SequenceEqual(actual.Programs[p].Instructions),
                $"program {expected.Programs[p].Name}: instructions differ");
    }

    private static (uint Orig, uint New, bool MemFail) Libbpf112Sizes(BtfSpec local, CoReTarget[] targets, CoReRelocationReport r)
    {
        var v = r.Value;
        if (r.Kind != CoReRelocationKind.FieldByteOffset || r.LocalSpec is null || !r.LocalSpec.Contains('.'))
            return (v.OriginalSize, v.NewSize, v.FailMemorySizeAdjust);
        // only named-field specs whose last accessor is a member (not an array index) are affected
        if (r.LocalSpec.Split(" (")[0].EndsWith(']')) return (v.OriginalSize, v.NewSize, v.FailMemorySizeAdjust);
        var lt = local.GetType(v.OriginalTypeId);
        if (lt.Kind != BtfKind.Array) return (v.OriginalSize, v.NewSize, v.FailMemorySizeAdjust);
        uint orig = (uint)local.ResolveSize(v.OriginalTypeId);
        uint @new = v.NewSize;
        if (r.TargetName is not null)
        {
            var tspec = targets.First(t => t.Name == r.TargetName).Spec;
            if (tspec.GetType(v.NewTypeId).Kind == BtfKind.Array) @new = (uint)tspec.ResolveSize(v.NewTypeId);
        }
        return (orig, @new, v.Poison ? v.FailMemorySizeAdjust : orig != @new);
    }

    /// <summary>Maps libbpf 1.1.2's wording to current upstream's where only the text changed.</summary>
    private static string NormalizeLibbpf112(string line)
    {
        // 1.1.2 prints "error matching candidate ... %d\n " (a stray space starts the next line).
        return line.TrimEnd();
    }
}
