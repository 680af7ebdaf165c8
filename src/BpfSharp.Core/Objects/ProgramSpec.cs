using BpfSharp.Instructions;

namespace BpfSharp.Objects;

/// <summary>
/// A function in an executable section of a BPF object: an entry program (a global function in a program section)
/// or a subprogram (any function in <c>.text</c>). Instruction positions are relative to the ELF section,
/// as in <c>.BTF.ext</c> and relocations.
/// </summary>
public sealed class ProgramSpec
{
    private readonly ObjectSpec _object;

    internal ProgramSpec(ObjectSpec obj, string name, ElfSection section, ElfSymbol symbol, int instructionOffset, int instructionCount, bool isSubprogram)
    {
        _object = obj;
        Name = name;
        Section = section;
        Symbol = symbol;
        InstructionOffset = instructionOffset;
        InstructionCount = instructionCount;
        IsSubprogram = isSubprogram;
    }

    /// <summary>The function name (the symbol name).</summary>
    public string Name { get; }
    /// <summary>The ELF section holding the code; its name encodes the program type for entry programs (<c>SEC("kprobe/...")</c>).</summary>
    public ElfSection Section { get; }
    /// <summary>The section name.</summary>
    public string SectionName => Section.Name;
    /// <summary>
    /// What the section name means to libbpf (program type, expected attach type), or null for subprograms and
    /// unknown names.
    /// </summary>
    public ProgramSectionDefinition? Definition => IsSubprogram ? null : ProgramSectionDefinition.Find(SectionName);
    /// <summary>The function symbol.</summary>
    public ElfSymbol Symbol { get; }
    /// <summary>Index of the first instruction slot in the section.</summary>
    public int InstructionOffset { get; }
    /// <summary>Number of 8-byte instruction slots (a <c>ld_imm64</c> counts two).</summary>
    public int InstructionCount { get; }
    /// <summary>Size of the code in bytes.</summary>
    public int ByteSize => InstructionCount * 8;
    /// <summary>True for functions in <c>.text</c> (called by other functions, not loaded alone by libbpf).</summary>
    public bool IsSubprogram { get; }
    /// <summary>True if the symbol is static (<c>STB_LOCAL</c>) or hidden.</summary>
    public bool IsStatic => Symbol.Binding == ElfSymbolBinding.Local || Symbol.Visibility == ElfSymbolVisibility.Hidden;
    /// <summary>The instructions, decoded from the section.</summary>
    public ReadOnlyMemory<Instruction> Instructions => _object.GetInstructions(Section.Index).Slice(InstructionOffset, InstructionCount);
    /// <summary>True if section-relative instruction index <paramref name="sectionInstructionIndex"/> belongs to this function.</summary>
    public bool Contains(int sectionInstructionIndex) =>
        sectionInstructionIndex >= InstructionOffset && sectionInstructionIndex < InstructionOffset + InstructionCount;

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({SectionName}, insns {InstructionOffset}..{InstructionOffset + InstructionCount})";
}
