using BpfSharp.Btf;
using BpfSharp.Btf.Writing;
using BpfSharp.CoRe;
using BpfSharp.Instructions;
using BpfSharp.Objects;
using BpfSharp.Objects.Writing;

namespace BpfSharp.Tests.ObjectWriting;

/// <summary>Bad input to the builders, symbol ordering, and the <c>.BTF.ext</c> layout rules.</summary>
public sealed class BuilderValidationTests
{
    private const ElfSectionFlags Code = ElfSectionFlags.Alloc | ElfSectionFlags.ExecInstr;
    private const ElfSectionFlags Data = ElfSectionFlags.Alloc | ElfSectionFlags.Write;

    private static (BpfElfBuilder Elf, int Xdp, int Bss) Small()
    {
        var elf = new BpfElfBuilder();
        int xdp = elf.AddSection("xdp", Code, new byte[32], 8);
        int bss = elf.AddNoBitsSection(".bss", Data, 8, 8);
        return (elf, xdp, bss);
    }

    [Fact]
    public void RelocationOutsideItsSectionIsRejected()
    {
        var (elf, xdp, bss) = Small();
        int sym = elf.GetSectionSymbol(bss);
        var e = Assert.Throws<ArgumentException>(() => elf.AddRelocation(xdp, 24, sym, BpfRelocationType.Bpf64_64));
        Assert.Contains("relocation in 'xdp' at offset 24", e.Message);
        Assert.Contains("outside the section (32 bytes)", e.Message);
        Assert.Throws<ArgumentException>(() => elf.AddRelocation(xdp, 32, sym, BpfRelocationType.Bpf64_32));
        Assert.Contains("not at an instruction boundary", Assert.Throws<ArgumentException>(() => elf.AddRelocation(xdp, 4, sym, BpfRelocationType.Bpf64_32)).Message);
        Assert.Contains("SHT_NOBITS", Assert.Throws<ArgumentException>(() => elf.AddRelocation(bss, 0, sym, BpfRelocationType.Bpf64Abs64)).Message);
        Assert.Contains("section 9 does not exist", Assert.Throws<ArgumentException>(() => elf.AddRelocation(9, 0, sym, BpfRelocationType.Bpf64_64)).Message);
        Assert.Contains("symbol 7 does not exist", Assert.Throws<ArgumentException>(() => elf.AddRelocation(xdp, 0, 7, BpfRelocationType.Bpf64_64)).Message);
        Assert.Contains("null symbol", Assert.Throws<ArgumentException>(() => elf.AddRelocation(xdp, 0, 0, BpfRelocationType.Bpf64_64)).Message);
        Assert.Contains("not a BPF relocation type", Assert.Throws<ArgumentException>(() => elf.AddRelocation(xdp, 0, sym, (BpfRelocationType)7)).Message);
        // The last instruction boundary that still fits a ld_imm64 is accepted.
        elf.AddRelocation(xdp, 16, sym, BpfRelocationType.Bpf64_64);
    }

    [Fact]
    public void SymbolInAMissingSectionOrOutsideItIsRejected()
    {
        var (elf, xdp, _) = Small();
        var e = Assert.Throws<ArgumentException>(() => elf.AddSymbol("f", 5, 0, 8, ElfSymbolType.Func, ElfSymbolBinding.Global));
        Assert.Contains("symbol 'f': section 5 does not exist", e.Message);
        Assert.Contains("does not fit in section 'xdp' of 32 bytes",
            Assert.Throws<ArgumentException>(() => elf.AddSymbol("f", xdp, 16, 24, ElfSymbolType.Func, ElfSymbolBinding.Global)).Message);
        Assert.Throws<ArgumentException>(() => elf.GetSectionSymbol(0));
        Assert.Throws<ArgumentException>(() => elf.AddSymbol("s", xdp, 0, 0, ElfSymbolType.Section, ElfSymbolBinding.Local));
        Assert.Contains("cannot be local", Assert.Throws<ArgumentException>(() => elf.AddSymbol("ext", 0, 0, 0, ElfSymbolType.NoType, ElfSymbolBinding.Local)).Message);
        elf.AddSymbol("f", xdp, 0, 32, ElfSymbolType.Func, ElfSymbolBinding.Global);
        Assert.Contains("already defined", Assert.Throws<ArgumentException>(() => elf.AddSymbol("f", xdp, 0, 8, ElfSymbolType.Func, ElfSymbolBinding.Weak)).Message);
        // Locals may share names; externs live in section 0.
        elf.AddSymbol("l", xdp, 0, 0, ElfSymbolType.NoType, ElfSymbolBinding.Local);
        elf.AddSymbol("l", xdp, 8, 0, ElfSymbolType.NoType, ElfSymbolBinding.Local);
        elf.AddSymbol("bpf_ksym", ElfSymbol.UndefinedSection, 0, 0, ElfSymbolType.NoType, ElfSymbolBinding.Global);
    }

    [Fact]
    public void DuplicateReservedAndMalformedSectionsAreRejected()
    {
        var (elf, _, _) = Small();
        Assert.Contains("a section named 'xdp' already exists (index 1)",
            Assert.Throws<ArgumentException>(() => elf.AddSection("xdp", Code, new byte[8], 8)).Message);
        Assert.Throws<ArgumentException>(() => elf.AddNoBitsSection(".bss", Data, 4, 4));
        Assert.Contains("reserved", Assert.Throws<ArgumentException>(() => elf.AddSection(".relxdp", ElfSectionFlags.None, new byte[16], 8)).Message);
        Assert.Throws<ArgumentException>(() => elf.AddSection(".symtab", ElfSectionFlags.None, new byte[24], 8));
        Assert.Throws<ArgumentException>(() => elf.AddSection(".strtab", ElfSectionFlags.None, new byte[1], 1));
        Assert.Throws<ArgumentException>(() => elf.AddSection("", Data, new byte[4], 4));
        Assert.Contains("not a power of two", Assert.Throws<ArgumentException>(() => elf.AddSection(".data", Data, new byte[4], 3)).Message);
        Assert.Throws<ArgumentException>(() => elf.AddSection(".data", Data, new byte[4], 0));
        Assert.Contains("not a whole number of 8-byte instructions", Assert.Throws<ArgumentException>(() => elf.AddSection("tc", Code, new byte[12], 8)).Message);
        Assert.Throws<ArgumentException>(() => elf.AddSection("x", ElfSectionType.SymbolTable, ElfSectionFlags.None, default, 0, 8));
        Assert.Equal(2, elf.SectionCount);
    }

    [Fact]
    public void SetSectionDataKeepsSymbolsAndRelocationsInside()
    {
        var (elf, xdp, bss) = Small();
        elf.AddSymbol("p", xdp, 0, 16, ElfSymbolType.Func, ElfSymbolBinding.Global);
        elf.AddRelocation(xdp, 16, elf.GetSectionSymbol(bss), BpfRelocationType.Bpf64_64);
        Assert.Contains("shorter than its symbols and relocations need (32 bytes)",
            Assert.Throws<ArgumentException>(() => elf.SetSectionData(xdp, new byte[24])).Message);
        Assert.Throws<ArgumentException>(() => elf.SetSectionData(bss, new byte[8]));
        elf.SetSectionData(xdp, new byte[40]);
        Assert.Equal(40ul, ObjectSpec.Read(elf.ToArray()).FindSection("xdp")!.Size);
    }

    [Fact]
    public void LocalSymbolsComeFirstWhateverTheOrderAdded()
    {
        var elf = new BpfElfBuilder();
        // mov r0, 0; r1 = .bss ll; r2 = maybe ll; exit
        int xdp = elf.AddSection("xdp", Code, InstructionEncoder.Encode(
            [new(0xb7, 0, 0, 0, 0), new(0x18, 1, 0, 0, 0), new(0, 0, 0, 0, 0), new(0x18, 2, 0, 0, 0), new(0, 0, 0, 0, 0), new(0x95, 0, 0, 0, 0)]), 8);
        int bss = elf.AddNoBitsSection(".bss", Data, 8, 8);
        int global = elf.AddSymbol("prog", xdp, 0, 48, ElfSymbolType.Func, ElfSymbolBinding.Global);
        int local = elf.AddSymbol("hidden_var", bss, 0, 4, ElfSymbolType.Object, ElfSymbolBinding.Local);
        int section = elf.GetSectionSymbol(bss);
        int weak = elf.AddSymbol("maybe", bss, 4, 4, ElfSymbolType.Object, ElfSymbolBinding.Weak);
        elf.AddRelocation(xdp, 8, section, BpfRelocationType.Bpf64_64);
        elf.AddRelocation(xdp, 24, weak, BpfRelocationType.Bpf64_64);
        Assert.Equal([3, 1, 2, 4], new[] { global, local, section, weak }.Select(elf.GetSymbolTableIndex));

        var spec = ObjectSpec.Read(elf.ToArray());
        Assert.Equal(["", "hidden_var", "", "prog", "maybe"], spec.Symbols.Select(s => s.Name));
        Assert.Equal(ElfSymbolType.Section, spec.Symbols[2].Type);
        var relocs = spec.RelocationSections.Single().Entries.ToArray();
        Assert.Equal([(8ul, 2), (24ul, 4)], relocs.Select(r => (r.Offset, r.SymbolIndex)));
        Assert.Equal(".relxdp", spec.RelocationSections.Single().Section.Name);
        Assert.Equal(3u, spec.FindSection(".symtab")!.Info);
    }

    [Fact]
    public void BtfExtSortsRecordsPerSectionAndOmitsEmptySubsections()
    {
        var btf = new BtfBuilder();
        int i = btf.AddInt("int", 4, BtfIntEncoding.Signed);
        int s = btf.AddStruct("task_struct", 8);
        btf.AddMember(s, "pid", i, 0);
        btf.AddMember(s, "tgid", i, 32);
        uint access = btf.AddString("0:1");
        var ext = new BtfExtBuilder();
        Assert.True(ext.IsEmpty);
        ext.AddCoReRelocation("kprobe/x", 24, s, access, CoReRelocationKind.FieldByteOffset);
        ext.AddCoReRelocation(".text", 8, s, access, CoReRelocationKind.FieldExists);
        ext.AddCoReRelocation("kprobe/x", 8, s, access, CoReRelocationKind.FieldExists);
        ext.AddCoReRelocation("kprobe/x", 8, s, access, CoReRelocationKind.FieldSigned);
        byte[] bytes = ext.ToArray(btf);
        var spec = btf.Build();

        // Header: version 1, flags 0, hdr_len 32, func_info and line_info empty (offset/length 0 / 0), core_relo after them.
        Assert.Equal([0x9f, 0xeb, 1, 0, 32, 0, 0, 0], bytes[..8]);
        Assert.Equal([0u, 0u, 0u, 0u, 0u, (uint)(bytes.Length - 32)],
            Enumerable.Range(0, 6).Select(k => BitConverter.ToUInt32(bytes, 8 + 4 * k)));
        var parsed = BtfExt.Parse(bytes, spec);
        Assert.Equal(0, parsed.FuncInfoRecordSize);
        Assert.Equal(0, parsed.LineInfoRecordSize);
        Assert.Equal(16, parsed.CoReRelocationRecordSize);
        Assert.Equal(["kprobe/x", ".text"], parsed.CoReRelocations.Select(c => c.Name));
        Assert.Equal([(8u, CoReRelocationKind.FieldExists), (8u, CoReRelocationKind.FieldSigned), (24u, CoReRelocationKind.FieldByteOffset)],
            parsed.FindCoReRelocations("kprobe/x")!.Records.ToArray().Select(r => (r.InstructionByteOffset, r.Kind)));
        Assert.All(parsed.CoReRelocations.SelectMany(c => c.Records.ToArray()), r => Assert.Equal("0:1", spec.GetString(r.AccessStringOffset)));
        // The section names went into the BTF strings.
        Assert.Equal("kprobe/x", spec.GetString(parsed.CoReRelocations[0].NameOffset));
    }

    [Fact]
    public void BtfExtBigEndianMatchesTheLittleEndianRecords()
    {
        var btf = new BtfBuilder();
        int i = btf.AddInt("int", 4, BtfIntEncoding.Signed);
        int f = btf.AddFunc("main", btf.AddFuncProto(i), BtfLinkage.Global);
        uint file = btf.AddString("a.cs");
        var ext = new BtfExtBuilder();
        ext.AddFuncInfo("xdp", 0, f);
        ext.AddLineInfo("xdp", 0, file, 0, 12, 7);
        var el = BtfExt.Parse(ext.ToArray(btf), btf.Build());
        var be = BtfExt.Parse(ext.ToArray(btf, bigEndian: true), BtfSpec.Parse(btf.ToArray(bigEndian: true)));
        Assert.True(be.IsBigEndian);
        Assert.Equal(el.FindLineInfo("xdp")!.Records.ToArray(), be.FindLineInfo("xdp")!.Records.ToArray());
        Assert.Equal(el.FindFuncInfo("xdp")!.Records.ToArray(), be.FindFuncInfo("xdp")!.Records.ToArray());
        Assert.Equal((12u, 7u), (el.FindLineInfo("xdp")![0].Line, el.FindLineInfo("xdp")![0].Column));
    }

    [Fact]
    public void BtfExtRejectsBadRecords()
    {
        var ext = new BtfExtBuilder();
        Assert.Contains("not a multiple of 8", Assert.Throws<ArgumentException>(() => ext.AddFuncInfo("xdp", 4, 1)).Message);
        Assert.Throws<ArgumentException>(() => ext.AddFuncInfo("", 0, 1));
        Assert.Throws<ArgumentException>(() => ext.AddFuncInfo("xdp", 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ext.AddLineInfo("xdp", 0, 1, 0, 1 << 22, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ext.AddLineInfo("xdp", 0, 1, 0, 1, 1024));
        Assert.Throws<ArgumentException>(() => ext.AddCoReRelocation("xdp", 0, 1, 1, (CoReRelocationKind)99));
        Assert.True(ext.IsEmpty);
    }
}
