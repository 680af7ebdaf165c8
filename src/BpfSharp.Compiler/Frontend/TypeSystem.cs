using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;

namespace BpfSharp.Compiler.Frontend;

/// <summary>Generic arguments in scope while decoding a signature.</summary>
internal readonly record struct GenericContext(CType[] TypeArguments, CType[] MethodArguments)
{
    public static readonly GenericContext Empty = new([], []);
}

/// <summary>A method resolved to its definition, with the generic arguments of this use.</summary>
internal sealed class ResolvedMethod
{
    public required LoadedModule Module { get; init; }
    public required MethodDefinitionHandle Handle { get; init; }
    public required CType DeclaringType { get; init; }
    public required CType[] MethodTypeArguments { get; init; }
    public required string Name { get; init; }
    public required MethodSignature<CType> Signature { get; init; }

    public MethodDefinition Definition => Module.Reader.GetMethodDefinition(Handle);
    public GenericContext Context => new(DeclaringType.TypeArguments, MethodTypeArguments);
    public bool IsStatic => (Definition.Attributes & MethodAttributes.Static) != 0;
    public string DisplayName => $"{DeclaringType.Name}.{Name}";
}

/// <summary>A method outside the loaded assemblies (System.Runtime.CompilerServices.Unsafe and the like); the
/// declaring type (a generic instance such as <c>Span&lt;byte&gt;</c>) when the call site names one.</summary>
internal sealed record ExternalMethod(string TypeName, string Name, MethodSignature<CType> Signature, CType[] MethodTypeArguments, CType? DeclaringType = null);

/// <summary>
/// The types and methods of the user's assembly and the assemblies it references that we can read
/// (BpfSharp.Kernel); everything interned so that each type is one object.
/// </summary>
internal sealed class TypeSystem : ISignatureTypeProvider<CType, GenericContext>
{
    private readonly Dictionary<string, (LoadedModule Module, TypeDefinitionHandle Handle)> _typeDefs = [];
    private readonly Dictionary<string, CType> _interned = [];
    private readonly SignatureKeyProvider _keys = new();

    public TypeSystem(IEnumerable<LoadedModule> modules)
    {
        Modules = modules.ToList();
        foreach (var module in Modules)
        {
            foreach (var h in module.Reader.TypeDefinitions)
            {
                _typeDefs.TryAdd(FullName(module.Reader, h), (module, h));
            }
        }

        foreach (var kind in Enum.GetValues<CTypeKind>())
        {
            if (kind <= CTypeKind.Double || kind is CTypeKind.String or CTypeKind.Object)
            {
                _interned[PrimitiveKey(kind)] = new CType(kind, PrimitiveName(kind));
            }
        }
    }

    public IReadOnlyList<LoadedModule> Modules { get; }

    public CType Primitive(CTypeKind kind) => _interned[PrimitiveKey(kind)];

    private static string PrimitiveKey(CTypeKind kind) => "#" + kind;

    private static string PrimitiveName(CTypeKind kind) => kind switch
    {
        CTypeKind.Void => "void", CTypeKind.Bool => "bool", CTypeKind.Char => "char", CTypeKind.SByte => "sbyte",
        CTypeKind.Byte => "byte", CTypeKind.Int16 => "short", CTypeKind.UInt16 => "ushort", CTypeKind.Int32 => "int",
        CTypeKind.UInt32 => "uint", CTypeKind.Int64 => "long", CTypeKind.UInt64 => "ulong", CTypeKind.IntPtr => "nint",
        CTypeKind.UIntPtr => "nuint", CTypeKind.Single => "float", CTypeKind.Double => "double",
        CTypeKind.String => "string", _ => "object",
    };

    public static string FullName(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var def = reader.GetTypeDefinition(handle);
        var name = reader.GetString(def.Name);
        if (def.GetDeclaringType() is { IsNil: false } outer)
        {
            return FullName(reader, outer) + "/" + name;
        }

        var ns = reader.GetString(def.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    public static string FullName(MetadataReader reader, TypeReferenceHandle handle)
    {
        var r = reader.GetTypeReference(handle);
        var name = reader.GetString(r.Name);
        if (r.ResolutionScope.Kind == HandleKind.TypeReference)
        {
            return FullName(reader, (TypeReferenceHandle)r.ResolutionScope) + "/" + name;
        }

        var ns = reader.GetString(r.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    public bool TryFindTypeDefinition(string fullName, out LoadedModule module, out TypeDefinitionHandle handle)
    {
        if (_typeDefs.TryGetValue(fullName, out var found))
        {
            (module, handle) = found;
            return true;
        }

        module = null!;
        handle = default;
        return false;
    }

    // ---- ISignatureTypeProvider ----

    public CType GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode switch
    {
        PrimitiveTypeCode.Void => Primitive(CTypeKind.Void),
        PrimitiveTypeCode.Boolean => Primitive(CTypeKind.Bool),
        PrimitiveTypeCode.Char => Primitive(CTypeKind.Char),
        PrimitiveTypeCode.SByte => Primitive(CTypeKind.SByte),
        PrimitiveTypeCode.Byte => Primitive(CTypeKind.Byte),
        PrimitiveTypeCode.Int16 => Primitive(CTypeKind.Int16),
        PrimitiveTypeCode.UInt16 => Primitive(CTypeKind.UInt16),
        PrimitiveTypeCode.Int32 => Primitive(CTypeKind.Int32),
        PrimitiveTypeCode.UInt32 => Primitive(CTypeKind.UInt32),
        PrimitiveTypeCode.Int64 => Primitive(CTypeKind.Int64),
        PrimitiveTypeCode.UInt64 => Primitive(CTypeKind.UInt64),
        PrimitiveTypeCode.IntPtr => Primitive(CTypeKind.IntPtr),
        PrimitiveTypeCode.UIntPtr => Primitive(CTypeKind.UIntPtr),
        PrimitiveTypeCode.Single => Primitive(CTypeKind.Single),
        PrimitiveTypeCode.Double => Primitive(CTypeKind.Double),
        PrimitiveTypeCode.String => Primitive(CTypeKind.String),
        _ => Primitive(CTypeKind.Object),
    };

    public CType GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) =>
        FromDefinition(ModuleOf(reader), handle, []);

    public CType GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
    {
        var name = FullName(reader, handle);
        if (_typeDefs.TryGetValue(name, out var def))
        {
            return FromDefinition(def.Module, def.Handle, []);
        }

        return Intern("ext:" + name, () => new CType(
            rawTypeKind == (byte)SignatureTypeKind.ValueType ? CTypeKind.Struct : CTypeKind.Class, name));
    }

    public CType GetTypeFromSpecification(MetadataReader reader, GenericContext context, TypeSpecificationHandle handle, byte rawTypeKind) =>
        reader.GetTypeSpecification(handle).DecodeSignature(this, context);

    public CType GetPointerType(CType elementType) =>
        Intern("ptr:" + Key(elementType), () => new CType(CTypeKind.Pointer, elementType.Name + "*", elementType));

    public CType GetByReferenceType(CType elementType) =>
        Intern("ref:" + Key(elementType), () => new CType(CTypeKind.ByRef, "ref " + elementType.Name, elementType));

    public CType GetSZArrayType(CType elementType) =>
        Intern("arr:" + Key(elementType), () => new CType(CTypeKind.Array, elementType.Name + "[]", elementType));

    public CType GetArrayType(CType elementType, ArrayShape shape) => GetSZArrayType(elementType);

    public CType GetFunctionPointerType(MethodSignature<CType> signature) =>
        Intern("fnptr", () => new CType(CTypeKind.FunctionPointer, "delegate*"));

    public CType GetGenericInstantiation(CType genericType, ImmutableArray<CType> typeArguments)
    {
        if (genericType.Module is null)
        {
            // Span<T> and ReadOnlySpan<T> keep their element type: the translator gives them a (pointer, length) layout.
            if (TypeLayout.IsSpanName(genericType.Name) && typeArguments.Length == 1)
            {
                var element = typeArguments[0];
                return Intern("span:" + genericType.Name + "<" + Key(element) + ">",
                    () => new CType(CTypeKind.Struct, genericType.Name) { TypeArguments = [element] });
            }

            return genericType;
        }

        return FromDefinition(genericType.Module, genericType.Handle, typeArguments.ToArray());
    }

    public CType GetGenericMethodParameter(GenericContext genericContext, int index) =>
        index < genericContext.MethodArguments.Length
            ? genericContext.MethodArguments[index]
            : Intern("!!" + index, () => new CType(CTypeKind.GenericParameter, "!!" + index));

    public CType GetGenericTypeParameter(GenericContext genericContext, int index) =>
        index < genericContext.TypeArguments.Length
            ? genericContext.TypeArguments[index]
            : Intern("!" + index, () => new CType(CTypeKind.GenericParameter, "!" + index));

    public CType GetModifiedType(CType modifier, CType unmodifiedType, bool isRequired) => unmodifiedType;

    public CType GetPinnedType(CType elementType) => elementType;

    // ---- definitions ----

    private LoadedModule ModuleOf(MetadataReader reader) => Modules.First(m => m.Reader == reader);

    private static string Key(CType t) => t.Module is null
        ? (t.Kind is CTypeKind.Pointer or CTypeKind.ByRef or CTypeKind.Array ? t.Kind + ":" + Key(t.Element!) : t.Name)
        : t.Module.Name + "|" + t.Name;

    private CType Intern(string key, Func<CType> create)
    {
        if (!_interned.TryGetValue(key, out var t))
        {
            t = create();
            _interned[key] = t;
        }

        return t;
    }

    public CType FromDefinition(LoadedModule module, TypeDefinitionHandle handle, CType[] typeArguments)
    {
        var reader = module.Reader;
        var fullName = FullName(reader, handle);
        var display = typeArguments.Length == 0
            ? fullName
            : fullName[..Math.Max(fullName.IndexOf('`'), 0)] + "<" + string.Join(",", typeArguments.Select(a => a.Name)) + ">";
        if (display.Length == 0)
        {
            display = fullName;
        }

        var key = module.Name + "|" + display;
        if (_interned.TryGetValue(key, out var existing))
        {
            return existing;
        }

        var def = reader.GetTypeDefinition(handle);
        var kind = CTypeKind.Class;
        if (def.BaseType.Kind == HandleKind.TypeReference)
        {
            var baseName = FullName(reader, (TypeReferenceHandle)def.BaseType);
            kind = baseName switch
            {
                "System.ValueType" => CTypeKind.Struct,
                "System.Enum" => CTypeKind.Enum,
                _ => CTypeKind.Class,
            };
        }

        var type = new CType(kind, display) { Module = module, Handle = handle, TypeArguments = typeArguments };
        _interned[key] = type;
        if (kind == CTypeKind.Enum)
        {
            foreach (var fh in def.GetFields())
            {
                var f = reader.GetFieldDefinition(fh);
                if ((f.Attributes & FieldAttributes.Static) == 0)
                {
                    type.Element = f.DecodeSignature(this, GenericContext.Empty);
                }
                else if (!f.GetDefaultValue().IsNil)
                {
                    var enumerator = FindAttributes(module, f.GetCustomAttributes(), "BtfNameAttribute")
                        .Select(a => a.FixedArguments[0].Value as string).FirstOrDefault() ?? reader.GetString(f.Name);
                    type.EnumValues.Add((enumerator, ReadConstant(reader, f.GetDefaultValue())));
                }
            }

            foreach (var attribute in new[] { "RelocatableAttribute", "BtfNameAttribute" })
            {
                foreach (var a in FindAttributes(module, def.GetCustomAttributes(), attribute))
                {
                    type.IsRelocatable |= attribute == "RelocatableAttribute";
                    type.BtfName = a.FixedArguments.Length > 0 && a.FixedArguments[0].Value is string n ? n : type.BtfName;
                }
            }

            type.Element ??= Primitive(CTypeKind.Int32);
        }

        return type;
    }

    public static long ReadConstant(MetadataReader reader, ConstantHandle handle)
    {
        var c = reader.GetConstant(handle);
        var blob = reader.GetBlobReader(c.Value);
        return c.TypeCode switch
        {
            ConstantTypeCode.Boolean => blob.ReadBoolean() ? 1 : 0,
            ConstantTypeCode.Char => blob.ReadChar(),
            ConstantTypeCode.SByte => blob.ReadSByte(),
            ConstantTypeCode.Byte => blob.ReadByte(),
            ConstantTypeCode.Int16 => blob.ReadInt16(),
            ConstantTypeCode.UInt16 => blob.ReadUInt16(),
            ConstantTypeCode.Int32 => blob.ReadInt32(),
            ConstantTypeCode.UInt32 => blob.ReadUInt32(),
            ConstantTypeCode.Int64 => blob.ReadInt64(),
            ConstantTypeCode.UInt64 => (long)blob.ReadUInt64(),
            _ => 0,
        };
    }

    /// <summary>The attributes on a handle whose attribute class has the given simple name, with decoded arguments.</summary>
    public IEnumerable<CustomAttributeValue<string>> FindAttributes(LoadedModule module, CustomAttributeHandleCollection attributes, string simpleName)
    {
        var reader = module.Reader;
        foreach (var h in attributes)
        {
            var a = reader.GetCustomAttribute(h);
            if (AttributeTypeName(reader, a) == simpleName)
            {
                CustomAttributeValue<string> value;
                try
                {
                    value = a.DecodeValue(AttributeArgumentProvider.Instance);
                }
                catch (BadImageFormatException)
                {
                    continue;
                }

                yield return value;
            }
        }
    }

    public static string AttributeTypeName(MetadataReader reader, CustomAttribute a)
    {
        switch (a.Constructor.Kind)
        {
            case HandleKind.MethodDefinition:
                var md = reader.GetMethodDefinition((MethodDefinitionHandle)a.Constructor);
                return reader.GetString(reader.GetTypeDefinition(md.GetDeclaringType()).Name);
            case HandleKind.MemberReference:
                var mr = reader.GetMemberReference((MemberReferenceHandle)a.Constructor);
                return mr.Parent.Kind switch
                {
                    HandleKind.TypeReference => reader.GetString(reader.GetTypeReference((TypeReferenceHandle)mr.Parent).Name),
                    HandleKind.TypeDefinition => reader.GetString(reader.GetTypeDefinition((TypeDefinitionHandle)mr.Parent).Name),
                    _ => "",
                };
            default:
                return "";
        }
    }

    // ---- methods ----

    /// <summary>Resolves a call/ldftn/newobj operand. Returns null and sets <paramref name="external"/> for methods
    /// outside the loaded assemblies.</summary>
    public ResolvedMethod? ResolveMethod(LoadedModule module, EntityHandle handle, GenericContext context, out ExternalMethod? external)
    {
        external = null;
        var reader = module.Reader;
        switch (handle.Kind)
        {
            case HandleKind.MethodDefinition:
            {
                var mh = (MethodDefinitionHandle)handle;
                var def = reader.GetMethodDefinition(mh);
                var declaring = FromDefinition(module, def.GetDeclaringType(), DeclaringTypeArguments(module, def.GetDeclaringType(), context));
                return Make(module, mh, declaring, []);
            }

            case HandleKind.MethodSpecification:
            {
                var spec = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                var args = spec.DecodeSignature(this, context).ToArray();
                var inner = ResolveMethod(module, spec.Method, context, out var ext);
                if (inner is not null)
                {
                    return Make(inner.Module, inner.Handle, inner.DeclaringType, args);
                }

                external = ext is null ? null : ext with { MethodTypeArguments = args };
                return null;
            }

            case HandleKind.MemberReference:
            {
                var mr = reader.GetMemberReference((MemberReferenceHandle)handle);
                var name = reader.GetString(mr.Name);
                var parent = MemberParent(module, mr, context);
                var sig = mr.DecodeMethodSignature(this, new GenericContext(parent.TypeArguments, []));
                if (parent.Module is null)
                {
                    external = new ExternalMethod(parent.Name, name, sig, [], parent);
                    return null;
                }

                var key = mr.DecodeMethodSignature(_keys, null);
                var parentDef = parent.Module.Reader.GetTypeDefinition(parent.Handle);
                foreach (var candidate in parentDef.GetMethods())
                {
                    var cdef = parent.Module.Reader.GetMethodDefinition(candidate);
                    if (parent.Module.Reader.GetString(cdef.Name) != name)
                    {
                        continue;
                    }

                    var ckey = cdef.DecodeSignature(_keys, null);
                    if (SameSignature(key, ckey))
                    {
                        return Make(parent.Module, candidate, parent, []);
                    }
                }

                external = new ExternalMethod(parent.Name, name, sig, [], parent);
                return null;
            }

            default:
                return null;
        }
    }

    /// <summary>The (possibly generic-instance) type a member reference belongs to.</summary>
    private CType MemberParent(LoadedModule module, MemberReference mr, GenericContext context) => mr.Parent.Kind switch
    {
        HandleKind.TypeReference => GetTypeFromReference(module.Reader, (TypeReferenceHandle)mr.Parent, 0),
        HandleKind.TypeDefinition => FromDefinition(module, (TypeDefinitionHandle)mr.Parent, []),
        HandleKind.TypeSpecification => GetTypeFromSpecification(module.Reader, context, (TypeSpecificationHandle)mr.Parent, 0),
        _ => Primitive(CTypeKind.Object),
    };

    private CType[] DeclaringTypeArguments(LoadedModule module, TypeDefinitionHandle type, GenericContext context)
    {
        var count = module.Reader.GetTypeDefinition(type).GetGenericParameters().Count;
        return count == 0 ? [] : context.TypeArguments.Length == count ? context.TypeArguments : [];
    }

    private ResolvedMethod Make(LoadedModule module, MethodDefinitionHandle handle, CType declaring, CType[] methodArgs)
    {
        var def = module.Reader.GetMethodDefinition(handle);
        return new ResolvedMethod
        {
            Module = module,
            Handle = handle,
            DeclaringType = declaring,
            MethodTypeArguments = methodArgs,
            Name = module.Reader.GetString(def.Name),
            Signature = def.DecodeSignature(this, new GenericContext(declaring.TypeArguments, methodArgs)),
        };
    }

    private static bool SameSignature(MethodSignature<string> a, MethodSignature<string> b) =>
        a.GenericParameterCount == b.GenericParameterCount && a.Header.IsInstance == b.Header.IsInstance
        && a.ReturnType == b.ReturnType && a.ParameterTypes.SequenceEqual(b.ParameterTypes);

    /// <summary>Resolves a field operand to its declaring type and definition.</summary>
    public (CType DeclaringType, LoadedModule Module, FieldDefinitionHandle Handle, string Name, CType FieldType)? ResolveField(
        LoadedModule module, EntityHandle handle, GenericContext context)
    {
        var reader = module.Reader;
        if (handle.Kind == HandleKind.FieldDefinition)
        {
            var fh = (FieldDefinitionHandle)handle;
            var f = reader.GetFieldDefinition(fh);
            var declaring = FromDefinition(module, f.GetDeclaringType(), DeclaringTypeArguments(module, f.GetDeclaringType(), context));
            return (declaring, module, fh, reader.GetString(f.Name), f.DecodeSignature(this, new GenericContext(declaring.TypeArguments, [])));
        }

        if (handle.Kind == HandleKind.MemberReference)
        {
            var mr = reader.GetMemberReference((MemberReferenceHandle)handle);
            var name = reader.GetString(mr.Name);
            var parent = MemberParent(module, mr, context);
            if (parent.Module is null)
            {
                return null;
            }

            foreach (var fh in parent.Module.Reader.GetTypeDefinition(parent.Handle).GetFields())
            {
                var f = parent.Module.Reader.GetFieldDefinition(fh);
                if (parent.Module.Reader.GetString(f.Name) == name)
                {
                    return (parent, parent.Module, fh, name, f.DecodeSignature(this, new GenericContext(parent.TypeArguments, [])));
                }
            }
        }

        return null;
    }

    /// <summary>Decodes a type token (sizeof, ldobj, initobj, …).</summary>
    public CType ResolveType(LoadedModule module, EntityHandle handle, GenericContext context) => handle.Kind switch
    {
        HandleKind.TypeDefinition => FromDefinition(module, (TypeDefinitionHandle)handle, []),
        HandleKind.TypeReference => GetTypeFromReference(module.Reader, (TypeReferenceHandle)handle, 0),
        HandleKind.TypeSpecification => GetTypeFromSpecification(module.Reader, context, (TypeSpecificationHandle)handle, 0),
        _ => Primitive(CTypeKind.Object),
    };
}
