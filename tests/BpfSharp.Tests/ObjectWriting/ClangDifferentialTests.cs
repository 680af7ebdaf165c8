using BpfSharp.Btf.Writing;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Objects.Writing;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.ObjectWriting;

/// <summary>
/// clang-19's object for testdata/object_writing/sample.c, re-emitted section by section through the builders, must
/// read back the same as the original and load.
/// </summary>
[Collection("Loader kernel tests")]
public sealed class ClangDifferentialTests
{
    private static readonly Lazy<string> Scratch = new(() => TestPaths.NewScratchDirectory("object-writing-clang"));

    private static string Compile(bool bigEndian)
    {
        string source = Path.Combine(TestPaths.TestData, "object_writing", "sample.c");
        string output = Path.Combine(Scratch.Value, bigEndian ? "sample.eb.o" : "sample.o");
        if (!File.Exists(output))
            ExternalTool.RunChecked("clang-19", "-O2", "-g", "-Wall", "-target", bigEndian ? "bpfeb" : "bpfel",
                "-I" + ExternalTool.MultiarchIncludeDirectory, "-c", source, "-o", output);
        return output;
    }

    /// <summary>
    /// Copies every code, data, BTF and DWARF section (not the generated tables, not <c>.llvm_addrsig</c>), every symbol
    /// except <c>STT_FILE</c>, and every relocation except <c>.rel.BTF.ext</c>'s; <c>.BTF</c> goes through
    /// <see cref="BtfBuilder.From"/>, <c>.BTF.ext</c> through <see cref="BtfExtBuilder"/> from the parsed records.
    /// </summary>
    internal static byte[] ReEmit(ObjectSpec spec)
    {
        var btf = BtfBuilder.From(spec.Btf!);
        var ext = new BtfExtBuilder();
        foreach (var s in spec.BtfExt!.FuncInfo)
            foreach (var r in s.Records) ext.AddFuncInfo(s.Name, r);
        foreach (var s in spec.BtfExt.LineInfo)
            foreach (var r in s.Records) ext.AddLineInfo(s.Name, r.InstructionByteOffset, r.FileNameOffset, r.LineOffset, (int)r.Line, (int)r.Column);
        foreach (var s in spec.BtfExt.CoReRelocations)
            foreach (var r in s.Records) ext.AddCoReRelocation(s.Name, r);
        byte[] extBytes = ext.ToArray(btf, spec.IsBigEndian);
        byte[] btfBytes = btf.ToArray(spec.IsBigEndian);

        var elf = new BpfElfBuilder(spec.IsBigEndian);
        var sectionMap = new Dictionary<int, int>();
        foreach (var s in spec.Sections)
        {
            if (s.Index == 0) continue;
            if (s.Type == ElfSectionType.NoBits)
                sectionMap[s.Index] = elf.AddNoBitsSection(s.Name, s.Flags, s.Size, (uint)s.Alignment);
            else if (s.Type == ElfSectionType.ProgBits)
                sectionMap[s.Index] = elf.AddSection(s.Name, s.Flags,
                    s.Name == ".BTF" ? btfBytes : s.Name == ".BTF.ext" ? extBytes : s.Data, (uint)s.Alignment, s.EntrySize);
        }
        var symbolMap = new Dictionary<int, int>();
        foreach (var sym in spec.Symbols.Skip(1))
        {
            if (sym.Type == ElfSymbolType.File) continue;
            bool special = sym.SectionIndex is ElfSymbol.UndefinedSection or ElfSymbol.AbsoluteSection;
            if (!special && !sectionMap.ContainsKey(sym.SectionIndex)) continue;
            symbolMap[sym.Index] = sym.Type == ElfSymbolType.Section
                ? elf.GetSectionSymbol(sectionMap[sym.SectionIndex])
                : elf.AddSymbol(sym.Name, special ? sym.SectionIndex : sectionMap[sym.SectionIndex], sym.Value, sym.Size, sym.Type,
                    sym.Binding, sym.Visibility);
        }
        foreach (var rs in spec.RelocationSections)
        {
            if (!sectionMap.TryGetValue(rs.TargetSectionIndex, out int target) || rs.Section.Name == ".rel.BTF.ext") continue;
            foreach (var r in rs.Entries) elf.AddRelocation(target, r.Offset, symbolMap[r.SymbolIndex], r.Type);
        }
        return elf.ToArray();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReEmittedObjectReadsBackLikeTheOriginal(bool bigEndian)
    {
        var original = ObjectSpec.Load(Compile(bigEndian));
        var copy = ObjectSpec.Read(ReEmit(original), "re-emitted.o");

        // Same sections (header fields and contents), apart from the tables the builder generates.
        static string[] Sections(ObjectSpec o) => o.Sections.Where(s => s.Type is ElfSectionType.ProgBits or ElfSectionType.NoBits)
            .Select(s => $"{s.Name} {s.Type} {s.Flags} {s.Size} {s.Alignment} {s.EntrySize} {Convert.ToHexString(s.Data.Span)}").ToArray();
        Assert.Equal(Sections(original), Sections(copy));
        Assert.Equal(Programs(original), Programs(copy));
        Assert.Equal(References(original), References(copy));
        Assert.Equal(original.Maps.Select(MapShape), copy.Maps.Select(MapShape));
        Assert.Equal(original.DataSections.Select(DataShape), copy.DataSections.Select(DataShape));
        Assert.Equal(original.License, copy.License);
        Assert.Equal(original.FindSection(".BTF")!.Data.ToArray(), copy.FindSection(".BTF")!.Data.ToArray());
        Assert.Equal(Ext(original), Ext(copy));
        Assert.True(copy.BtfExt!.CoReRelocationCount >= 3, "sample.c should produce CO-RE relocations");
        Assert.True(copy.BtfExt.FindFuncInfo(".text")!.Count == 2, "both subprograms have func_info");
        // The .rel.BTF relocations (NODYLD32 for DATASEC offsets) came through too.
        string[] RelBtf(ObjectSpec o) => o.RelocationSections.Single(r => r.Section.Name == ".rel.BTF").Entries.ToArray()
            .Select(r => $"{r.Offset} {r.Type} {o.Symbols[r.SymbolIndex].Name} {o.Symbols[r.SymbolIndex].Type}").ToArray();
        Assert.Equal(RelBtf(original), RelBtf(copy));
        Assert.Contains(RelBtf(copy), r => r.Contains(nameof(BpfRelocationType.Bpf64NoDyld32)));
    }

    [Fact]
    public void ReEmittedBtfExtIsByteIdenticalToClangs()
    {
        // clang orders sections and records the same way, so the builder reproduces its bytes exactly.
        var original = ObjectSpec.Load(Compile(false));
        var copy = ObjectSpec.Read(ReEmit(original));
        Assert.Equal(original.FindSection(".BTF.ext")!.Data.ToArray(), copy.FindSection(".BTF.ext")!.Data.ToArray());
    }

    [Fact]
    public void LlvmToolsSeeTheSameCodeRelocationsAndDebugInfo()
    {
        string original = Compile(false);
        string copy = Path.Combine(Scratch.Value, "re-emitted-llvm.o");
        File.WriteAllBytes(copy, ReEmit(ObjectSpec.Load(original)));
        // Everything but the line naming the file must match: disassembly with relocations and line numbers, DWARF.
        string[] Tool(string tool, string path, params string[] args) => ExternalTool.RunText(tool, [.. args, path])
            .Replace(path, "<file>").Split('\n');
        Assert.Equal(Tool("llvm-objdump-19", original, "-d", "-r", "-l", "--no-show-raw-insn"),
            Tool("llvm-objdump-19", copy, "-d", "-r", "-l", "--no-show-raw-insn"));
        Assert.Equal(Tool("llvm-dwarfdump-19", original, "--debug-info", "--debug-line"),
            Tool("llvm-dwarfdump-19", copy, "--debug-info", "--debug-line"));
        var verify = ExternalTool.Run("llvm-dwarfdump-19", ["--verify", copy]);
        Assert.True(verify.ExitCode == 0, "llvm-dwarfdump --verify: " + verify.StdoutText + verify.Stderr);
    }

    [Fact]
    public void ReEmittedObjectPassesBpftoolAndLoads()
    {
        KernelObjects.RequireBpf();
        string path = Path.Combine(Scratch.Value, "re-emitted.o");
        File.WriteAllBytes(path, ReEmit(ObjectSpec.Load(Compile(false))));

        var link = ExternalTool.Run("bpftool", ["gen", "object", Path.Combine(Scratch.Value, "re-emitted.linked.o"), path]);
        Assert.True(link.ExitCode == 0 && link.Stderr.Length == 0, "bpftool gen object: " + link.Stderr);
        BuilderKernelTests.LoadAllWithBpftool(path, "clang", ["on_getpid", "xdp_pass"]);

        using var c = BpfCollection.Load(ObjectSpec.Load(path));
        var run = c.Programs["xdp_pass"].TestRun(new byte[64]);
        Assert.Equal(2u, run.ReturnValue);
        Assert.Equal(64u, c.ReadVariable<uint>("last_len"));
        Assert.Equal((2 * 64 + 0) * 2 + 7, c.ReadVariable<int>("counter"));
    }

    private static string[] Programs(ObjectSpec o) => o.Programs.Select(p =>
        $"{p.Name} {p.SectionName} {p.InstructionOffset}+{p.InstructionCount} sub={p.IsSubprogram} static={p.IsStatic} " +
        string.Join(",", p.Instructions.ToArray().Select(i => i.ToString()))).ToArray();

    private static string[] References(ObjectSpec o) => o.References.Select(r =>
        $"{o.GetSection(r.SectionIndex)!.Name}#{r.InstructionIndex} {r.Kind} {r.TargetName} {r.Relocation.Type} {r.DataOffset} " +
        $"{r.TargetInstructionIndex} {r.Map?.Name} {r.Data?.Name} {r.TargetFunction?.Name}").ToArray();

    private static string MapShape(MapSpec m) =>
        $"{m.Name} {m.Type} {m.KeySize} {m.ValueSize} {m.MaxEntries} {m.Flags} {m.KeyTypeId} {m.ValueTypeId} {m.BtfVarTypeId} {m.SectionOffset}";

    private static string DataShape(DataSectionSpec d) =>
        $"{d.Name} {d.Kind} {d.Size} {Convert.ToHexString(d.InitialData.Span)} {d.BtfDataSecId} " +
        string.Join(",", d.Variables.Select(v => $"{v.Name}@{v.Offset}:{v.Size}:{v.BtfVarId}:{v.IsStatic}"));

    private static string[] Ext(ObjectSpec o)
    {
        var e = o.BtfExt!;
        return
        [
            .. e.FuncInfo.Select(s => s.Name + ": " + string.Join(",", s.Records.ToArray())),
            .. e.LineInfo.Select(s => s.Name + ": " + string.Join(",", s.Records.ToArray())),
            .. e.CoReRelocations.Select(s => s.Name + ": " + string.Join(",", s.Records.ToArray())),
        ];
    }
}
