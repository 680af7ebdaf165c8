namespace BpfSharp.Kernel;

/// <summary>
/// Marks a one-element fixed buffer (<c>fixed byte data[1]</c>) or inline array as a C flexible array member
/// (<c>data[]</c>): BTF gets an array of length 0, and indexing it is not bounds-checked.
/// </summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
public sealed class FlexibleArrayAttribute : Attribute
{
}
