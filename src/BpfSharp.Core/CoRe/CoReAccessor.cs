namespace BpfSharp.CoRe;

/// <summary>
/// One high-level accessor of a <see cref="CoReSpec"/> (<c>struct bpf_core_accessor</c>): a named member of a
/// struct/union (<see cref="TypeId"/> is the composite), an array element or the root (<see cref="TypeId"/> is the
/// element type, no name), or for enum-value relocations the enumerator.
/// </summary>
/// <param name="TypeId">Composite type for a member; (typedef-stripped) element type for an array index or root.</param>
/// <param name="Index">Member index, array index, or enumerator index.</param>
/// <param name="NameOffset">Offset of the name in the spec's BTF strings (valid only if <paramref name="HasName"/>).</param>
/// <param name="HasName">True for member and enumerator accessors; false for array/root accessors.</param>
public readonly record struct CoReAccessor(int TypeId, int Index, uint NameOffset, bool HasName);
