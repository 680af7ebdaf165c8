namespace BpfSharp.Objects;

/// <summary>
/// One <c>struct bpf_func_info</c> record from <c>.BTF.ext</c>: which BTF FUNC describes the function that starts at
/// an instruction.
/// </summary>
/// <param name="InstructionByteOffset"><c>insn_off</c>: byte offset from the start of the ELF section.</param>
/// <param name="TypeId"><c>type_id</c>: the FUNC type in the object's <c>.BTF</c>.</param>
public readonly record struct BtfFuncInfo(uint InstructionByteOffset, int TypeId)
{
    /// <summary>The instruction index in the ELF section (<see cref="InstructionByteOffset"/> / 8).</summary>
    public int InstructionIndex => (int)(InstructionByteOffset / 8);
}

/// <summary>One <c>struct bpf_line_info</c> record from <c>.BTF.ext</c>: the source line of an instruction.</summary>
/// <param name="InstructionByteOffset"><c>insn_off</c>: byte offset from the start of the ELF section.</param>
/// <param name="FileNameOffset"><c>file_name_off</c>: offset of the file name in <c>.BTF</c> strings.</param>
/// <param name="LineOffset"><c>line_off</c>: offset of the source line text in <c>.BTF</c> strings.</param>
/// <param name="LineColumn"><c>line_col</c>: line number in the upper 22 bits, column in the lower 10.</param>
public readonly record struct BtfLineInfo(uint InstructionByteOffset, uint FileNameOffset, uint LineOffset, uint LineColumn)
{
    /// <summary>The instruction index in the ELF section (<see cref="InstructionByteOffset"/> / 8).</summary>
    public int InstructionIndex => (int)(InstructionByteOffset / 8);
    /// <summary>The 1-based source line (<c>line_col &gt;&gt; 10</c>).</summary>
    public uint Line => LineColumn >> 10;
    /// <summary>The source column (<c>line_col &amp; 0x3ff</c>).</summary>
    public uint Column => LineColumn & 0x3ff;
}

/// <summary>
/// The records one <c>.BTF.ext</c> subsection holds for one ELF section (a <c>struct btf_ext_info_sec</c> and the
/// records after it), in file order.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class BtfExtSection<T> where T : struct
{
    private readonly T[] _records;

    internal BtfExtSection(string name, uint nameOffset, int headerOffset, int recordSize, T[] records)
    {
        Name = name;
        NameOffset = nameOffset;
        HeaderOffset = headerOffset;
        RecordSize = recordSize;
        _records = records;
    }

    /// <summary>The ELF section the records are about (e.g. <c>kprobe/do_sys_open</c>, <c>.text</c>).</summary>
    public string Name { get; }
    /// <summary><c>sec_name_off</c>: where <see cref="Name"/> is in the <c>.BTF</c> strings.</summary>
    public uint NameOffset { get; }
    /// <summary>Byte offset of the <c>btf_ext_info_sec</c> header inside <c>.BTF.ext</c>.</summary>
    public int HeaderOffset { get; }
    /// <summary>The subsection's record size (<c>rec_size</c>); may exceed the size of <typeparamref name="T"/>.</summary>
    public int RecordSize { get; }
    /// <summary>The records, in file order (libbpf numbers CO-RE relocations by this index: <c>relo #N</c>).</summary>
    public ReadOnlySpan<T> Records => _records;
    /// <summary>Number of records.</summary>
    public int Count => _records.Length;
    /// <summary>Record <paramref name="index"/>.</summary>
    public T this[int index] => _records[index];
    /// <summary>Byte offset of record <paramref name="index"/> inside <c>.BTF.ext</c> (for messages).</summary>
    public int GetRecordOffset(int index) => HeaderOffset + 8 + index * RecordSize;

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Count} records";
}
