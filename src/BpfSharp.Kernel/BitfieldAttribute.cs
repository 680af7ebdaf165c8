namespace BpfSharp.Kernel;

/// <summary>
/// Declares a field of a <see cref="RelocatableAttribute">relocatable</see> type as a C bitfield of
/// <paramref name="bits"/> bits; the field's C# type is the bitfield's declared integer type. Read it with
/// <c>Core.ReadBitfield</c>: its position is relocated like any other field.
/// </summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
public sealed class BitfieldAttribute(int bits) : Attribute
{
    /// <summary>The width in bits (1–64).</summary>
    public int Bits { get; } = bits;
}
