using BpfSharp.Btf;
using BpfSharp.Btf.Writing;
using BpfSharp.Compiler.Frontend;

namespace BpfSharp.Compiler.Output;

/// <summary>Describes C# types in BTF with C names (<c>int</c>, <c>unsigned int</c>, <c>long long</c>, …).</summary>
internal sealed class BtfTypeMapper(BtfBuilder btf, TypeSystem types)
{
    private readonly Dictionary<CType, int> _ids = [];
    private readonly Dictionary<(int Element, uint Length), int> _arrays = [];
    private readonly Dictionary<int, int> _pointers = [];
    private int _arrayIndexType;

    public BtfBuilder Builder { get; } = btf;

    public int ArrayIndexType => _arrayIndexType != 0 ? _arrayIndexType : _arrayIndexType = Builder.AddInt("__ARRAY_SIZE_TYPE__", 4);

    public int IntType => Get(types.Primitive(CTypeKind.Int32));

    /// <summary>Pointers whose struct target is described after the outermost type: chains of pointers through
    /// complete kernel bindings (gen csharp's full closure) are far deeper than any by-value nesting.</summary>
    private readonly Queue<(int PointerId, CType Target)> _deferredPointers = new();

    /// <summary>Pointer depth after which a pointer's struct target is deferred (by-value nesting keeps its limit).</summary>
    private const int DeferPointerTargetsAt = 16;

    public int Get(CType type, int depth = 0)
    {
        if (depth > 0)
        {
            return GetCore(type, depth);
        }

        var id = GetCore(type, 0);
        while (_deferredPointers.TryDequeue(out var pending))
        {
            Builder.SetReferencedType(pending.PointerId, GetCore(pending.Target, 0));
        }

        return id;
    }

    private int GetCore(CType type, int depth)
    {
        if (type.Kind == CTypeKind.Void)
        {
            return 0;
        }

        if (_ids.TryGetValue(type, out var id))
        {
            return id;
        }

        if (depth > 64)
        {
            throw new CompileErrorException(DiagnosticIds.UnsupportedType, $"type '{type.Name}' nests too deeply for BTF");
        }

        switch (type.Kind)
        {
            case CTypeKind.Bool: return Int(type, "_Bool", 1, BtfIntEncoding.Bool);
            case CTypeKind.Char: return Int(type, "unsigned short", 2, BtfIntEncoding.None);
            case CTypeKind.SByte: return Int(type, "signed char", 1, BtfIntEncoding.Signed);
            case CTypeKind.Byte: return Int(type, "unsigned char", 1, BtfIntEncoding.None);
            case CTypeKind.Int16: return Int(type, "short", 2, BtfIntEncoding.Signed);
            case CTypeKind.UInt16: return Int(type, "unsigned short", 2, BtfIntEncoding.None);
            case CTypeKind.Int32: return Int(type, "int", 4, BtfIntEncoding.Signed);
            case CTypeKind.UInt32: return Int(type, "unsigned int", 4, BtfIntEncoding.None);
            case CTypeKind.Int64: return Int(type, "long long", 8, BtfIntEncoding.Signed);
            case CTypeKind.UInt64: return Int(type, "unsigned long long", 8, BtfIntEncoding.None);
            case CTypeKind.IntPtr: return Int(type, "long", 8, BtfIntEncoding.Signed);
            case CTypeKind.UIntPtr: return Int(type, "unsigned long", 8, BtfIntEncoding.None);
            case CTypeKind.Pointer or CTypeKind.ByRef when depth >= DeferPointerTargetsAt && type.Element!.Kind == CTypeKind.Struct
                && !TypeLayout.IsInt128(type.Element) && !_ids.ContainsKey(type.Element):
            {
                id = Builder.AddPointer(0);
                _ids[type] = id;
                _deferredPointers.Enqueue((id, type.Element));
                return id;
            }

            case CTypeKind.Pointer or CTypeKind.ByRef:
            {
                var target = type.Element!.Kind is CTypeKind.Struct or CTypeKind.Enum || type.Element.IsPointerLike || type.Element.IsPrimitiveInteger
                    ? Get(type.Element, depth + 1)
                    : 0;
                id = Pointer(target);
                _ids[type] = id;
                return id;
            }

            case CTypeKind.FunctionPointer:
                return _ids[type] = Pointer(0);
            case CTypeKind.Enum:
            {
                var size = (uint)type.Element!.ScalarSize;
                var name = type.BtfName ?? SimpleName(type);
                id = size == 8 ? Builder.AddEnum64(NullIfEmpty(name), 8, type.Element.IsSigned) : Builder.AddEnum(NullIfEmpty(name), size, type.Element.IsSigned);
                _ids[type] = id;
                foreach (var (n, v) in type.EnumValues)
                {
                    Builder.AddEnumValue(id, n, v);
                }

                return id;
            }

            case CTypeKind.Struct when TypeLayout.IsInt128(type):
                return type.Name == "System.Int128"
                    ? Int(type, "__int128", 16, BtfIntEncoding.Signed)
                    : Int(type, "unsigned __int128", 16, BtfIntEncoding.None);
            case CTypeKind.Struct:
            {
                TypeLayout.EnsureLayout(types, type);
                if (type.InlineArrayLength > 0 && type.Fields.Count == 1)
                {
                    id = Array(Get(type.Fields[0].Type, depth + 1), (uint)type.InlineArrayLength);
                    _ids[type] = id;
                    return id;
                }

                var name = type.BtfName ?? SimpleName(type);
                id = type.IsUnion ? Builder.AddUnion(NullIfEmpty(name), (uint)type.Size) : Builder.AddStruct(NullIfEmpty(name), (uint)type.Size);
                _ids[type] = id;
                foreach (var f in type.Fields)
                {
                    int memberType;
                    if (f.FixedElement is not null)
                    {
                        memberType = Array(Get(f.FixedElement, depth + 1), f.IsFlexible ? 0u : (uint)f.FixedLength);
                    }
                    else if (f.IsFlexible)
                    {
                        // C's `struct upid numbers[]` comes from gen csharp as [FlexibleArray] InlineArray1OfUpid: the
                        // flexible array is of the inline array's element, not an array of one-element arrays.
                        var element = f.Type;
                        if (element.Kind == CTypeKind.Struct)
                        {
                            TypeLayout.EnsureLayout(types, element);
                            if (element.InlineArrayLength > 0 && element.Fields.Count == 1) element = element.Fields[0].Type;
                        }

                        memberType = Array(Get(element, depth + 1), 0);
                    }
                    else
                    {
                        memberType = Get(f.Type, depth + 1);
                    }

                    Builder.AddMember(id, NullIfEmpty(f.BtfName), memberType, (uint)f.Offset * 8, (uint)f.BitfieldBits);
                }

                return id;
            }

            default:
                throw new CompileErrorException(DiagnosticIds.UnsupportedType, $"type '{type.Name}' cannot be described in BTF");
        }
    }

    private int Int(CType type, string name, uint size, BtfIntEncoding encoding)
    {
        var id = Builder.AddInt(name, size, encoding, (int)size * 8);
        _ids[type] = id;
        return id;
    }

    public int Pointer(int target)
    {
        if (!_pointers.TryGetValue(target, out var id))
        {
            id = Builder.AddPointer(target);
            _pointers[target] = id;
        }

        return id;
    }

    public int Array(int element, uint length)
    {
        if (!_arrays.TryGetValue((element, length), out var id))
        {
            id = Builder.AddArray(element, ArrayIndexType, length);
            _arrays[(element, length)] = id;
        }

        return id;
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    /// <summary>A C identifier from a C# type name: the simple name, generic arity and nesting folded.</summary>
    public static string SimpleName(CType type)
    {
        var name = type.Name;
        var cut = Math.Max(name.LastIndexOf('.'), name.LastIndexOf('/'));
        if (name.Contains('<'))
        {
            cut = Math.Max(name[..name.IndexOf('<')].LastIndexOf('.'), name[..name.IndexOf('<')].LastIndexOf('/'));
        }

        return Identifier(name[(cut + 1)..]);
    }

    public static string Identifier(string s)
    {
        var chars = s.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(chars[i]) || chars[i] == '_'))
            {
                chars[i] = '_';
            }
        }

        return chars.Length > 0 && char.IsAsciiDigit(chars[0]) ? "_" + new string(chars) : new string(chars);
    }
}
