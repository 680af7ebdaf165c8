namespace BpfSharp.Btf.Formatting;

/// <summary>What <see cref="BtfCSharpFormatter"/> writes: the namespace and which kernel types.</summary>
public sealed class CSharpBindingsOptions
{
    /// <summary>The default namespace of the generated types.</summary>
    public const string DefaultNamespace = "Vmlinux";

    /// <summary>The namespace of the generated types (a dotted C# name); <see cref="DefaultNamespace"/> by default.</summary>
    public string Namespace { get; init; } = DefaultNamespace;

    /// <summary>
    /// BTF names of the root types (struct, union, enum, or a typedef naming one); every type they reference is
    /// written too. Null or empty: every struct, union and enum of the BTF (for split BTF: of the module, plus the
    /// base types those reference).
    /// </summary>
    public IReadOnlyList<string>? TypeNames { get; init; }

    /// <summary>
    /// When true, types that are reached only through pointers are written as empty declarations (like C forward
    /// declarations: pointers to them stay typed, their fields are omitted) instead of being followed. Default false:
    /// the closure follows pointers too.
    /// </summary>
    public bool Shallow { get; init; }

    /// <summary>
    /// When true, types are written with their exact C layout for user-space code (map keys and values, global
    /// data): <c>[StructLayout(LayoutKind.Explicit, Size = N)]</c> with a <c>[FieldOffset]</c> on every field,
    /// pointers as <c>ulong</c> (not followed), bitfields as their storage unit, no <c>[Relocatable]</c> and no
    /// BpfSharp attributes. Default false: <c>[Relocatable]</c> bindings for BPF programs written in C#.
    /// </summary>
    public bool FixedLayout { get; init; }
}
