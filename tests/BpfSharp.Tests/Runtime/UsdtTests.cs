using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.Loading;
using BpfSharp.Linux.Symbols;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Runtime;

/// <summary>
/// USDT: a C program with sys/sdt.h probes (register, memory and constant arguments of every size, a semaphore,
/// a probe in a shared library) built with gcc at test time; a BPF object reading the arguments with libbpf's
/// usdt.bpf.h built with clang-19; attached by our loader and by libbpf (native/usdt_oracle.c, linked with
/// libbpf.a): the arguments must be what the C program passed, and the spec maps and records equal libbpf's.
/// The notes are checked against readelf, the pt_regs offsets against gcc's offsetof.
/// </summary>
[Collection(RuntimeCollection.Name)]
public partial class UsdtTests
{
    private const string Records = "usdt_records", Specs = "__bpf_usdt_specs";
    private const int RecordSize = 168;

    private sealed class Build
    {
        public required string Directory { get; init; }
        public required string Target { get; init; }
        public required string Library { get; init; }
        public required string Object { get; init; }
        public required string Oracle { get; init; }
    }

    private static readonly Lazy<Build> Built = new(BuildAll);

    private static Build BuildAll()
    {
        var dir = TestPaths.NewScratchDirectory($"usdt-{Environment.ProcessId}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { System.IO.Directory.Delete(dir, true); } catch (IOException) { } };
        var src = Path.Combine(TestPaths.TestData, "usdt");
        var library = Path.Combine(dir, "libbpfsharp_usdt.so");
        var target = Path.Combine(dir, "usdt_target");
        AttachTestKit.Run("gcc", "-O2", "-g", "-shared", "-fPIC", "-o", library, Path.Combine(src, "usdt_lib.c"));
        AttachTestKit.Run("gcc", "-O2", "-g", "-o", target, Path.Combine(src, "usdt_target.c"), Path.Combine(src, "usdt_gated.c"),
            "-L" + dir, "-lbpfsharp_usdt", "-Wl,-rpath," + dir);
        ExternalTool.WriteVmlinuxHeader(dir);
        var obj = Path.Combine(dir, "usdt_args.bpf.o");
        ExternalTool.RunChecked("clang-19", "-O2", "-g", "-target", "bpf", "-D__TARGET_ARCH_x86", "-I" + dir, "-I" + ExternalTool.MultiarchIncludeDirectory,
            $"-DUSDT_TARGET=\"{target}\"", $"-DUSDT_LIBRARY=\"{library}\"", "-c", Path.Combine(src, "usdt_args.bpf.c"), "-o", obj);
        var oracle = Path.Combine(dir, "usdt_oracle");
        AttachTestKit.Run("gcc", "-O2", "-o", oracle, Path.Combine(TestPaths.RepoRoot, "native", "usdt_oracle.c"), "-l:libbpf.a", "-lelf", "-lz");
        return new Build { Directory = dir, Target = target, Library = library, Object = obj, Oracle = oracle };
    }

    [Fact]
    public void NotesMatchReadelf()
    {
        var b = Built.Value;
        foreach (var file in new[] { b.Target, b.Library })
        {
            var ours = UsdtNotes.Load(file).Notes
                .Select(n => $"{n.Provider}|{n.Name}|{n.Address:x16}|{n.BaseAddress:x16}|{n.SemaphoreAddress:x16}|{n.Arguments}").ToArray();
            var readelf = ReadelfNotes(AttachTestKit.Run("readelf", "-n", file));
            Assert.NotEmpty(readelf);
            Assert.Equal(readelf, ours);
        }
        // File offsets: the probe's address through the executable PT_LOAD segment readelf lists.
        var notes = UsdtNotes.Load(b.Target);
        var site = Assert.Single(notes.Sites("bpfsharp_test", "gated"));
        var segments = SegmentsFromReadelf(AttachTestKit.Run("readelf", "-lW", b.Target));
        var text = segments.Single(s => s.Flags.Contains('E') && site.Address >= s.Vaddr && site.Address < s.Vaddr + s.Memsz);
        Assert.Equal(site.Address - text.Vaddr + text.Offset, site.FileOffset);
        var data = segments.Single(s => !s.Flags.Contains('E') && site.Note.SemaphoreAddress >= s.Vaddr && site.Note.SemaphoreAddress < s.Vaddr + s.Memsz);
        Assert.Equal(site.Note.SemaphoreAddress - data.Vaddr + data.Offset, site.SemaphoreOffset);
        Assert.NotEqual(0ul, site.SemaphoreOffset);
        Assert.Empty(notes.Sites("bpfsharp_test", "nothing"));
    }

    [Fact]
    public void ArgumentsAndSpecMapsMatchLibbpf()
    {
        KernelObjects.RequireBpf();
        var b = Built.Value;
        List<string> ours;
        string output;
        using (var obj = BpfObject.Open(b.Object))
        {
            obj.Load();
            using (obj.AttachAll())
            {
                output = AttachTestKit.Run(b.Target, "2");
                ours = [.. Dump(obj, Records), .. Dump(obj, Specs)];
            }
        }
        // The kernel counted the semaphore while attached, and uncounted it on detach.
        Assert.Contains("semaphore=1", output);
        Assert.Contains("semaphore=0", AttachTestKit.Run(b.Target, "1"));

        // The arguments are what usdt_target.c passes (round r = 1, 2).
        var records = ours.Where(l => l.StartsWith(Records, StringComparison.Ordinal)).ToDictionary(l => int.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture), l => Convert.FromHexString(l.Split(' ')[2]));
        for (long r = 1; r <= 2; r++)
        {
            AssertRecord(records[(int)r], [r, -123456789012L * r, 5, -3 - r, 200 + r, 4000000000L + r]);
            AssertRecord(records[8 + (int)r], [-123456789012L - r, 60000 + r, -7, r]);
            AssertRecord(records[16 + (int)r], [r, r * 2]);
            AssertRecord(records[24 + (int)r], [r, r * -1000]);
        }
        Assert.Equal(8, records.Count);

        var libbpf = AttachTestKit.Run(b.Oracle, b.Object, $"{Records},{Specs}", b.Target, "2").Split('\n')
            .Where(l => l.StartsWith(Records, StringComparison.Ordinal) || l.StartsWith(Specs, StringComparison.Ordinal)).ToList();
        Assert.Contains(libbpf, l => l.StartsWith(Specs, StringComparison.Ordinal));
        Assert.Equal(libbpf, ours);
    }

    [Fact]
    public void CookiePidFilterAndSpecIdReuse()
    {
        KernelObjects.RequireBpf();
        var b = Built.Value;
        using var obj = BpfObject.Open(b.Object);
        obj.Load();
        // Another process's probe is filtered out.
        using (var filtered = obj.AttachUsdt("usdt_plain", b.Target, "bpfsharp_test", "plain", processId: Environment.ProcessId, cookie: 7))
        {
            AttachTestKit.Run(b.Target, "1");
            Assert.Empty(Dump(obj, Records));
            Assert.Equal([0], filtered.SpecIdsInUse);
        }
        int[] first;
        using (var link = obj.AttachUsdt("usdt_plain", b.Target, "bpfsharp_test", "plain", cookie: 0xC0FFEE))
        {
            first = [.. link.SpecIdsInUse];
            AttachTestKit.Run(b.Target, "1");
            var record = Convert.FromHexString(Assert.Single(Dump(obj, Records)).Split(' ')[2]);
            Assert.Equal(0xC0FFEEL, BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(8)));
            AssertRecord(record, [1, -123456789012L, 5, -4, 201, 4000000001L]);
            // A second attachment while the first holds id 0 takes the next id.
            using var second = obj.AttachUsdt("usdt_lib", b.Library, "bpfsharp_lib", "fired");
            Assert.Equal([1], second.SpecIdsInUse);
        }
        // Freed ids are reused, last freed first (libbpf's free list).
        using var again = obj.AttachUsdt("usdt_gated", b.Target, "bpfsharp_test", "gated");
        Assert.Equal([0], first);
        Assert.Equal([0], again.SpecIdsInUse);

        var e = Assert.Throws<BpfAttachException>(() => obj.AttachUsdt("usdt_plain", b.Target, "bpfsharp_test", "missing"));
        Assert.Contains("bpfsharp_test:missing", e.Message);
        Assert.Contains("no such probe", e.Message);
    }

    [Fact]
    public void CSharpTwinReadsTheSameArgumentsAndFillsTheSameSpecs()
    {
        KernelObjects.RequireBpf();
        var b = Built.Value;
        // The C object through our loader (byte-equal to libbpf's, see above) is the reference for the C# twin.
        List<string> reference;
        using (var c = BpfObject.Open(b.Object))
        {
            c.Load();
            using (c.AttachAll()) AttachTestKit.Run(b.Target, "2");
            reference = [.. Dump(c, Records), .. Dump(c, Specs)];
        }

        var spec = ObjectSpec.Load(Compiler.CompiledTestPrograms.ObjectPath);
        using var obj = BpfObject.Open(spec);
        foreach (var p in spec.Programs.Where(p => !p.IsSubprogram && !p.Name.StartsWith("CsUsdt", StringComparison.Ordinal))) obj.SetAutoload(p.Name, false);
        obj.Load();
        string output;
        // Attached in the C object's section order, so the spec ids match.
        using (obj.AttachUsdt("CsUsdtPlain", b.Target, "bpfsharp_test", "plain"))
        using (obj.AttachUsdt("CsUsdtPlainMem", b.Target, "bpfsharp_test", "plain_mem"))
        using (obj.AttachUsdt("CsUsdtGated", b.Target, "bpfsharp_test", "gated"))
        using (obj.AttachUsdt("CsUsdtLib", b.Library, "bpfsharp_lib", "fired"))
            output = AttachTestKit.Run(b.Target, "2");
        Assert.Contains("semaphore=1", output);
        List<string> ours = [.. Dump(obj, "CsUsdtRecords").Select(l => Records + l["CsUsdtRecords".Length..]), .. Dump(obj, Specs)];
        Assert.Equal(12, reference.Count); // 8 records, 4 specs
        Assert.Equal(reference, ours);
    }

    [Fact]
    public void PerfEventUprobesWhenNoUprobeMulti()
    {
        KernelObjects.RequireBpf();
        var b = Built.Value;
        // The path older kernels take: one perf-event uprobe per site, the semaphore through ref_ctr_offset.
        UsdtManager.UprobeMultiOverride = false;
        try
        {
            using var obj = BpfObject.Open(b.Object);
            obj.Load();
            string output;
            using (var gated = obj.AttachUsdt("usdt_gated", b.Target, "bpfsharp_test", "gated", cookie: 11))
            using (var plain = obj.AttachUsdt("usdt_plain", b.Target, "bpfsharp_test", "plain"))
            {
                Assert.All(gated.UprobeLinks.Concat(plain.UprobeLinks), l => Assert.IsType<PerfEventLink>(l));
                Assert.Equal(gated.Sites.Count, gated.UprobeLinks.Count);
                output = AttachTestKit.Run(b.Target, "1");
            }
            Assert.Contains("semaphore=1", output);
            Assert.Contains("semaphore=0", AttachTestKit.Run(b.Target, "1"));
            var records = Dump(obj, Records).ToDictionary(l => l.Split(' ')[1], l => Convert.FromHexString(l.Split(' ')[2]));
            AssertRecord(records["1"], [1, -123456789012L, 5, -4, 201, 4000000001L]);
            AssertRecord(records["17"], [1, 2]);
            Assert.Equal(11L, BinaryPrimitives.ReadInt64LittleEndian(records["17"].AsSpan(8)));
            Assert.Equal(2, records.Count);
        }
        finally
        {
            UsdtManager.UprobeMultiOverride = null;
        }
    }

    [Fact]
    public void RegisterOffsetsMatchPtRegs()
    {
        var dir = TestPaths.NewScratchDirectory("usdt-ptregs");
        try
        {
            var names = new[] { "r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax", "rcx", "rdx", "rsi", "rdi", "rip", "rsp" };
            var source = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include <asm/ptrace.h>\nint main(void) {\n");
            foreach (var n in names) source.Append(CultureInfo.InvariantCulture, $"printf(\"{n} %zu\\n\", offsetof(struct pt_regs, {n}));\n");
            source.Append("return 0; }\n");
            var c = Path.Combine(dir, "ptregs.c");
            File.WriteAllText(c, source.ToString());
            AttachTestKit.Run("gcc", "-o", Path.Combine(dir, "ptregs"), c);
            foreach (var line in AttachTestKit.Run(Path.Combine(dir, "ptregs")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var (name, offset) = (line.Split(' ')[0], int.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture));
                Assert.Equal(offset, UsdtSpec.PtRegsOffset(name));
            }
            Assert.Equal(UsdtSpec.PtRegsOffset("rax"), UsdtSpec.PtRegsOffset("al"));
            Assert.Equal(UsdtSpec.PtRegsOffset("r9"), UsdtSpec.PtRegsOffset("r9w"));
            Assert.Equal(-1, UsdtSpec.PtRegsOffset("xmm0"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void SpecStringsParseAsLibbpf()
    {
        var spec = UsdtSpec.Parse("-4@%edi 8@-8(%rbp) -4@$-9 1@-96(%rbp,%rax,8) -8@(%rbx,%rcx) 2@(%rsp)", cookie: 3);
        Assert.Equal(6, spec.Arguments.Count);
        Assert.Equal(new UsdtArgument(UsdtArgumentKind.Register, 0, 112, 0, 0, true, 32), spec.Arguments[0]);
        Assert.Equal(new UsdtArgument(UsdtArgumentKind.RegisterDereference, -8, 32, 0, 0, false, 0), spec.Arguments[1]);
        Assert.Equal(new UsdtArgument(UsdtArgumentKind.Constant, -9, 0, 0, 0, true, 32), spec.Arguments[2]);
        Assert.Equal(new UsdtArgument(UsdtArgumentKind.ScaledIndex, -96, 32, 80, 3, false, 56), spec.Arguments[3]);
        Assert.Equal(new UsdtArgument(UsdtArgumentKind.ScaledIndex, 0, 40, 88, 0, true, 0), spec.Arguments[4]);
        Assert.Equal(new UsdtArgument(UsdtArgumentKind.RegisterDereference, 0, 152, 0, 0, false, 48), spec.Arguments[5]);
        Assert.Empty(UsdtSpec.Parse("").Arguments);

        // The 304-byte layout (libbpf 1.7) keeps the index register; the 208-byte one cannot.
        var wide = spec.Encode(UsdtSpec.ValueSize);
        Assert.Equal(3, wide[3 * 24 + 8]);
        Assert.Equal((ushort)(80 | (3 << 12)), BinaryPrimitives.ReadUInt16LittleEndian(wide.AsSpan(3 * 24 + 10)));
        Assert.Equal(6, BinaryPrimitives.ReadInt16LittleEndian(wide.AsSpan(296)));
        Assert.Equal(3ul, BinaryPrimitives.ReadUInt64LittleEndian(wide.AsSpan(288)));
        Assert.Throws<NotSupportedException>(() => spec.Encode(UsdtSpec.LegacyValueSize));
        Assert.Throws<NotSupportedException>(() => spec.Encode(200));

        Assert.Contains("unrecognized register 'xmm0'", Assert.Throws<FormatException>(() => UsdtSpec.Parse("8@%xmm0")).Message);
        Assert.Contains("size 3", Assert.Throws<FormatException>(() => UsdtSpec.Parse("3@%eax")).Message);
        Assert.Contains("scale 3", Assert.Throws<FormatException>(() => UsdtSpec.Parse("8@(%rax,%rbx,3)")).Message);
        Assert.Contains("unrecognized USDT argument #1 '8@sym(%rip)'", Assert.Throws<FormatException>(() => UsdtSpec.Parse("4@%eax 8@sym(%rip)")).Message);
        // libbpf's sscanf patterns try the scaled-index forms first, and "%15[^,]" reads across a space: a
        // dereference without offset followed closely by a scaled index is taken as one malformed argument.
        Assert.Contains("unrecognized register 'rsp) 1@-96(%rbp'", Assert.Throws<FormatException>(() => UsdtSpec.Parse("2@(%rsp) 1@-96(%rbp,%rax,8)")).Message);
        Assert.Contains("too many", Assert.Throws<FormatException>(() => UsdtSpec.Parse(string.Join(' ', Enumerable.Repeat("4@$1", 13)))).Message);
    }

    [Fact]
    public void SectionNamesAndBadNotes()
    {
        Assert.True(SectionAttach.TryParseUsdt("usdt/usr/bin/x:prov:name", out var path, out var provider, out var name));
        Assert.Equal(("usr/bin/x", "prov", "name"), (path, provider, name));
        Assert.True(SectionAttach.TryParseUsdt("usdt.s//lib/libc.so.6:libc:setjmp", out path, out _, out _));
        Assert.Equal("/lib/libc.so.6", path);
        Assert.False(SectionAttach.TryParseUsdt("usdt", out _, out _, out _));
        Assert.False(SectionAttach.TryParseUsdt("usdt/only:two", out _, out _, out _));
        Assert.False(SectionAttach.TryParseUsdt("uprobe/x:y:z", out _, out _, out _));
        Assert.False(SectionAttach.CanAttach("usdt/x:y:z"));

        // A note cut short names the section and offset; a file without notes says so.
        var image = File.ReadAllBytes(Built.Value.Target);
        var e = Assert.Throws<BpfFormatException>(() => UsdtNotes.Parse(image.AsSpan(0, 64)));
        Assert.Equal(BpfFormatError.ElfMalformed, e.ErrorCode);
        var notes = UsdtNotes.Parse(image);
        Assert.Equal(3, notes.Notes.Count(n => n.Provider == "bpfsharp_test"));
        var missing = Assert.Throws<BpfFormatException>(() => UsdtNotes.Load(Built.Value.Oracle));
        Assert.Equal(BpfFormatError.ElfMissingSection, missing.ErrorCode);
        Assert.Contains(".note.stapsdt", missing.Message);
        // Corrupt the first note's description size: it now runs past the section.
        var offset = FindNotesOffset(image);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(offset + 4), 0x7fff_fff0);
        var bad = Assert.Throws<BpfFormatException>(() => UsdtNotes.Parse(image));
        Assert.Equal(".note.stapsdt", bad.Section);
        Assert.Contains("past the end", bad.Message);
    }

    private static int FindNotesOffset(byte[] image)
    {
        var notes = AttachTestKit.Run("readelf", "-SW", Built.Value.Target).Split('\n').Single(l => l.Contains(".note.stapsdt", StringComparison.Ordinal));
        var fields = notes[(notes.IndexOf(']') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return int.Parse(fields[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    private static void AssertRecord(byte[] record, long[] args)
    {
        Assert.Equal(args.Length, BinaryPrimitives.ReadInt64LittleEndian(record));
        Assert.Equal(1, BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(16)));
        for (var i = 0; i < 12; i++)
        {
            var error = BinaryPrimitives.ReadInt32LittleEndian(record.AsSpan(24 + 96 + i * 4));
            if (i < args.Length)
            {
                Assert.Equal(0, error);
                Assert.Equal(args[i], BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(24 + i * 8)));
            }
            else
            {
                Assert.Equal(-2, error); // ENOENT past the last argument
            }
        }
    }

    private static List<string> Dump(BpfObject obj, string mapName)
    {
        var map = obj.Map(mapName);
        var lines = new List<string>();
        var value = new byte[map.ValueSize];
        for (var key = 0u; key < map.MaxEntries; key++)
        {
            if (!map.TryLookup(BitConverter.GetBytes(key), value) || value.All(v => v == 0)) continue;
            lines.Add($"{mapName} {key} {Convert.ToHexStringLower(value)}");
        }
        return lines;
    }

    private static string[] ReadelfNotes(string text)
    {
        var notes = new List<string>();
        foreach (Match m in NoteRegex().Matches(text))
        {
            notes.Add($"{m.Groups[1].Value}|{m.Groups[2].Value}|{m.Groups[3].Value}|{m.Groups[4].Value}|{m.Groups[5].Value}|{m.Groups[6].Value.TrimEnd()}");
        }
        return [.. notes];
    }

    [GeneratedRegex(@"Provider: (\S+)\s+Name: (\S+)\s+Location: 0x([0-9a-f]+), Base: 0x([0-9a-f]+), Semaphore: 0x([0-9a-f]+)\s+Arguments: ([^\n]*)")]
    private static partial Regex NoteRegex();

    private static List<(string Flags, ulong Offset, ulong Vaddr, ulong Memsz)> SegmentsFromReadelf(string text)
    {
        var list = new List<(string, ulong, ulong, ulong)>();
        foreach (var line in text.Split('\n'))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 8 || f[0] != "LOAD") continue;
            list.Add((string.Concat(f[6..^1]), Hex(f[1]), Hex(f[2]), Hex(f[5])));
        }
        return list;
    }

    private static ulong Hex(string s) => ulong.Parse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
