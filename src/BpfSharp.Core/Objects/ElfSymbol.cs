namespace BpfSharp.Objects;

/// <summary>Symbol binding (<c>ELF64_ST_BIND</c>).</summary>
public enum ElfSymbolBinding : byte
{
    /// <summary><c>STB_LOCAL</c>.</summary>
    Local = 0,
    /// <summary><c>STB_GLOBAL</c>.</summary>
    Global = 1,
    /// <summary><c>STB_WEAK</c>.</summary>
    Weak = 2,
}

/// <summary>Symbol type (<c>ELF64_ST_TYPE</c>).</summary>
public enum ElfSymbolType : byte
{
    /// <summary><c>STT_NOTYPE</c> (also externs and map definitions in <c>.maps</c>).</summary>
    NoType = 0,
    /// <summary><c>STT_OBJECT</c>: a variable or map.</summary>
    Object = 1,
    /// <summary><c>STT_FUNC</c>: a program or subprogram.</summary>
    Func = 2,
    /// <summary><c>STT_SECTION</c>.</summary>
    Section = 3,
    /// <summary><c>STT_FILE</c>.</summary>
    File = 4,
}

/// <summary>Symbol visibility (<c>ELF64_ST_VISIBILITY</c>).</summary>
public enum ElfSymbolVisibility : byte
{
    /// <summary><c>STV_DEFAULT</c>.</summary>
    Default = 0,
    /// <summary><c>STV_INTERNAL</c>.</summary>
    Internal = 1,
    /// <summary><c>STV_HIDDEN</c>.</summary>
    Hidden = 2,
    /// <summary><c>STV_PROTECTED</c>.</summary>
    Protected = 3,
}

/// <summary>One entry of the ELF symbol table.</summary>
/// <param name="Index">Index in the symbol table.</param>
/// <param name="Name">The name ("" if none).</param>
/// <param name="Value"><c>st_value</c>: for objects in relocatable files, the byte offset in the section.</param>
/// <param name="Size"><c>st_size</c>.</param>
/// <param name="Binding">Binding.</param>
/// <param name="Type">Type.</param>
/// <param name="Visibility">Visibility.</param>
/// <param name="SectionIndex"><c>st_shndx</c>: 0 = undefined (extern), 0xfff1 = absolute, 0xfff2 = common.</param>
public readonly record struct ElfSymbol(int Index, string Name, ulong Value, ulong Size, ElfSymbolBinding Binding,
    ElfSymbolType Type, ElfSymbolVisibility Visibility, int SectionIndex)
{
    /// <summary><c>SHN_UNDEF</c>.</summary>
    public const int UndefinedSection = 0;
    /// <summary><c>SHN_ABS</c>.</summary>
    public const int AbsoluteSection = 0xfff1;
    /// <summary>True if the symbol is not defined in this object (an extern).</summary>
    public bool IsUndefined => SectionIndex == UndefinedSection;
}
