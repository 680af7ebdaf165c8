using System.Buffers.Binary;
using BpfSharp.Btf;
using BpfSharp.CoRe;

namespace BpfSharp.Objects;

/// <summary>
/// The parsed <c>.BTF.ext</c> section of a BPF object: per ELF section, its func_info, line_info and CO-RE relocation
/// records, in file order. Validation follows libbpf's <c>btf_ext__new</c>; section names resolve through the
/// object's <c>.BTF</c> strings.
/// </summary>
public sealed class BtfExt
{
    /// <summary>Section name used in messages.</summary>
    public const string SectionName = ".BTF.ext";
    /// <summary>Minimum <c>func_info</c> record size (<c>struct bpf_func_info_min</c>).</summary>
    public const int MinFuncInfoRecordSize = 8;
    /// <summary>Minimum <c>line_info</c> record size (<c>struct bpf_line_info_min</c>).</summary>
    public const int MinLineInfoRecordSize = 16;
    /// <summary>Minimum <c>core_relo</c> record size (<c>struct bpf_core_relo</c>).</summary>
    public const int MinCoReRelocationRecordSize = 16;

    private BtfExt(ReadOnlyMemory<byte> data, bool bigEndian, uint headerLength)
    {
        Data = data;
        IsBigEndian = bigEndian;
        HeaderLength = headerLength;
    }

    /// <summary>The raw section bytes.</summary>
    public ReadOnlyMemory<byte> Data { get; }
    /// <summary>True if the section is big-endian.</summary>
    public bool IsBigEndian { get; }
    /// <summary><c>hdr_len</c>: 24 without CO-RE relocations, 32 with.</summary>
    public uint HeaderLength { get; }
    /// <summary>The func_info record size, or 0 if there is no func_info subsection.</summary>
    public int FuncInfoRecordSize { get; private set; }
    /// <summary>The line_info record size, or 0 if there is no line_info subsection.</summary>
    public int LineInfoRecordSize { get; private set; }
    /// <summary>The core_relo record size, or 0 if there is no core_relo subsection.</summary>
    public int CoReRelocationRecordSize { get; private set; }

    /// <summary>func_info records per ELF section, in file order.</summary>
    public IReadOnlyList<BtfExtSection<BtfFuncInfo>> FuncInfo { get; private set; } = [];
    /// <summary>line_info records per ELF section, in file order.</summary>
    public IReadOnlyList<BtfExtSection<BtfLineInfo>> LineInfo { get; private set; } = [];
    /// <summary>CO-RE relocation records per ELF section, in file order (libbpf's <c>relo #N</c> counts within one).</summary>
    public IReadOnlyList<BtfExtSection<CoReRelocationRecord>> CoReRelocations { get; private set; } = [];

    /// <summary>Total func_info records.</summary>
    public int FuncInfoCount => FuncInfo.Sum(s => s.Count);
    /// <summary>Total line_info records.</summary>
    public int LineInfoCount => LineInfo.Sum(s => s.Count);
    /// <summary>Total CO-RE relocation records.</summary>
    public int CoReRelocationCount => CoReRelocations.Sum(s => s.Count);

    /// <summary>The func_info records of one ELF section, or null.</summary>
    public BtfExtSection<BtfFuncInfo>? FindFuncInfo(string sectionName) => Find(FuncInfo, sectionName);
    /// <summary>The line_info records of one ELF section, or null.</summary>
    public BtfExtSection<BtfLineInfo>? FindLineInfo(string sectionName) => Find(LineInfo, sectionName);
    /// <summary>The CO-RE relocation records of one ELF section, or null.</summary>
    public BtfExtSection<CoReRelocationRecord>? FindCoReRelocations(string sectionName) => Find(CoReRelocations, sectionName);

    private static BtfExtSection<T>? Find<T>(IReadOnlyList<BtfExtSection<T>> list, string name) where T : struct
    {
        foreach (var s in list) if (s.Name == name) return s;
        return null;
    }

    /// <summary>Parses a <c>.BTF.ext</c> section.</summary>
    /// <param name="data">The section bytes.</param>
    /// <param name="btf">The object's <c>.BTF</c> (section names are resolved through its strings).</param>
    /// <param name="path">The file, for messages.</param>
    /// <exception cref="BpfFormatException">The section is malformed.</exception>
    public static BtfExt Parse(ReadOnlyMemory<byte> data, BtfSpec btf, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(btf);
        var reader = new Reader(data.Span, path);
        var span = data.Span;
        if (span.Length < 8)
            throw reader.Error(BpfFormatError.BtfExtTruncated, $"section is {span.Length} bytes, shorter than the 8-byte header start", 0);
        ushort magic = BinaryPrimitives.ReadUInt16LittleEndian(span);
        if (magic == 0xEB9F) reader.BigEndian = false;
        else if (magic == 0x9FEB) reader.BigEndian = true;
        else throw reader.Error(BpfFormatError.BtfExtBadMagic, $"magic 0x{magic:x4} is neither 0xeb9f nor its byte swap", 0);
        if (span[2] != 1)
            throw reader.Error(BpfFormatError.BtfExtUnsupportedVersion, $"version {span[2]} is not 1", 2);
        if (span[3] != 0)
            throw reader.Error(BpfFormatError.BtfExtUnsupportedVersion, $"flags 0x{span[3]:x} are not 0", 3);
        uint hdrLen = reader.U32(4);
        if (hdrLen > (uint)span.Length)
            throw reader.Error(BpfFormatError.BtfExtTruncated, $"hdr_len {hdrLen} exceeds the section size {span.Length}", 4);
        if (hdrLen < 24)
            throw reader.Error(BpfFormatError.BtfExtBadHeader, $"hdr_len {hdrLen} does not cover func_info and line_info (24)", 4);
        if (hdrLen == (uint)span.Length)
            throw reader.Error(BpfFormatError.BtfExtBadHeader, "section has a header and no data", 4);

        var ext = new BtfExt(data, reader.BigEndian, hdrLen);
        ext.FuncInfo = ReadSubsection(ref reader, btf, hdrLen, 8, "func_info", MinFuncInfoRecordSize, out int fiSize,
            static (ref Reader r, int at) => new BtfFuncInfo(r.U32(at), (int)r.U32(at + 4)));
        ext.FuncInfoRecordSize = fiSize;
        ext.LineInfo = ReadSubsection(ref reader, btf, hdrLen, 16, "line_info", MinLineInfoRecordSize, out int liSize,
            static (ref Reader r, int at) => new BtfLineInfo(r.U32(at), r.U32(at + 4), r.U32(at + 8), r.U32(at + 12)));
        ext.LineInfoRecordSize = liSize;
        if (hdrLen >= 32)
        {
            ext.CoReRelocations = ReadSubsection(ref reader, btf, hdrLen, 24, "core_relo", MinCoReRelocationRecordSize, out int crSize,
                static (ref Reader r, int at) => new CoReRelocationRecord(r.U32(at), (int)r.U32(at + 4), r.U32(at + 8), (CoReRelocationKind)r.U32(at + 12)));
            ext.CoReRelocationRecordSize = crSize;
        }
        return ext;
    }

    private delegate T RecordReader<T>(ref Reader reader, int at);

    private static BtfExtSection<T>[] ReadSubsection<T>(ref Reader r, BtfSpec btf, uint hdrLen, int fieldOffset, string what,
        int minRecordSize, out int recordSize, RecordReader<T> read) where T : struct
    {
        recordSize = 0;
        uint off = r.U32(fieldOffset), len = r.U32(fieldOffset + 4);
        if (len == 0) return [];
        if ((off & 3) != 0)
            throw r.Error(BpfFormatError.BtfExtBadHeader, $"{what} offset {off} is not 4-byte aligned", fieldOffset);
        ulong start = hdrLen + (ulong)off, end = start + len;
        if (end > (ulong)r.Length)
            throw r.Error(BpfFormatError.BtfExtBadHeader,
                $"{what} (off {off}, len {len}) is beyond the end of the section ({r.Length} bytes)", fieldOffset);
        int at = (int)start, stop = (int)end;
        if (len < 4)
            throw r.Error(BpfFormatError.BtfExtTruncated, $"{what} has no record size", at);
        uint recSize = r.U32(at);
        // Non-native (big-endian here) data must use exactly the minimum record size so it can be swapped field by field.
        if (recSize < (uint)minRecordSize || (recSize & 3) != 0 || (r.BigEndian && recSize != (uint)minRecordSize))
            throw r.Error(BpfFormatError.BtfExtBadRecordSize,
                $"{what} record size {recSize} is invalid (minimum {minRecordSize}, multiple of 4{(r.BigEndian ? ", exact for big-endian" : "")})", at);
        recordSize = (int)recSize;
        at += 4;
        if (at == stop)
            throw r.Error(BpfFormatError.BtfExtNoRecords, $"{what} has no records", at);

        var sections = new List<BtfExtSection<T>>();
        while (at < stop)
        {
            if (stop - at < 8)
                throw r.Error(BpfFormatError.BtfExtTruncated, $"{what} section header is cut short ({stop - at} bytes left)", at);
            uint nameOff = r.U32(at), count = r.U32(at + 4);
            if (count == 0)
                throw r.Error(BpfFormatError.BtfExtNoRecords, $"{what} section header has num_info 0", at + 4);
            ulong total = (ulong)count * recSize;
            if (total > (ulong)(stop - at - 8))
                throw r.Error(BpfFormatError.BtfExtTruncatedRecord,
                    $"{what} section header says {count} records of {recSize} bytes, only {stop - at - 8} bytes left", at + 4);
            if (!btf.IsValidStringOffset(nameOff))
                throw r.Error(BpfFormatError.BtfExtBadSectionName, $"{what} section name offset {nameOff} is outside the .BTF strings", at);
            string name = btf.GetString(nameOff);
            if (name.Length == 0)
                throw r.Error(BpfFormatError.BtfExtBadSectionName, $"{what} section name at offset {nameOff} is empty", at);
            var records = new T[count];
            int rec = at + 8;
            for (int i = 0; i < records.Length; i++, rec += (int)recSize)
            {
                uint insnOff = r.U32(rec);
                if ((insnOff & 7) != 0)
                    throw r.Error(BpfFormatError.BtfExtBadInstructionOffset,
                        $"{what} record #{i} of section '{name}' has insn_off {insnOff}, not a multiple of 8", rec);
                records[i] = read(ref r, rec);
            }
            sections.Add(new BtfExtSection<T>(name, nameOff, at, (int)recSize, records));
            at = rec;
        }
        return sections.ToArray();
    }

    private ref struct Reader(ReadOnlySpan<byte> span, string? path)
    {
        private readonly ReadOnlySpan<byte> _span = span;
        public bool BigEndian;
        public readonly int Length => _span.Length;
        public readonly uint U32(int at) => BigEndian
            ? BinaryPrimitives.ReadUInt32BigEndian(_span.Slice(at, 4))
            : BinaryPrimitives.ReadUInt32LittleEndian(_span.Slice(at, 4));
        public readonly BpfFormatException Error(BpfFormatError code, string detail, long offset) =>
            new(code, BpfFormat.BtfExt, detail, SectionName, offset, path);
    }
}
