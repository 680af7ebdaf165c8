using BpfSharp.Btf;
using BpfSharp.Btf.Writing;
using BpfSharp.Instructions;
using BpfSharp.Objects;
using BpfSharp.Objects.Writing;

namespace BpfSharp.Tests.ObjectWriting;

/// <summary>
/// An object built entirely with the builders: an XDP program that calls a global subprogram in .text, stores the
/// result into .data and .bss, loads a map and returns the .rodata value 2 (XDP_PASS); a BTF-defined array map;
/// license "GPL"; func_info and line_info for both functions. Everything the tests check against
/// is recorded here as it was built.
/// </summary>
internal sealed class HandBuiltObject
{
    public const int XdpPass = 2;
    public const int CalledWith = 41;

    public byte[] Bytes = [];
    public BpfElfBuilder Elf = null!;
    public int Text, Xdp, Data, Rodata, Bss, Maps, License, BtfSection, BtfExtSection;
    public int AddOneSymbol, XdpSymbol, CountsSymbol, CounterSymbol, BssASymbol, BssBSymbol, RodataSymbol, LicenseSymbol;
    public Instruction[] XdpCode = [], TextCode = [];
    public int FuncAddOne, FuncXdp, MapStruct;
    public uint FileNameOffset;
    public (string Section, uint Offset, int Line, int Column)[] Lines = [];
    public byte[] BtfBytes = [];

    // mov64 r1, 41; call add_one; r1 = counter ll; *(u32 *)(r1 + 0) = r0; r1 = .bss + 4 ll; *(u32 *)(r1 + 0) = r0;
    // r1 = counts ll; r1 = .rodata ll; r0 = *(u32 *)(r1 + 0); exit
    private static Instruction[] XdpInstructions() =>
    [
        new(0xb7, 1, 0, 0, CalledWith),
        new(0x85, 0, 1, 0, -1),
        new(0x18, 1, 0, 0, 0), new(0, 0, 0, 0, 0),
        new(0x63, 1, 0, 0, 0),
        new(0x18, 1, 0, 0, 4), new(0, 0, 0, 0, 0),
        new(0x63, 1, 0, 0, 0),
        new(0x18, 1, 0, 0, 0), new(0, 0, 0, 0, 0),
        new(0x18, 1, 0, 0, 0), new(0, 0, 0, 0, 0),
        new(0x61, 0, 1, 0, 0),
        new(0x95, 0, 0, 0, 0),
    ];

    // add_one: r0 = r1; r0 += 1; exit
    private static Instruction[] TextInstructions() => [new(0xbf, 0, 1, 0, 0), new(0x07, 0, 0, 0, 1), new(0x95, 0, 0, 0, 0)];

    public static HandBuiltObject Build(bool bigEndian = false)
    {
        var o = new HandBuiltObject { XdpCode = XdpInstructions(), TextCode = TextInstructions() };
        var btf = new BtfBuilder();
        int intT = btf.AddInt("int", 4, BtfIntEncoding.Signed);
        int u32 = btf.AddInt("unsigned int", 4);
        int u64 = btf.AddInt("unsigned long long", 8);
        int sizeT = btf.AddInt("__ARRAY_SIZE_TYPE__", 4);
        int charT = btf.AddInt("char", 1, BtfIntEncoding.Signed);

        // struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, u32); __type(value, u64); } counts SEC(".maps");
        int typePtr = btf.AddPointer(btf.AddArray(intT, sizeT, 2));
        int maxPtr = btf.AddPointer(btf.AddArray(intT, sizeT, 4));
        int keyPtr = btf.AddPointer(u32);
        int valuePtr = btf.AddPointer(u64);
        o.MapStruct = btf.AddStruct(null, 32);
        btf.AddMember(o.MapStruct, "type", typePtr, 0);
        btf.AddMember(o.MapStruct, "max_entries", maxPtr, 64);
        btf.AddMember(o.MapStruct, "key", keyPtr, 128);
        btf.AddMember(o.MapStruct, "value", valuePtr, 192);
        int countsVar = btf.AddVar("counts", o.MapStruct);
        btf.AddDataSecVar(btf.AddDataSec(".maps", 32), countsVar, 0, 32);

        int xdpMd = btf.AddStruct("xdp_md", 24);
        string[] xdpFields = ["data", "data_end", "data_meta", "ingress_ifindex", "rx_queue_index", "egress_ifindex"];
        for (int i = 0; i < xdpFields.Length; i++) btf.AddMember(xdpMd, xdpFields[i], u32, (uint)(32 * i));
        int xdpProto = btf.AddFuncProto(intT);
        btf.AddParam(xdpProto, "ctx", btf.AddPointer(xdpMd));
        o.FuncXdp = btf.AddFunc("xdp_prog", xdpProto, BtfLinkage.Global);
        int addProto = btf.AddFuncProto(intT);
        btf.AddParam(addProto, "x", intT);
        o.FuncAddOne = btf.AddFunc("add_one", addProto, BtfLinkage.Global);

        int counterVar = btf.AddVar("counter", intT);
        btf.AddDataSecVar(btf.AddDataSec(".data", 4), counterVar, 0, 4);
        int rodataVar = btf.AddVar("rodata_value", btf.AddConst(intT));
        btf.AddDataSecVar(btf.AddDataSec(".rodata", 4), rodataVar, 0, 4);
        int bssA = btf.AddVar("bss_a", u32), bssB = btf.AddVar("bss_b", u32);
        int bssSec = btf.AddDataSec(".bss", 8);
        btf.AddDataSecVar(bssSec, bssA, 0, 4);
        btf.AddDataSecVar(bssSec, bssB, 4, 4);
        int licenseVar = btf.AddVar("LICENSE", btf.AddArray(charT, sizeT, 4));
        btf.AddDataSecVar(btf.AddDataSec("license", 4), licenseVar, 0, 4);

        var elf = o.Elf = new BpfElfBuilder(bigEndian);
        o.Text = elf.AddSection(".text", ElfSectionFlags.Alloc | ElfSectionFlags.ExecInstr, InstructionEncoder.Encode(o.TextCode, bigEndian), 8);
        o.Xdp = elf.AddSection("xdp", ElfSectionFlags.Alloc | ElfSectionFlags.ExecInstr, InstructionEncoder.Encode(o.XdpCode, bigEndian), 8);
        o.Data = elf.AddSection(".data", ElfSectionFlags.Alloc | ElfSectionFlags.Write, U32(7, bigEndian), 4);
        o.Rodata = elf.AddSection(".rodata", ElfSectionFlags.Alloc, U32(XdpPass, bigEndian), 4);
        o.Bss = elf.AddNoBitsSection(".bss", ElfSectionFlags.Alloc | ElfSectionFlags.Write, 8, 4);
        o.Maps = elf.AddSection(".maps", ElfSectionFlags.Alloc | ElfSectionFlags.Write, new byte[32], 8);
        o.License = elf.AddSection("license", ElfSectionFlags.Alloc | ElfSectionFlags.Write, "GPL\0"u8.ToArray(), 1);
        o.BtfSection = elf.AddSection(".BTF", ElfSectionFlags.None, ReadOnlyMemory<byte>.Empty, 4);
        o.BtfExtSection = elf.AddSection(".BTF.ext", ElfSectionFlags.None, ReadOnlyMemory<byte>.Empty, 4);

        // Section symbols first (locals), then the globals, so handles are the final indices.
        int bssSym = elf.GetSectionSymbol(o.Bss);
        int rodataSectionSym = elf.GetSectionSymbol(o.Rodata);
        o.AddOneSymbol = elf.AddSymbol("add_one", o.Text, 0, (ulong)o.TextCode.Length * 8, ElfSymbolType.Func, ElfSymbolBinding.Global);
        o.XdpSymbol = elf.AddSymbol("xdp_prog", o.Xdp, 0, (ulong)o.XdpCode.Length * 8, ElfSymbolType.Func, ElfSymbolBinding.Global);
        o.CounterSymbol = elf.AddSymbol("counter", o.Data, 0, 4, ElfSymbolType.Object, ElfSymbolBinding.Global);
        o.RodataSymbol = elf.AddSymbol("rodata_value", o.Rodata, 0, 4, ElfSymbolType.Object, ElfSymbolBinding.Global);
        o.BssASymbol = elf.AddSymbol("bss_a", o.Bss, 0, 4, ElfSymbolType.Object, ElfSymbolBinding.Global);
        o.BssBSymbol = elf.AddSymbol("bss_b", o.Bss, 4, 4, ElfSymbolType.Object, ElfSymbolBinding.Global);
        o.CountsSymbol = elf.AddSymbol("counts", o.Maps, 0, 32, ElfSymbolType.Object, ElfSymbolBinding.Global);
        o.LicenseSymbol = elf.AddSymbol("LICENSE", o.License, 0, 4, ElfSymbolType.Object, ElfSymbolBinding.Global);

        elf.AddRelocation(o.Xdp, 1 * 8, o.AddOneSymbol, BpfRelocationType.Bpf64_32);
        elf.AddRelocation(o.Xdp, 2 * 8, o.CounterSymbol, BpfRelocationType.Bpf64_64);
        elf.AddRelocation(o.Xdp, 5 * 8, bssSym, BpfRelocationType.Bpf64_64);
        elf.AddRelocation(o.Xdp, 8 * 8, o.CountsSymbol, BpfRelocationType.Bpf64_64);
        elf.AddRelocation(o.Xdp, 10 * 8, rodataSectionSym, BpfRelocationType.Bpf64_64);

        // .BTF.ext: one func_info per function, line_info at every function start (added out of order on purpose).
        var ext = new BtfExtBuilder();
        o.FileNameOffset = btf.AddString("prog.cs");
        uint lineText = btf.AddString("return Rodata.Value;");
        o.Lines = [("xdp", 12 * 8, 14, 9), ("xdp", 0, 10, 5), ("xdp", 1 * 8, 11, 5), (".text", 0, 3, 1)];
        foreach (var (section, offset, line, column) in o.Lines)
            ext.AddLineInfo(section, offset, o.FileNameOffset, line == 14 ? lineText : 0, line, column);
        ext.AddFuncInfo("xdp", 0, o.FuncXdp);
        ext.AddFuncInfo(".text", 0, o.FuncAddOne);
        byte[] extBytes = ext.ToArray(btf, bigEndian);
        o.BtfBytes = btf.ToArray(bigEndian);
        elf.SetSectionData(o.BtfSection, o.BtfBytes);
        elf.SetSectionData(o.BtfExtSection, extBytes);
        o.Bytes = elf.ToArray();
        return o;
    }

    private static byte[] U32(int value, bool bigEndian)
    {
        var b = BitConverter.GetBytes(value);
        if (bigEndian) Array.Reverse(b);
        return b;
    }
}
