namespace BpfSharp.Kernel;

/// <summary>
/// Marks a struct, union (a struct with <see cref="System.Runtime.InteropServices.LayoutKind.Explicit"/> layout)
/// or enum whose layout belongs to the kernel the program runs on, not to this program: every field access
/// through a pointer to it becomes a CO-RE relocation (clang's <c>preserve_access_index</c>). Such types have no
/// size or offsets at compile time, so <c>sizeof</c>, by-value copies and locals of them are compile errors.
/// </summary>
/// <param name="name">The BTF name of the type, e.g. <c>task_struct</c>; by default the C# name. A
/// <c>___flavor</c> suffix (<c>task_struct___v2</c>) names an alternative layout of the same kernel type.</param>
[AttributeUsage(AttributeTargets.Struct | AttributeTargets.Enum, Inherited = false)]
public sealed class RelocatableAttribute(string? name = null) : Attribute
{
    /// <summary>The BTF name, or null to use the C# type name.</summary>
    public string? Name { get; } = name;
}
