using System.Reflection;
using System.Reflection.Metadata;

namespace BpfSharp.Compiler.Frontend;


/// <summary>C layout of value types, as clang would lay out the equivalent C struct.</summary>
internal static class TypeLayout
{
    private const int MaxDepth = 32;

    /// <summary>Size and alignment of any value type; computes struct layouts on first use.</summary>
    public static (int Size, int Alignment) SizeAndAlignment(TypeSystem ts, CType type, int depth = 0)
    {
        switch (type.Kind)
        {
            case CTypeKind.Struct:
                EnsureLayout(ts, type, depth);
                return (type.Size, type.Alignment);
            case CTypeKind.Enum:
                return SizeAndAlignment(ts, type.Element!, depth);
            case CTypeKind.Void:
                return (1, 1);
            case CTypeKind.GenericParameter or CTypeKind.Class or CTypeKind.String or CTypeKind.Object or CTypeKind.Array:
                throw new CompileErrorException(DiagnosticIds.UnsupportedType, $"type '{type.Name}' has no BPF layout");
            default:
                var s = type.ScalarSize;
                return (s, s);
        }
    }

    /// <summary>System.Span`1 or System.ReadOnlySpan`1.</summary>
    public static bool IsSpanName(string name) => name is "System.Span`1" or "System.ReadOnlySpan`1";

    /// <summary>A Span&lt;T&gt; or ReadOnlySpan&lt;T&gt; with its element type: in BPF a (T* pointer, int length) pair.</summary>
    public static bool IsSpan(CType type) =>
        type.Kind == CTypeKind.Struct && type.Module is null && IsSpanName(type.Name) && type.TypeArguments.Length == 1;

    /// <summary>Byte offsets of a span's members: the pointer, then the 32-bit length (16 bytes, 8-aligned).</summary>
    public const int SpanPointerOffset = 0, SpanLengthOffset = 8;

    /// <summary>System.Int128 or System.UInt128: a 128-bit integer, described in BTF as C's __int128.</summary>
    public static bool IsInt128(CType type) => type.Module is null && type.Name is "System.Int128" or "System.UInt128";

    /// <summary>Why a value type from outside the readable assemblies has no layout, with what to write instead for
    /// the .NET types BPF-side code reaches for most.</summary>
    private static string MissingLayoutMessage(string name)
    {
        if (name.StartsWith("System.Span`", StringComparison.Ordinal) || name.StartsWith("System.ReadOnlySpan`", StringComparison.Ordinal))
        {
            return $"'{name}' without a known element type: BPF programs use Span<T>/ReadOnlySpan<T> of an unmanaged T as locals and parameters";
        }

        if (name.StartsWith("System.", StringComparison.Ordinal) || name.StartsWith("<PrivateImplementationDetails>", StringComparison.Ordinal))
        {
            return $"'{name}' is a .NET library type with no BPF layout: BPF programs can use only their own and BpfSharp.Kernel's unmanaged types";
        }

        return $"value type '{name}' is not defined in a readable assembly (add its directory with -r / ReferenceDirectories)";
    }

    public static void EnsureLayout(TypeSystem ts, CType type, int depth = 0)
    {
        if (type.LayoutDone)
        {
            return;
        }

        if (IsInt128(type))
        {
            // C's __int128 (gen csharp writes System.Int128/UInt128): 16 bytes, 16-aligned as the x86-64 ABI says.
            type.Size = 16;
            type.Alignment = 16;
            type.LayoutDone = true;
            return;
        }

        if (IsSpan(type))
        {
            // As .NET lays a span out (a reference, then an int), with the reference a BPF pointer.
            type.Fields.Add(new CField("_reference", ts.GetPointerType(type.TypeArguments[0]), SpanPointerOffset) { BtfName = "_reference" });
            type.Fields.Add(new CField("_length", ts.Primitive(CTypeKind.Int32), SpanLengthOffset) { BtfName = "_length", MemberIndex = 1 });
            type.Size = 16;
            type.Alignment = 8;
            type.LayoutDone = true;
            return;
        }

        if (type.Module is null)
        {
            throw new CompileErrorException(DiagnosticIds.UnsupportedType, MissingLayoutMessage(type.Name));
        }

        if (type.LayoutInProgress || depth > MaxDepth)
        {
            throw new CompileErrorException(DiagnosticIds.UnsupportedType, $"type '{type.Name}' contains itself by value");
        }

        type.LayoutInProgress = true;
        var reader = type.Module.Reader;
        var def = reader.GetTypeDefinition(type.Handle);
        var context = new GenericContext(type.TypeArguments, []);

        foreach (var a in ts.FindAttributes(type.Module, def.GetCustomAttributes(), "RelocatableAttribute"))
        {
            type.IsRelocatable = true;
            type.BtfName ??= a.FixedArguments.Length > 0 ? a.FixedArguments[0].Value as string : null;
        }

        foreach (var a in ts.FindAttributes(type.Module, def.GetCustomAttributes(), "BtfNameAttribute"))
        {
            type.BtfName = a.FixedArguments[0].Value as string;
        }

        if (ts.FindAttributes(type.Module, def.GetCustomAttributes(), "AnonymousAttribute").Any())
        {
            type.BtfName = "";
        }

        foreach (var a in ts.FindAttributes(type.Module, def.GetCustomAttributes(), "InlineArrayAttribute"))
        {
            type.InlineArrayLength = a.FixedArguments[0].Value is int n ? n : 0;
        }

        var explicitLayout = (def.Attributes & TypeAttributes.LayoutMask) == TypeAttributes.ExplicitLayout;
        var layout = def.GetLayout();
        var pack = layout.PackingSize == 0 ? 8 : layout.PackingSize;
        var offset = 0;
        var maxAlign = 1;
        var allZero = true;
        foreach (var fh in def.GetFields())
        {
            var f = reader.GetFieldDefinition(fh);
            if ((f.Attributes & FieldAttributes.Static) != 0)
            {
                continue;
            }

            var name = reader.GetString(f.Name);
            var fieldType = f.DecodeSignature(ts, context);
            var field = new CField(name, fieldType, 0) { BtfName = name, MemberIndex = type.Fields.Count };
            int size, align;
            var fixedBuffer = ts.FindAttributes(type.Module, f.GetCustomAttributes(), "FixedBufferAttribute").Any();
            if (fixedBuffer && fieldType.Kind == CTypeKind.Struct && fieldType.Module is not null)
            {
                // C# fixed buffers are a nested struct holding FixedElementField, sized by its ClassLayout.
                var nested = fieldType.Module.Reader.GetTypeDefinition(fieldType.Handle);
                var element = nested.GetFields().Select(h => fieldType.Module.Reader.GetFieldDefinition(h))
                    .First(x => (x.Attributes & FieldAttributes.Static) == 0).DecodeSignature(ts, GenericContext.Empty);
                var (es, ea) = SizeAndAlignment(ts, element, depth + 1);
                field.FixedElement = element;
                field.FixedLength = nested.GetLayout().Size / es;
                size = nested.GetLayout().Size;
                align = ea;
            }
            else
            {
                (size, align) = SizeAndAlignment(ts, fieldType, depth + 1);
            }

            foreach (var a in ts.FindAttributes(type.Module, f.GetCustomAttributes(), "BtfNameAttribute"))
            {
                field.BtfName = a.FixedArguments[0].Value as string ?? name;
            }

            if (ts.FindAttributes(type.Module, f.GetCustomAttributes(), "AnonymousAttribute").Any())
            {
                field.BtfName = "";
            }

            foreach (var a in ts.FindAttributes(type.Module, f.GetCustomAttributes(), "BitfieldAttribute"))
            {
                field.BitfieldBits = a.FixedArguments[0].Value is int b ? b : 0;
            }

            field.IsFlexible = ts.FindAttributes(type.Module, f.GetCustomAttributes(), "FlexibleArrayAttribute").Any();
            align = Math.Min(align, pack);
            if (explicitLayout)
            {
                field.Offset = f.GetOffset();
                allZero &= field.Offset == 0;
                offset = Math.Max(offset, field.Offset + size);
            }
            else
            {
                offset = (offset + align - 1) / align * align;
                field.Offset = offset;
                offset += size;
            }

            maxAlign = Math.Max(maxAlign, align);
            type.Fields.Add(field);
        }

        if (type.InlineArrayLength > 0 && type.Fields.Count == 1)
        {
            offset = type.Fields[0].Offset + SizeAndAlignment(ts, type.Fields[0].Type, depth + 1).Size * type.InlineArrayLength;
        }

        type.IsUnion = explicitLayout && allZero && type.Fields.Count > 1;
        var total = Math.Max((offset + maxAlign - 1) / maxAlign * maxAlign, layout.Size);
        type.Size = type.Fields.Count == 0 && layout.Size == 0 ? (type.IsRelocatable ? 0 : 1) : total;
        type.Alignment = maxAlign;
        type.LayoutDone = true;
        type.LayoutInProgress = false;
    }

    /// <summary>Lays out a struct; true if it is [Relocatable].</summary>
    public static bool EnsureLayoutAndCheck(TypeSystem ts, CType type)
    {
        EnsureLayout(ts, type);
        return type.IsRelocatable;
    }

    public static CField? FindField(TypeSystem ts, CType type, string name)
    {
        EnsureLayout(ts, type);
        foreach (var f in type.Fields)
        {
            if (f.Name == name)
            {
                return f;
            }
        }

        return null;
    }
}
