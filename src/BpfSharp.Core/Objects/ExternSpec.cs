namespace BpfSharp.Objects;

/// <summary>Where an extern is resolved.</summary>
public enum ExternKind
{
    /// <summary><c>__kconfig</c>: a Kconfig value (or LINUX_KERNEL_VERSION etc.) placed in the <c>.kconfig</c> map.</summary>
    Kconfig,
    /// <summary><c>__ksym</c>: a kernel variable or function (kfunc), resolved to a BTF id or address.</summary>
    Ksym,
}

/// <summary>An extern symbol (undefined in the object) described by the object's BTF.</summary>
/// <param name="Name">The symbol name.</param>
/// <param name="Kind">Kconfig or ksym (from the BTF DATASEC holding it).</param>
/// <param name="IsWeak">True for <c>__weak</c> externs (may stay unresolved).</param>
/// <param name="IsFunction">True for kfuncs (BTF FUNC).</param>
/// <param name="BtfTypeId">The BTF VAR or FUNC.</param>
/// <param name="Offset">For Kconfig: the offset in the <c>.kconfig</c> DATASEC; otherwise 0.</param>
/// <param name="Size">For Kconfig: the size; otherwise 0.</param>
/// <param name="SymbolIndex">The ELF symbol.</param>
public readonly record struct ExternSpec(string Name, ExternKind Kind, bool IsWeak, bool IsFunction, int BtfTypeId,
    ulong Offset, ulong Size, int SymbolIndex);
