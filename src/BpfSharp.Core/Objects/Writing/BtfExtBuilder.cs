using System.Buffers.Binary;
using BpfSharp.Btf.Writing;
using BpfSharp.CoRe;

namespace BpfSharp.Objects.Writing;

/// <summary>
/// Builds a <c>.BTF.ext</c> section: func_info, line_info and CO-RE relocation records grouped per code section.
/// </summary>
/// <remarks>
/// <para>The header is version 1, flags 0, <c>hdr_len</c> 32; record sizes are the minimum ones (func_info 8,
/// line_info 16, core_relo 16). Subsections are laid out as LLVM does: func_info at offset 0, line_info after it,
/// core_relo after that. A subsection without records has length 0 (never a lone <c>rec_size</c>, which libbpf
/// rejects and then drops the whole section with only a warning).</para>
/// <para>Within a subsection the code sections appear in the order they were first given records, and each
/// section's records are sorted by instruction offset (stable, so records at one offset keep their order).</para>
/// <para>Instruction offsets are byte offsets from the start of the ELF section, not of the function.</para>
/// </remarks>
public sealed class BtfExtBuilder
{
    private const int HeaderLength = 32;
    private const uint MaxLine = (1u << 22) - 1;
    private const uint MaxColumn = (1u << 10) - 1;

    private readonly Subsection<BtfFuncInfo> _funcInfo = new(static r => r.InstructionByteOffset);
    private readonly Subsection<BtfLineInfo> _lineInfo = new(static r => r.InstructionByteOffset);
    private readonly Subsection<CoReRelocationRecord> _coreRelocations = new(static r => r.InstructionByteOffset);

    /// <summary>True if no record was added (an object then needs no <c>.BTF.ext</c> section).</summary>
    public bool IsEmpty => _funcInfo.Count == 0 && _lineInfo.Count == 0 && _coreRelocations.Count == 0;

    /// <summary>Number of func_info records added.</summary>
    public int FuncInfoCount => _funcInfo.Count;
    /// <summary>Number of line_info records added.</summary>
    public int LineInfoCount => _lineInfo.Count;
    /// <summary>Number of CO-RE relocation records added.</summary>
    public int CoReRelocationCount => _coreRelocations.Count;

    /// <summary>Adds a func_info record: the function starting at <paramref name="insnByteOffset"/> is BTF FUNC <paramref name="typeId"/>.</summary>
    /// <param name="section">The ELF section holding the function (e.g. <c>xdp</c>, <c>.text</c>).</param>
    /// <param name="insnByteOffset">Byte offset of the function's first instruction in the section (a multiple of 8).</param>
    /// <param name="typeId">The FUNC type id in the object's <c>.BTF</c>.</param>
    /// <exception cref="ArgumentException">The section name is empty or the offset is not a multiple of 8, or the type id is not positive.</exception>
    public void AddFuncInfo(string section, uint insnByteOffset, int typeId)
    {
        Check(section, insnByteOffset);
        if (typeId <= 0) throw new ArgumentException($"func_info in '{section}' at {insnByteOffset}: type id {typeId} is not a FUNC id", nameof(typeId));
        _funcInfo.Add(section, new BtfFuncInfo(insnByteOffset, typeId));
    }

    /// <summary>Adds a func_info record as read from another object (<see cref="BtfExt.FuncInfo"/>).</summary>
    /// <exception cref="ArgumentException">See <see cref="AddFuncInfo(string, uint, int)"/>.</exception>
    public void AddFuncInfo(string section, BtfFuncInfo record) => AddFuncInfo(section, record.InstructionByteOffset, record.TypeId);

    /// <summary>Adds a line_info record as read from another object (<see cref="BtfExt.LineInfo"/>); <c>line_col</c> is kept as is.</summary>
    /// <exception cref="ArgumentException">The section name is empty or the offset is not a multiple of 8.</exception>
    public void AddLineInfo(string section, BtfLineInfo record)
    {
        Check(section, record.InstructionByteOffset);
        _lineInfo.Add(section, record);
    }

    /// <summary>Adds a CO-RE relocation record as read from another object (<see cref="BtfExt.CoReRelocations"/>).</summary>
    /// <exception cref="ArgumentException">See <see cref="AddCoReRelocation(string, uint, int, uint, CoReRelocationKind)"/>.</exception>
    public void AddCoReRelocation(string section, CoReRelocationRecord record) =>
        AddCoReRelocation(section, record.InstructionByteOffset, record.TypeId, record.AccessStringOffset, record.Kind);

    /// <summary>Adds a line_info record.</summary>
    /// <param name="section">The ELF section holding the instruction.</param>
    /// <param name="insnByteOffset">Byte offset of the instruction in the section (a multiple of 8).</param>
    /// <param name="fileNameOffset">Offset of the source file name in the <c>.BTF</c> strings.</param>
    /// <param name="lineOffset">Offset of the source line text in the <c>.BTF</c> strings (0: none).</param>
    /// <param name="line">The 1-based line number (at most 2²²−1).</param>
    /// <param name="column">The column (at most 1023).</param>
    /// <exception cref="ArgumentException">The section name is empty, the offset is not a multiple of 8, or the line or column is out of range.</exception>
    public void AddLineInfo(string section, uint insnByteOffset, uint fileNameOffset, uint lineOffset, int line, int column)
    {
        Check(section, insnByteOffset);
        if ((uint)line > MaxLine)
            throw new ArgumentOutOfRangeException(nameof(line), line, $"line_info in '{section}' at {insnByteOffset}: line must be 0..{MaxLine}");
        if ((uint)column > MaxColumn)
            throw new ArgumentOutOfRangeException(nameof(column), column, $"line_info in '{section}' at {insnByteOffset}: column must be 0..{MaxColumn}");
        _lineInfo.Add(section, new BtfLineInfo(insnByteOffset, fileNameOffset, lineOffset, ((uint)line << 10) | (uint)column));
    }

    /// <summary>Adds a CO-RE relocation record.</summary>
    /// <param name="section">The ELF section holding the instruction.</param>
    /// <param name="insnByteOffset">Byte offset of the relocated instruction in the section (a multiple of 8).</param>
    /// <param name="typeId">The root type id in the object's <c>.BTF</c>.</param>
    /// <param name="accessStringOffset">Offset of the access string (e.g. <c>"0:1:2"</c>) in the <c>.BTF</c> strings.</param>
    /// <param name="kind">The relocation kind.</param>
    /// <exception cref="ArgumentException">The section name is empty, the offset is not a multiple of 8, the type id is
    /// negative or the kind is not defined.</exception>
    public void AddCoReRelocation(string section, uint insnByteOffset, int typeId, uint accessStringOffset, CoReRelocationKind kind)
    {
        Check(section, insnByteOffset);
        if (typeId < 0) throw new ArgumentException($"CO-RE relocation in '{section}' at {insnByteOffset}: type id {typeId} is negative", nameof(typeId));
        if (!Enum.IsDefined(kind)) throw new ArgumentException($"CO-RE relocation in '{section}' at {insnByteOffset}: kind {(uint)kind} is not defined", nameof(kind));
        _coreRelocations.Add(section, new CoReRelocationRecord(insnByteOffset, typeId, accessStringOffset, kind));
    }

    /// <summary>
    /// Writes the section. The section names are added to <paramref name="btf"/>'s strings, so call this before
    /// writing the <c>.BTF</c> itself.
    /// </summary>
    /// <param name="btf">The object's BTF (receives the section names).</param>
    /// <param name="bigEndian">Write big-endian (must match the <c>.BTF</c> and the object).</param>
    public byte[] ToArray(BtfBuilder btf, bool bigEndian = false)
    {
        ArgumentNullException.ThrowIfNull(btf);
        int funcLen = _funcInfo.ByteLength(8), lineLen = _lineInfo.ByteLength(16), coreLen = _coreRelocations.ByteLength(16);
        var output = new byte[HeaderLength + funcLen + lineLen + coreLen];
        var w = new Writer(output, bigEndian);
        // The magic is written in the section's byte order, like every other field.
        w.U16(0, 0xEB9F);
        output[2] = 1;
        output[3] = 0;
        w.U32(4, HeaderLength);
        w.U32(8, 0);
        w.U32(12, (uint)funcLen);
        w.U32(16, (uint)funcLen);
        w.U32(20, (uint)lineLen);
        w.U32(24, (uint)(funcLen + lineLen));
        w.U32(28, (uint)coreLen);

        int at = HeaderLength;
        at = _funcInfo.Write(ref w, at, 8, btf, static (ref Writer w, int at, in BtfFuncInfo r) =>
        {
            w.U32(at, r.InstructionByteOffset);
            w.U32(at + 4, (uint)r.TypeId);
        });
        at = _lineInfo.Write(ref w, at, 16, btf, static (ref Writer w, int at, in BtfLineInfo r) =>
        {
            w.U32(at, r.InstructionByteOffset);
            w.U32(at + 4, r.FileNameOffset);
            w.U32(at + 8, r.LineOffset);
            w.U32(at + 12, r.LineColumn);
        });
        _coreRelocations.Write(ref w, at, 16, btf, static (ref Writer w, int at, in CoReRelocationRecord r) =>
        {
            w.U32(at, r.InstructionByteOffset);
            w.U32(at + 4, (uint)r.TypeId);
            w.U32(at + 8, r.AccessStringOffset);
            w.U32(at + 12, (uint)r.Kind);
        });
        return output;
    }

    private static void Check(string section, uint insnByteOffset)
    {
        ArgumentNullException.ThrowIfNull(section);
        if (section.Length == 0) throw new ArgumentException("the section name is empty", nameof(section));
        if ((insnByteOffset & 7) != 0)
            throw new ArgumentException($"record in '{section}': instruction byte offset {insnByteOffset} is not a multiple of 8", nameof(insnByteOffset));
    }

    private ref struct Writer(Span<byte> span, bool bigEndian)
    {
        private readonly Span<byte> _span = span;
        private readonly bool _bigEndian = bigEndian;

        public readonly void U16(int at, ushort v)
        {
            if (_bigEndian) BinaryPrimitives.WriteUInt16BigEndian(_span[at..], v);
            else BinaryPrimitives.WriteUInt16LittleEndian(_span[at..], v);
        }

        public readonly void U32(int at, uint v)
        {
            if (_bigEndian) BinaryPrimitives.WriteUInt32BigEndian(_span[at..], v);
            else BinaryPrimitives.WriteUInt32LittleEndian(_span[at..], v);
        }
    }

    private delegate void RecordWriter<T>(ref Writer writer, int at, in T record);

    private sealed class Subsection<T>(Func<T, uint> instructionOffset) where T : struct
    {
        private readonly List<(string Name, List<T> Records)> _sections = [];
        private readonly Dictionary<string, List<T>> _byName = new(StringComparer.Ordinal);

        public int Count { get; private set; }

        public void Add(string section, T record)
        {
            if (!_byName.TryGetValue(section, out var list))
            {
                list = [];
                _byName.Add(section, list);
                _sections.Add((section, list));
            }
            list.Add(record);
            Count++;
        }

        // rec_size, then per section an 8-byte header and the records; nothing at all when empty.
        public int ByteLength(int recordSize) => Count == 0 ? 0 : 4 + _sections.Count * 8 + Count * recordSize;

        public int Write(ref Writer w, int at, int recordSize, BtfBuilder btf, RecordWriter<T> write)
        {
            if (Count == 0) return at;
            w.U32(at, (uint)recordSize);
            at += 4;
            foreach (var (name, records) in _sections)
            {
                // OrderBy is a stable sort (List.Sort is not): records at one offset keep the order they were added in.
                var sorted = records.OrderBy(instructionOffset);
                w.U32(at, btf.AddString(name));
                w.U32(at + 4, (uint)records.Count);
                at += 8;
                foreach (var record in sorted)
                {
                    write(ref w, at, record);
                    at += recordSize;
                }
            }
            return at;
        }
    }
}
