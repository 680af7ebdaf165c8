namespace BpfSharp.Objects;

/// <summary>What an instruction's relocation refers to (libbpf's <c>enum reloc_type</c>).</summary>
public enum InstructionReferenceKind
{
    /// <summary><c>ld_imm64</c> of a map (<c>RELO_LD64</c>): the loader puts the map fd there.</summary>
    Map,
    /// <summary><c>ld_imm64</c> of an address in a global data section (<c>RELO_DATA</c>): map value + offset.</summary>
    GlobalData,
    /// <summary>A BPF-to-BPF call (<c>RELO_CALL</c>) to a function in <c>.text</c>.</summary>
    Call,
    /// <summary><c>ld_imm64</c> of a function address, e.g. a callback (<c>RELO_SUBPROG_ADDR</c>).</summary>
    SubprogramAddress,
    /// <summary><c>ld_imm64</c> of an extern variable (<c>RELO_EXTERN_LD64</c>): Kconfig data or ksym.</summary>
    ExternVariable,
    /// <summary>A call to an extern function: a kfunc (<c>RELO_EXTERN_CALL</c>).</summary>
    ExternCall,
    /// <summary>
    /// <c>ld_imm64</c> of an <c>__arena</c> global in <c>.addr_space.1</c> (libbpf's <c>RELO_DATA</c> against the arena
    /// map): the loader puts the arena map's fd and the offset there, the kernel the arena address.
    /// </summary>
    ArenaData,
}

/// <summary>A relocation of an executable section, resolved to what it refers to.</summary>
public sealed class InstructionReference
{
    internal InstructionReference(int sectionIndex, int instructionIndex, InstructionReferenceKind kind, ElfRelocation relocation,
        ElfSymbol symbol, string targetName)
    {
        SectionIndex = sectionIndex;
        InstructionIndex = instructionIndex;
        Kind = kind;
        Relocation = relocation;
        Symbol = symbol;
        TargetName = targetName;
    }

    /// <summary>The executable section of the instruction.</summary>
    public int SectionIndex { get; }
    /// <summary>The instruction index in the section (<c>r_offset / 8</c>).</summary>
    public int InstructionIndex { get; }
    /// <summary>What the relocation refers to.</summary>
    public InstructionReferenceKind Kind { get; }
    /// <summary>The ELF relocation.</summary>
    public ElfRelocation Relocation { get; }
    /// <summary>The relocation's symbol.</summary>
    public ElfSymbol Symbol { get; }
    /// <summary>The map, data section, function or extern name.</summary>
    public string TargetName { get; }
    /// <summary>For <see cref="InstructionReferenceKind.Map"/>: the map; for <see cref="InstructionReferenceKind.ArenaData"/>: the arena map.</summary>
    public MapSpec? Map { get; internal init; }
    /// <summary>For <see cref="InstructionReferenceKind.GlobalData"/>: the data section.</summary>
    public DataSectionSpec? Data { get; internal init; }
    /// <summary>For global and arena data: the byte offset in the section (symbol value + instruction immediate).</summary>
    public long DataOffset { get; internal init; }
    /// <summary>For calls and function addresses: the target instruction index in <c>.text</c>.</summary>
    public int TargetInstructionIndex { get; internal init; } = -1;
    /// <summary>For calls and function addresses: the target function, if a symbol covers it.</summary>
    public ProgramSpec? TargetFunction { get; internal init; }
    /// <summary>For externs: the extern.</summary>
    public ExternSpec? Extern { get; internal init; }

    /// <inheritdoc />
    public override string ToString() => $"insn #{InstructionIndex}: {Kind} {TargetName}";
}
