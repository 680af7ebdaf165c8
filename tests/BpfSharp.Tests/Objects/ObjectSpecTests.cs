using System.Globalization;
using System.Text.RegularExpressions;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Objects;

public class ObjectSpecTests
{
    internal static readonly Lazy<string> LibbpfDump = new(() =>
    {
        string output = Path.Combine(TestPaths.NewScratchDirectory("libbpf-dump"), "libbpf_dump");
        string source = Path.Combine(TestPaths.TestData, "objects", "oracle", "libbpf_dump.c");
        TestObjects.Run("gcc", $"-O1 -o {TestObjects.Quote(output)} {TestObjects.Quote(source)} -l:libbpf.a -lelf -lz");
        return output;
    });

    private static ulong Hex(string s) => ulong.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>Sections match llvm-readelf -S: name, type, flags, size, link, info.</summary>
    [Theory]
    [MemberData(nameof(TestObjects.AllVariants), MemberType = typeof(TestObjects))]
    public void SectionsMatchReadelf(string variant)
    {
        string path = TestObjects.Get(variant);
        var obj = ObjectSpec.Load(path);
        var expected = new List<(int, string, ulong, int, int)>();
        foreach (Match m in Regex.Matches(TestObjects.Run("llvm-readelf-19", $"-W -S {TestObjects.Quote(path)}"),
            @"^\s*\[\s*(\d+)\] (\S*)\s+\S+\s+[0-9a-f]{16} [0-9a-f]+ ([0-9a-f]+) [0-9a-f]+ .{3}\s*(\d+)\s+(\d+)", RegexOptions.Multiline))
            expected.Add((int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Value, Hex(m.Groups[3].Value),
                int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[5].Value, CultureInfo.InvariantCulture)));
        Assert.True(expected.Count > 10);
        Assert.Equal(expected, obj.Sections.Select(s => (s.Index, s.Name, s.Size, (int)s.Link, (int)s.Info)));
    }

    /// <summary>Symbols match llvm-readelf -s.</summary>
    [Theory]
    [MemberData(nameof(TestObjects.AllVariants), MemberType = typeof(TestObjects))]
    public void SymbolsMatchReadelf(string variant)
    {
        string path = TestObjects.Get(variant);
        var obj = ObjectSpec.Load(path);
        var expected = new List<string>();
        foreach (Match m in Regex.Matches(TestObjects.Run("llvm-readelf-19", $"-W -s {TestObjects.Quote(path)}"),
            @"^\s*(\d+): ([0-9a-f]{16})\s+(\d+) (\w+)\s+(\w+)\s+(\w+)\s+(\w+) ?(.*)$", RegexOptions.Multiline))
            expected.Add($"{m.Groups[1].Value} {Hex(m.Groups[2].Value)} {m.Groups[3].Value} {m.Groups[4].Value} {m.Groups[5].Value} {m.Groups[6].Value} {m.Groups[7].Value} {m.Groups[8].Value.TrimEnd()}");
        static string Ndx(int i) => i switch { 0 => "UND", 0xfff1 => "ABS", 0xfff2 => "COM", _ => i.ToString(CultureInfo.InvariantCulture) };
        static string Type(ElfSymbolType t) => t switch
        {
            ElfSymbolType.NoType => "NOTYPE", ElfSymbolType.Object => "OBJECT", ElfSymbolType.Func => "FUNC",
            ElfSymbolType.Section => "SECTION", ElfSymbolType.File => "FILE", _ => t.ToString(),
        };
        var actual = obj.Symbols.Select(s =>
            $"{s.Index} {s.Value} {s.Size} {Type(s.Type)} {s.Binding.ToString().ToUpperInvariant()} {s.Visibility.ToString().ToUpperInvariant()} {Ndx(s.SectionIndex)} {(s.Type == ElfSymbolType.Section && s.Name.Length == 0 ? obj.Sections[s.SectionIndex].Name : s.Name)}").ToList();
        Assert.True(expected.Count > 5);
        Assert.Equal(expected, actual);
    }

    /// <summary>Relocations match llvm-readelf -r (offset, type, symbol name) for every relocation section.</summary>
    [Theory]
    [MemberData(nameof(TestObjects.AllVariants), MemberType = typeof(TestObjects))]
    public void RelocationsMatchReadelf(string variant)
    {
        string path = TestObjects.Get(variant);
        var obj = ObjectSpec.Load(path);
        var expected = new List<string>();
        string section = "";
        foreach (var line in TestObjects.Run("llvm-readelf-19", $"-W -r {TestObjects.Quote(path)}").Split('\n'))
        {
            var m = Regex.Match(line, @"^Relocation section '(.*)' at offset");
            if (m.Success) { section = m.Groups[1].Value; continue; }
            m = Regex.Match(line, @"^([0-9a-f]{16})\s+[0-9a-f]{16}\s+(R_BPF_\w+)\s+[0-9a-f]{16}\s+(.*)$");
            if (m.Success) expected.Add($"{section} {Hex(m.Groups[1].Value)} {m.Groups[2].Value} {m.Groups[3].Value.TrimEnd()}");
        }
        var actual = new List<string>();
        foreach (var rs in obj.RelocationSections)
            foreach (var r in rs.Entries)
            {
                var sym = obj.Symbols[r.SymbolIndex];
                string name = sym.Type == ElfSymbolType.Section ? obj.Sections[sym.SectionIndex].Name : sym.Name;
                string type = r.Type switch
                {
                    BpfRelocationType.Bpf64_64 => "R_BPF_64_64", BpfRelocationType.Bpf64Abs64 => "R_BPF_64_ABS64",
                    BpfRelocationType.Bpf64Abs32 => "R_BPF_64_ABS32", BpfRelocationType.Bpf64NoDyld32 => "R_BPF_64_NODYLD32",
                    BpfRelocationType.Bpf64_32 => "R_BPF_64_32", _ => r.Type.ToString(),
                };
                actual.Add($"{rs.Section.Name} {r.Offset} {type} {name}");
            }
        Assert.True(expected.Count > 5);
        Assert.Equal(expected, actual);
    }

    /// <summary>Entry programs, maps (every attribute, inner maps, pinning) and global data sizes match what libbpf parses.</summary>
    [Theory]
    [MemberData(nameof(TestObjects.AllVariants), MemberType = typeof(TestObjects))]
    public void MatchesLibbpfOpen(string variant)
    {
        string path = TestObjects.Get(variant);
        if (variant.EndsWith(":eb", StringComparison.Ordinal) != !BitConverter.IsLittleEndian)
        {
            // libbpf 1.1 opens only native-endian objects; compare the non-native one with its native twin instead.
            var native = ObjectSpec.Load(TestObjects.Get(variant.Split(':')[0]));
            var other = ObjectSpec.Load(path);
            Assert.Equal(native.Maps.Select(Describe), other.Maps.Select(Describe));
            Assert.Equal(native.Programs.Select(p => (p.Name, p.SectionName)), other.Programs.Select(p => (p.Name, p.SectionName)));
            Assert.Equal(native.DataSections.Select(d => (d.Name, d.Size)), other.DataSections.Select(d => (d.Name, d.Size)));
            return;
        }
        var obj = ObjectSpec.Load(path);
        var lines = TestObjects.Run(LibbpfDump.Value, TestObjects.Quote(path)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        var progs = lines.Where(l => l.StartsWith("prog ", StringComparison.Ordinal)).ToList();
        Assert.Equal(lines.Where(l => l.StartsWith("progtype ", StringComparison.Ordinal)),
            obj.Programs.Where(p => !p.IsSubprogram).Select(p => $"progtype {p.Name} {(int)p.Definition!.ProgramType} {(int)p.Definition.ExpectedAttachType}"));
        Assert.Equal(progs, obj.Programs.Where(p => !p.IsSubprogram).Select(p => $"prog {p.Name} {p.SectionName} {p.InstructionCount}"));

        var maps = lines.Where(l => l.StartsWith("map ", StringComparison.Ordinal) && l.Contains("internal=0", StringComparison.Ordinal)).ToList();
        Assert.Equal(maps, obj.Maps.Select(Describe));

        // Internal maps: one per data section; value size = section size, BTF value type = the DATASEC.
        var internals = lines.Where(l => l.Contains("internal=1", StringComparison.Ordinal))
            .Select(l => Regex.Match(l, @"value=(\d+) .* vtid=(\d+)")).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
        var ours = obj.DataSections.Where(d => d.Kind != DataSectionKind.Kconfig)
            .Select(d => (d.Size.ToString(CultureInfo.InvariantCulture), d.BtfDataSecId.ToString(CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(internals.Take(ours.Count), ours);

        // DATASECs after libbpf's fixups: .maps offsets, data variables, and the .kconfig layout it computes.
        var datasecs = lines.Where(l => l.StartsWith("datasec ", StringComparison.Ordinal)
            && !l.StartsWith("datasec license ", StringComparison.Ordinal) && !l.StartsWith("datasec .ksyms ", StringComparison.Ordinal)).ToList();
        var mine = new List<string>();
        if (obj.Maps.Count > 0)
            mine.Add($"datasec .maps size={obj.FindSection(".maps")!.Size}" + string.Concat(obj.Maps.Select(m => $" {m.Name}@{m.SectionOffset}/{m.DefinitionSize}")));
        foreach (var d in obj.DataSections.Where(d => d.BtfDataSecId != 0))
            mine.Add($"datasec {d.Name} size={d.Size}" + string.Concat(d.Variables.Select(v => $" {v.Name}@{v.Offset}/{v.Size}")));
        Assert.Equal(datasecs.Order(StringComparer.Ordinal), mine.Order(StringComparer.Ordinal));
    }

    private static string Describe(MapSpec m)
    {
        string s = $"map {m.Name} internal=0 type={(int)m.Type} key={m.KeySize} value={m.ValueSize} max={m.MaxEntries} flags=0x{m.Flags:x} " +
                   $"numa={m.NumaNode} extra={m.MapExtra} ktid={m.KeyTypeId} vtid={m.ValueTypeId} pinned={(m.Pinning == MapPinning.ByName ? 1 : 0)}";
        if (m.InnerMap is { } i) s += $" inner={(int)i.Type}/{i.KeySize}/{i.ValueSize}/{i.MaxEntries}";
        return s;
    }

    [Fact]
    public void MapInitialValuesAndDataVariables()
    {
        var obj = ObjectSpec.Load(TestObjects.Get("maps"));
        Assert.Equal([new MapInitialValue(0, "inner1"), new MapInitialValue(2, "inner2")], obj.FindMap("outer")!.InitialValues);
        Assert.Equal([new MapInitialValue(1, "tail_target")], obj.FindMap("jump_table")!.InitialValues);
        Assert.Equal("GPL", obj.License);

        var progs = ObjectSpec.Load(TestObjects.Get("progs"));
        Assert.Equal("Dual BSD/GPL", progs.License);
        var rodata = progs.FindDataSection(".rodata")!;
        Assert.Equal(DataSectionKind.ReadOnlyData, rodata.Kind);
        var message = rodata.Variables.Single(v => v.Name == "message");
        var messageSymbol = progs.Symbols.Single(s => s.Name == "message");
        Assert.Equal(messageSymbol.Value, message.Offset);
        Assert.Equal("hello\0", System.Text.Encoding.ASCII.GetString(rodata.InitialData.Span.Slice((int)message.Offset, 6)));
        Assert.Contains(progs.FindDataSection(".bss")!.Variables, v => v.Name == "hidden_state" && v.IsStatic);
        Assert.Equal(DataSectionKind.Data, progs.FindDataSection(".data.custom")!.Kind);
        // libbpf's extern order: Kconfig by alignment (descending), size, name; then ksyms.
        Assert.Equal([("CONFIG_NR_CPUS", ExternKind.Kconfig, true), ("CONFIG_HZ", ExternKind.Kconfig, true), ("LINUX_KERNEL_VERSION", ExternKind.Kconfig, false),
                      ("CONFIG_BPF_SYSCALL", ExternKind.Kconfig, true), ("CONFIG_DEFAULT_HOSTNAME", ExternKind.Kconfig, true), ("bpfsharp_absent_ksym", ExternKind.Ksym, true)],
            progs.Externs.Select(e => (e.Name, e.Kind, e.IsWeak)));
    }

    /// <summary>Every relocation of a code section becomes a reference of the kind its symbol implies; calls land on function starts.</summary>
    [Theory]
    [MemberData(nameof(TestObjects.AllVariants), MemberType = typeof(TestObjects))]
    public void ReferencesResolve(string variant)
    {
        var obj = ObjectSpec.Load(TestObjects.Get(variant));
        int codeRelocations = obj.RelocationSections.Where(r => obj.Sections[r.TargetSectionIndex].IsExecutable).Sum(r => r.Count);
        Assert.Equal(codeRelocations, obj.References.Count);
        foreach (var r in obj.References)
        {
            var insn = obj.GetInstructions(r.SectionIndex).Span[r.InstructionIndex];
            switch (r.Kind)
            {
                case InstructionReferenceKind.Call:
                    Assert.Equal(0x85, insn.Opcode);
                    Assert.NotNull(r.TargetFunction);
                    Assert.Equal(r.TargetFunction!.InstructionOffset, r.TargetInstructionIndex);
                    break;
                case InstructionReferenceKind.Map:
                    Assert.True(insn.IsLoadImm64);
                    Assert.Equal(r.TargetName, r.Map!.Name);
                    break;
                case InstructionReferenceKind.GlobalData:
                    Assert.True(insn.IsLoadImm64);
                    Assert.InRange((ulong)r.DataOffset, 0UL, r.Data!.Size - 1);
                    break;
                case InstructionReferenceKind.SubprogramAddress:
                    Assert.True(insn.IsLoadImm64);
                    Assert.NotNull(r.TargetFunction);
                    break;
                case InstructionReferenceKind.ExternVariable:
                    Assert.NotNull(r.Extern);
                    break;
            }
        }
        if (variant.StartsWith("progs", StringComparison.Ordinal))
        {
            var kinds = obj.References.GroupBy(r => r.Kind).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(3, kinds[InstructionReferenceKind.Call]); // xdp→add_global, tp→add_static (section symbol), kprobe→add_global
            Assert.Equal(6, kinds[InstructionReferenceKind.ExternVariable]);
            var staticCall = obj.References.Single(r => r.Kind == InstructionReferenceKind.Call && r.Symbol.Type == ElfSymbolType.Section);
            Assert.Equal("add_static", staticCall.TargetFunction!.Name);
            var callback = Assert.Single(obj.References, r => r.Kind == InstructionReferenceKind.SubprogramAddress);
            Assert.Equal("loop_step", callback.TargetFunction!.Name);
            Assert.Equal(callback.TargetFunction.InstructionOffset, callback.TargetInstructionIndex);
        }
        if (variant.StartsWith("maps", StringComparison.Ordinal))
            Assert.Contains(obj.References, r => r.Kind == InstructionReferenceKind.Map && r.Map!.Name == "jump_table");
    }
}
