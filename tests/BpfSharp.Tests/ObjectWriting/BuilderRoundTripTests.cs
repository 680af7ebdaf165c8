using System.Text.RegularExpressions;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.ObjectWriting;

/// <summary>The hand-built object read back with <see cref="ObjectSpec"/> and inspected by llvm-readelf and bpftool.</summary>
public sealed partial class BuilderRoundTripTests
{
    private static readonly Lazy<string> Scratch = new(() => TestPaths.NewScratchDirectory("object-writing"));

    private static string Save(byte[] bytes, string name)
    {
        string path = Path.Combine(Scratch.Value, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ObjectSpecReadsBackWhatWasBuilt(bool bigEndian)
    {
        var o = HandBuiltObject.Build(bigEndian);
        var spec = ObjectSpec.Read(o.Bytes, "hand.o");
        Assert.Equal(bigEndian, spec.IsBigEndian);
        Assert.Equal(ObjectSpec.MachineBpf, spec.Machine);
        Assert.Equal("GPL", spec.License);

        var xdp = spec.FindProgram("xdp_prog")!;
        Assert.Equal("xdp", xdp.SectionName);
        Assert.False(xdp.IsSubprogram);
        Assert.Equal(o.XdpCode, xdp.Instructions.ToArray());
        var addOne = spec.FindProgram("add_one")!;
        Assert.True(addOne.IsSubprogram);
        Assert.Equal(".text", addOne.SectionName);
        Assert.Equal(o.TextCode, addOne.Instructions.ToArray());
        Assert.Equal(2, spec.Programs.Count);

        var refs = spec.GetReferences(xdp).Select(r => (r.InstructionIndex, r.Kind, r.TargetName)).ToArray();
        Assert.Equal(
            [(1, InstructionReferenceKind.Call, "add_one"), (2, InstructionReferenceKind.GlobalData, "counter"),
             (5, InstructionReferenceKind.GlobalData, ".bss"), (8, InstructionReferenceKind.Map, "counts"),
             (10, InstructionReferenceKind.GlobalData, ".rodata")],
            refs);
        var call = spec.GetReferences(xdp).First(r => r.Kind == InstructionReferenceKind.Call);
        Assert.Equal("add_one", call.TargetFunction!.Name);

        var map = Assert.Single(spec.Maps);
        Assert.Equal(("counts", BpfMapType.Array, 4u, 8u, 4u), (map.Name, map.Type, map.KeySize, map.ValueSize, map.MaxEntries));
        Assert.Equal(o.MapStruct, map.BtfDefinitionTypeId);

        var data = spec.FindDataSection(".data")!;
        Assert.Equal(7, BitConverter.ToInt32(Swap(data.InitialData.ToArray(), bigEndian)));
        Assert.Equal([("counter", 0ul, 4ul)], data.Variables.Select(v => (v.Name, v.Offset, v.Size)));
        var bss = spec.FindDataSection(".bss")!;
        Assert.Equal(8ul, bss.Size);
        Assert.Equal([("bss_a", 0ul, 4ul), ("bss_b", 4ul, 4ul)], bss.Variables.Select(v => (v.Name, v.Offset, v.Size)));
        var rodata = spec.FindDataSection(".rodata")!;
        Assert.Equal(DataSectionKind.ReadOnlyData, rodata.Kind);
        Assert.Equal(HandBuiltObject.XdpPass, BitConverter.ToInt32(Swap(rodata.InitialData.ToArray(), bigEndian)));

        // BTF is the builder's bytes; .BTF.ext has the records sorted per section.
        Assert.Equal(o.BtfBytes, spec.FindSection(".BTF")!.Data.ToArray());
        var ext = spec.BtfExt!;
        Assert.Equal([(0u, o.FuncXdp)], ext.FindFuncInfo("xdp")!.Records.ToArray().Select(r => (r.InstructionByteOffset, r.TypeId)));
        Assert.Equal([(0u, o.FuncAddOne)], ext.FindFuncInfo(".text")!.Records.ToArray().Select(r => (r.InstructionByteOffset, r.TypeId)));
        var lines = ext.FindLineInfo("xdp")!.Records.ToArray();
        Assert.Equal([(0u, 10u, 5u), (8u, 11u, 5u), (96u, 14u, 9u)], lines.Select(l => (l.InstructionByteOffset, l.Line, l.Column)));
        Assert.All(lines, l => Assert.Equal("prog.cs", spec.Btf!.GetString(l.FileNameOffset)));
        Assert.Equal("return Rodata.Value;", spec.Btf!.GetString(lines[2].LineOffset));
        Assert.Equal(0, ext.CoReRelocationCount);
        Assert.Equal(0, ext.CoReRelocationRecordSize);
    }

    [Fact]
    public void OutputIsDeterministic()
    {
        Assert.Equal(HandBuiltObject.Build().Bytes, HandBuiltObject.Build().Bytes);
        var o = HandBuiltObject.Build();
        Assert.Equal(o.Bytes, o.Elf.ToArray());
    }

    [Fact]
    public void LlvmReadelfSeesTheSectionsSymbolsAndRelocationsAsBuilt()
    {
        var o = HandBuiltObject.Build();
        string path = Save(o.Bytes, "readelf.o");
        var result = ExternalTool.Run("llvm-readelf-19", ["-h", "-S", "-s", "-r", path]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.True(result.Stderr.Length == 0, "llvm-readelf-19 warned: " + result.Stderr);
        string text = result.StdoutText;
        Assert.Contains("REL (Relocatable file)", text);
        Assert.Contains("EM_BPF", text);

        // [Nr] Name Type Address Off Size ES Flg Lk Inf Al
        var sections = SectionRow().Matches(text).ToDictionary(m => m.Groups["name"].Value,
            m => (Index: int.Parse(m.Groups["nr"].Value), Type: m.Groups["type"].Value, Size: Convert.ToInt32(m.Groups["size"].Value, 16),
                  Offset: Convert.ToInt32(m.Groups["off"].Value, 16), Flags: m.Groups["flg"].Value.Trim(),
                  Link: int.Parse(m.Groups["lk"].Value), Info: int.Parse(m.Groups["inf"].Value), Align: int.Parse(m.Groups["al"].Value),
                  EntrySize: Convert.ToInt32(m.Groups["es"].Value, 16)));
        Assert.Equal(12, sections.Count); // 9 built + .relxdp + .symtab + .strtab
        void Expect(string name, int index, string type, int size, string flags, int align)
        {
            var s = sections[name];
            Assert.Equal((index, type, size, flags, align), (s.Index, s.Type, s.Size, s.Flags, s.Align));
            Assert.True(s.Offset % align == 0, $"{name} at file offset {s.Offset} is not aligned to {align}");
        }
        Expect(".text", o.Text, "PROGBITS", 24, "AX", 8);
        Expect("xdp", o.Xdp, "PROGBITS", 14 * 8, "AX", 8);
        Expect(".data", o.Data, "PROGBITS", 4, "WA", 4);
        Expect(".rodata", o.Rodata, "PROGBITS", 4, "A", 4);
        Expect(".bss", o.Bss, "NOBITS", 8, "WA", 4);
        Expect(".maps", o.Maps, "PROGBITS", 32, "WA", 8);
        Expect("license", o.License, "PROGBITS", 4, "WA", 1);
        Expect(".BTF", o.BtfSection, "PROGBITS", o.BtfBytes.Length, "", 4);
        Expect(".relxdp", 10, "REL", 5 * 16, "I", 8);
        Assert.Equal((11, o.Xdp, 16), (sections[".relxdp"].Link, sections[".relxdp"].Info, sections[".relxdp"].EntrySize));
        Expect(".symtab", 11, "SYMTAB", 11 * 24, "", 8);
        Assert.Equal((12, 3, 24), (sections[".symtab"].Link, sections[".symtab"].Info, sections[".symtab"].EntrySize));
        Assert.Equal("STRTAB", sections[".strtab"].Type);

        // Num: Value Size Type Bind Vis Ndx Name
        var symbols = SymbolRow().Matches(text).Select(m => (Num: int.Parse(m.Groups["num"].Value), Size: int.Parse(m.Groups["size"].Value),
            Type: m.Groups["type"].Value, Bind: m.Groups["bind"].Value, Ndx: m.Groups["ndx"].Value, Name: m.Groups["name"].Value)).ToArray();
        Assert.Equal(11, symbols.Length);
        Assert.Equal((0, "NOTYPE", "LOCAL", "UND"), (symbols[0].Num, symbols[0].Type, symbols[0].Bind, symbols[0].Ndx));
        Assert.Equal((o.Bss.ToString(), "SECTION", "LOCAL", ".bss"), (symbols[1].Ndx, symbols[1].Type, symbols[1].Bind, symbols[1].Name));
        Assert.Equal((o.Rodata.ToString(), "SECTION", ".rodata"), (symbols[2].Ndx, symbols[2].Type, symbols[2].Name));
        Assert.Equal((o.AddOneSymbol, 24, "FUNC", "GLOBAL", o.Text.ToString(), "add_one"), symbols[o.AddOneSymbol]);
        Assert.Equal((o.XdpSymbol, 112, "FUNC", "GLOBAL", o.Xdp.ToString(), "xdp_prog"), symbols[o.XdpSymbol]);
        Assert.Equal((o.CountsSymbol, 32, "OBJECT", "GLOBAL", o.Maps.ToString(), "counts"), symbols[o.CountsSymbol]);
        Assert.Equal((o.BssBSymbol, 4, "OBJECT", "GLOBAL", o.Bss.ToString(), "bss_b"), symbols[o.BssBSymbol]);
        Assert.Equal((o.LicenseSymbol, 4, "OBJECT", "GLOBAL", o.License.ToString(), "LICENSE"), symbols[o.LicenseSymbol]);

        // Offset Info Type Symbol's Value Symbol's Name
        var relocations = RelocationRow().Matches(text).Select(m => (Offset: Convert.ToInt32(m.Groups["off"].Value, 16),
            Type: m.Groups["type"].Value, Name: m.Groups["name"].Value)).ToArray();
        Assert.Equal(
            [(8, "R_BPF_64_32", "add_one"), (16, "R_BPF_64_64", "counter"), (40, "R_BPF_64_64", ".bss"),
             (64, "R_BPF_64_64", "counts"), (80, "R_BPF_64_64", ".rodata")],
            relocations);
    }

    [Fact]
    public void BpftoolLinksTheObjectWithoutWarnings()
    {
        var o = HandBuiltObject.Build();
        string input = Save(o.Bytes, "link-in.o"), output = Path.Combine(Scratch.Value, "link-out.o");
        var result = ExternalTool.Run("bpftool", ["gen", "object", output, input]);
        Assert.True(result.ExitCode == 0, $"bpftool gen object failed: {result.Stderr}");
        // Without -d, libbpf prints only warnings and errors.
        Assert.True(result.Stderr.Length == 0, "libbpf warned:\n" + result.Stderr);
        // The linked output still has both programs, the map and the globals.
        var linked = ObjectSpec.Load(output);
        Assert.Equal(["add_one", "xdp_prog"], linked.Programs.Select(p => p.Name).Order());
        Assert.Equal("counts", Assert.Single(linked.Maps).Name);
        Assert.Equal(o.XdpCode, linked.FindProgram("xdp_prog")!.Instructions.ToArray());
    }

    [Fact]
    public void BpftoolDumpsTheBtf()
    {
        var o = HandBuiltObject.Build();
        string path = Save(o.Bytes, "btf-dump.o");
        var result = ExternalTool.Run("bpftool", ["btf", "dump", "file", path]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        string text = result.StdoutText;
        Assert.Contains("DATASEC '.maps' size=32 vlen=1", text);
        Assert.Contains("FUNC 'xdp_prog' type_id=", text);
        Assert.Contains("linkage=global", text);
        Assert.Contains("DATASEC '.bss' size=8 vlen=2", text);
        Assert.Contains("VAR 'LICENSE'", text);
    }

    private static byte[] Swap(byte[] b, bool bigEndian)
    {
        if (bigEndian) Array.Reverse(b);
        return b;
    }

    [GeneratedRegex(@"^\s*\[\s*(?<nr>\d+)\] (?<name>\S+)\s+(?<type>[A-Z_]+)\s+[0-9a-f]{16} (?<off>[0-9a-f]+) (?<size>[0-9a-f]+) (?<es>[0-9a-f]+) (?<flg>[A-Za-z ]{3})\s*(?<lk>\d+)\s+(?<inf>\d+)\s+(?<al>\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex SectionRow();

    [GeneratedRegex(@"^\s*(?<num>\d+): [0-9a-f]{16}\s+(?<size>\d+) (?<type>\w+)\s+(?<bind>\w+)\s+\w+\s+(?<ndx>\w+) ?(?<name>\S*)\s*$", RegexOptions.Multiline)]
    private static partial Regex SymbolRow();

    [GeneratedRegex(@"^(?<off>[0-9a-f]{16})\s+[0-9a-f]{16} (?<type>R_BPF_\w+)\s+[0-9a-f]{16} (?<name>\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex RelocationRow();
}
