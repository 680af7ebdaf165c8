using System.Reflection.Metadata;

namespace BpfSharp.Compiler.Frontend;

/// <summary>The kinds of .NET types the compiler distinguishes.</summary>
internal enum CTypeKind
{
    Void, Bool, Char, SByte, Byte, Int16, UInt16, Int32, UInt32, Int64, UInt64, IntPtr, UIntPtr, Single, Double,
    Pointer, ByRef, Struct, Enum, Class, String, Object, FunctionPointer, GenericParameter, Array,
}

/// <summary>
/// A .NET type as the compiler sees it: primitives, pointers, refs, value types with a computed C layout, enums,
/// and reference types (only maps are usable). Interned by <see cref="TypeSystem"/>, so reference equality works.
/// </summary>
internal sealed class CType
{
    public CType(CTypeKind kind, string name, CType? element = null)
    {
        Kind = kind;
        Name = name;
        Element = element;
    }

    public CTypeKind Kind { get; }

    /// <summary>The C# name, for messages and BTF names.</summary>
    public string Name { get; }

    /// <summary>Pointee of a pointer/ref, element of an array, underlying type of an enum.</summary>
    public CType? Element { get; internal set; }

    /// <summary>The definition of a struct, enum or class.</summary>
    public LoadedModule? Module { get; internal set; }
    public TypeDefinitionHandle Handle { get; internal set; }
    public CType[] TypeArguments { get; internal set; } = [];

    /// <summary>Layout, filled by <see cref="TypeLayout.EnsureLayout"/> for structs.</summary>
    internal bool LayoutDone;
    internal bool LayoutInProgress;
    public int Size { get; internal set; }
    public int Alignment { get; internal set; } = 1;
    public List<CField> Fields { get; } = [];
    public bool IsUnion { get; internal set; }

    /// <summary>[Relocatable]: layout decided by the running kernel (CO-RE).</summary>
    public bool IsRelocatable { get; internal set; }

    /// <summary>The BTF name ([Relocatable("x")] / [BtfName("x")]), or null for the C# name; "" for anonymous.</summary>
    public string? BtfName { get; internal set; }

    /// <summary>For an [InlineArray(n)] struct: n (the element is the single field's type).</summary>
    public int InlineArrayLength { get; internal set; }

    /// <summary>For an enum: (name, value) pairs.</summary>
    public List<(string Name, long Value)> EnumValues { get; } = [];

    public bool IsPrimitiveInteger => Kind is CTypeKind.Bool or CTypeKind.Char or CTypeKind.SByte or CTypeKind.Byte
        or CTypeKind.Int16 or CTypeKind.UInt16 or CTypeKind.Int32 or CTypeKind.UInt32 or CTypeKind.Int64
        or CTypeKind.UInt64 or CTypeKind.IntPtr or CTypeKind.UIntPtr;

    public bool IsPointerLike => Kind is CTypeKind.Pointer or CTypeKind.ByRef or CTypeKind.IntPtr
        or CTypeKind.UIntPtr or CTypeKind.FunctionPointer;

    public bool IsValueType => Kind is not (CTypeKind.Class or CTypeKind.String or CTypeKind.Object or CTypeKind.Array);

    /// <summary>True for integer types that sign-extend (C# signed types).</summary>
    public bool IsSigned => Kind is CTypeKind.SByte or CTypeKind.Int16 or CTypeKind.Int32 or CTypeKind.Int64
        or CTypeKind.IntPtr || (Kind == CTypeKind.Enum && Element!.IsSigned);

    /// <summary>Size in bytes of scalars (pointers are 8); structs after layout.</summary>
    public int ScalarSize => Kind switch
    {
        CTypeKind.Bool or CTypeKind.SByte or CTypeKind.Byte => 1,
        CTypeKind.Char or CTypeKind.Int16 or CTypeKind.UInt16 => 2,
        CTypeKind.Int32 or CTypeKind.UInt32 or CTypeKind.Single => 4,
        CTypeKind.Enum => Element!.ScalarSize,
        CTypeKind.Struct => Size,
        _ => 8,
    };

    public override string ToString() => Name;
}

/// <summary>An instance field of a struct with its computed offset.</summary>
internal sealed class CField
{
    public CField(string name, CType type, int offset)
    {
        Name = name;
        Type = type;
        Offset = offset;
    }

    public string Name { get; }
    public CType Type { get; }
    public int Offset { get; internal set; }

    /// <summary>The name in BTF: [BtfName], "" for [Anonymous] members, else <see cref="Name"/>.</summary>
    public string BtfName { get; internal set; } = "";

    /// <summary>For a C# fixed buffer: its element type and length.</summary>
    public CType? FixedElement { get; internal set; }
    public int FixedLength { get; internal set; }

    /// <summary>[Bitfield(n)]: the width; 0 otherwise.</summary>
    public int BitfieldBits { get; internal set; }

    /// <summary>[FlexibleArray]: BTF array of length 0.</summary>
    public bool IsFlexible { get; internal set; }

    /// <summary>Index among the BTF members of the declaring type (CO-RE access strings).</summary>
    public int MemberIndex { get; internal set; }

    public override string ToString() => Name;
}
