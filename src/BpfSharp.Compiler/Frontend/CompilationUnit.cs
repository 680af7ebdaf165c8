using System.Reflection;
using System.Reflection.Metadata;
using System.Text;
using BpfSharp.Btf.Writing;
using BpfSharp.Compiler.Output;

namespace BpfSharp.Compiler.Frontend;

/// <summary>A function compiled on its own into .text.</summary>
/// <param name="Method">The C# method.</param>
/// <param name="Global">A global function (BTF_FUNC_GLOBAL, verified independently), else static.</param>
/// <param name="DirectKernelAccess">Translated for BTF-typed program types (direct loads of kernel memory).</param>
internal sealed record SubprogramRequest(ResolvedMethod Method, bool Global, bool DirectKernelAccess);

/// <summary>A kernel function the programs call: an undefined symbol and an extern FUNC in <c>.ksyms</c>.</summary>
/// <param name="Name">The kernel's name for it.</param>
/// <param name="Weak">Declared weak (loads without it).</param>
/// <param name="ReturnType">The C# return type.</param>
/// <param name="ParameterTypes">The C# parameter types (a map parameter is the kernel's <c>void *</c>).</param>
internal sealed record KfuncDeclaration(string Name, bool Weak, CType ReturnType, IReadOnlyList<CType> ParameterTypes);

/// <summary>Everything shared by the programs of one object: maps, globals, string literals, diagnostics.</summary>
internal sealed class CompilationUnit(TypeSystem types)
{
    private readonly Dictionary<(LoadedModule, FieldDefinitionHandle), int> _mapIndex = [];
    private readonly Dictionary<(LoadedModule, FieldDefinitionHandle), int> _globalIndex = [];
    private readonly Dictionary<string, int> _stringIndex = [];
    private readonly Dictionary<CType, StaticInitializer.Result> _statics = [];
    private readonly Dictionary<string, (LoadedModule Module, FieldDefinitionHandle Field, string Declaration)> _symbolOwners = [];

    public TypeSystem Types { get; } = types;

    /// <summary>The object's BTF, built while translating (CO-RE records need local type ids).</summary>
    public BtfBuilder Btf { get; } = new();

    private BtfTypeMapper? _btfTypes;

    public BtfTypeMapper BtfTypes => _btfTypes ??= new BtfTypeMapper(Btf, Types);
    public List<MapDefinition> Maps { get; } = [];
    public List<GlobalVariable> Globals { get; } = [];

    /// <summary>The [StructOps] classes: variables of .struct_ops / .struct_ops.link.</summary>
    public List<StructOpsVariable> StructOps { get; } = [];

    /// <summary>The BpfLog calls of every program, in the order records number them (the .debug_bpfsharp_log catalog).</summary>
    public List<BpfSharp.Objects.Logging.BpfLogSite> LogSites { get; } = [];

    /// <summary>Functions compiled once each into .text: callbacks (methods whose address is taken) and methods
    /// called as BPF-to-BPF functions. Compiling one may add more.</summary>
    public List<SubprogramRequest> Subprograms { get; } = [];

    /// <summary>The kfuncs called, in order of first call.</summary>
    public List<KfuncDeclaration> Kfuncs { get; } = [];

    /// <summary>The index of a kfunc, declared on its first call; every declaration of one name must agree.</summary>
    public int GetKfunc(KfuncDeclaration declaration, Func<string, Exception> conflict)
    {
        var index = Kfuncs.FindIndex(k => k.Name == declaration.Name);
        if (index < 0)
        {
            CheckExternName(declaration.Name, "kfunc");
            if (_symbolOwners.TryGetValue(declaration.Name, out var owner))
            {
                throw new CompileErrorException(DiagnosticIds.DuplicateName,
                    $"kfunc '{declaration.Name}' has the same name as {owner.Declaration} in this object (both are symbols): rename the field");
            }

            Kfuncs.Add(declaration);
            return Kfuncs.Count - 1;
        }

        var known = Kfuncs[index];
        if (known.Weak != declaration.Weak || known.ReturnType != declaration.ReturnType || !known.ParameterTypes.SequenceEqual(declaration.ParameterTypes))
        {
            throw conflict($"kfunc '{declaration.Name}' is declared twice with different {(known.Weak != declaration.Weak ? "weakness" : "signatures")}; one object has one declaration of each kernel function");
        }

        return index;
    }

    /// <summary>BPF-to-BPF calls between subprograms (caller index, callee index), for the recursion check.</summary>
    public HashSet<(int Caller, int Callee)> SubprogramCalls { get; } = [];

    public int GetSubprogram(ResolvedMethod method, bool global = false, bool directKernelAccess = false)
    {
        var index = Subprograms.FindIndex(s => s.Method.Module == method.Module && s.Method.Handle == method.Handle
            && s.Method.DeclaringType == method.DeclaringType && s.Method.MethodTypeArguments.SequenceEqual(method.MethodTypeArguments)
            && s.Global == global && s.DirectKernelAccess == directKernelAccess);
        if (index < 0)
        {
            Subprograms.Add(new SubprogramRequest(method, global, directKernelAccess));
            index = Subprograms.Count - 1;
        }

        return index;
    }

    /// <summary>How often each method's body would be inlined into a program (call sites, counted through the
    /// inlined callers), for choosing large, repeated methods as BPF-to-BPF functions.</summary>
    public Dictionary<(LoadedModule, MethodDefinitionHandle), int> InlineCounts(ResolvedMethod entry)
    {
        var counts = new Dictionary<(LoadedModule, MethodDefinitionHandle), int>();
        var visiting = new HashSet<(LoadedModule, MethodDefinitionHandle)>();

        void Walk(ResolvedMethod method, int times)
        {
            var key = (method.Module, method.Handle);
            if (!visiting.Add(key) || visiting.Count > 64)
            {
                return; // recursion is diagnosed by the translator
            }

            var body = method.Module.GetMethodBody(method.Handle);
            if (body is not null)
            {
                foreach (var insn in IlReader.Decode(body))
                {
                    if (insn.OpCode is not (ILOpCode.Call or ILOpCode.Callvirt or ILOpCode.Newobj))
                    {
                        continue;
                    }

                    ResolvedMethod? callee;
                    try
                    {
                        callee = Types.ResolveMethod(method.Module, insn.Token, method.Context, out _);
                    }
                    catch (Exception e) when (e is CompileErrorException or BadImageFormatException)
                    {
                        continue; // reported where the call is translated
                    }

                    if (callee is not null && !callee.Module.IsKernelAssembly)
                    {
                        var calleeKey = (callee.Module, callee.Handle);
                        counts[calleeKey] = counts.GetValueOrDefault(calleeKey) + times;
                        Walk(callee, times);
                    }
                }
            }

            visiting.Remove(key);
        }

        Walk(entry, 1);
        return counts;
    }

    public List<CompilerDiagnostic> Diagnostics { get; } = [];

    /// <summary>Source lines (file, line, column) referenced by IR instructions' Line index.</summary>
    public List<(string File, int Line, int Column)> Lines { get; } = [];
    private readonly Dictionary<(string, int, int), int> _lineIndex = [];

    public int GetLine(string file, int line, int column)
    {
        if (!_lineIndex.TryGetValue((file, line, column), out var index))
        {
            index = Lines.Count;
            Lines.Add((file, line, column));
            _lineIndex[(file, line, column)] = index;
        }

        return index;
    }

    private StaticInitializer.Result StaticsOf(CType type)
    {
        if (!_statics.TryGetValue(type, out var r))
        {
            r = StaticInitializer.Evaluate(Types, type);
            _statics[type] = r;
        }

        return r;
    }

    /// <summary>The map declared by a static field, or -1 if the field's type is not a map class.</summary>
    public int GetMap(CType declaring, LoadedModule module, FieldDefinitionHandle field, string name, CType fieldType)
    {
        if (_mapIndex.TryGetValue((module, field), out var index))
        {
            return index;
        }

        if (!MapClasses.TryGet(fieldType, out var info))
        {
            return -1;
        }

        var statics = StaticsOf(declaring);
        if (!statics.Maps.TryGetValue(field, out var args))
        {
            throw new CompileErrorException(DiagnosticIds.NonConstantInitializer,
                $"map '{name}' must be initialised with constant arguments: static readonly {fieldType.Name} {name} = new(maxEntries: …);")
            {
                At = InitializerLocation(declaring, statics, field),
            };
        }

        CType? Arg(int which) => MapTypeArgument(fieldType, which);

        ClaimSymbol(name, module, field, declaring, "map");
        uint Named(string argument) => (uint)args.GetValueOrDefault(argument);
        var untyped = info.MapType == MapClasses.UntypedMapType;
        var map = new MapDefinition
        {
            Name = name,
            ClassType = fieldType,
            MapType = untyped ? (int)Named("type") : info.MapType,
            Key = Arg(info.KeyArgument),
            Value = Arg(info.ValueArgument),
            KeySize = untyped ? Named("keySize") : info.KeySize,
            ValueSize = untyped ? Named("valueSize") : info.ValueSize,
            MaxEntries = (uint)(args.TryGetValue("maxEntries", out var m) ? m : args.TryGetValue("size", out var s) ? s
                : args.TryGetValue("pages", out var pg) ? pg : 0),
            MapExtra = (ulong)args.GetValueOrDefault("address"),
            Flags = (uint)(args.TryGetValue("flags", out var f) ? f : 0),
            Pinning = (uint)(args.TryGetValue("pinning", out var p) ? p : 0),
            Inner = info.InnerArgument >= 0 && info.InnerArgument < fieldType.TypeArguments.Length
                ? InnerTemplate(name, fieldType.TypeArguments[info.InnerArgument], args, declaring, statics, field)
                : null,
        };
        foreach (var t in new[] { map.Key, map.Value })
        {
            if (t is not null)
            {
                TypeLayout.SizeAndAlignment(Types, t);
            }
        }

        // Initial slots' maps first: libbpf creates maps in .maps order and fills a map of maps' slots as it creates
        // it, so an inner map must come before its outer map (as in C, where it is declared first).
        if (map.Inner is not null && statics.MapSlots.TryGetValue(field, out var slots))
        {
            foreach (var (slot, inner) in slots)
            {
                if (slot < 0 || slot >= map.MaxEntries)
                {
                    throw new CompileErrorException(DiagnosticIds.NonConstantInitializer,
                        $"map '{name}': initial slot [{slot}] is outside its {map.MaxEntries} entries")
                    {
                        At = InitializerLocation(declaring, statics, field),
                    };
                }

                if (MapClasses.TryGet(inner.FieldType, out var innerInfo) && innerInfo.InnerArgument >= 0)
                {
                    throw new CompileErrorException(DiagnosticIds.MapUse,
                        $"map '{name}': initial slot [{slot}] holds '{inner.Name}', a map of maps (the kernel nests no maps of maps)")
                    {
                        At = InitializerLocation(declaring, statics, field),
                    };
                }

                var target = GetMap(inner.DeclaringType, inner.Module, inner.Handle, inner.Name, inner.FieldType);
                if (!SameShape(Maps[target], map.Inner))
                {
                    throw new CompileErrorException(DiagnosticIds.MapUse,
                        $"map '{name}': initial slot [{slot}] holds '{inner.Name}' ({Describe(Maps[target])}), which is not of the inner template's shape ({Describe(map.Inner)})")
                    {
                        At = InitializerLocation(declaring, statics, field),
                    };
                }

                map.InitialSlots[(uint)slot] = target;
            }
        }

        Maps.Add(map);
        index = Maps.Count - 1;
        _mapIndex[(module, field)] = index;
        return index;
    }

    /// <summary>A map class's key or value type by <see cref="MapClassInfo"/>'s argument code: a generic argument's
    /// index, -2 for <c>uint</c>, -3 for <c>int</c>, else none.</summary>
    private CType? MapTypeArgument(CType mapClass, int which) => which switch
    {
        >= 0 when which < mapClass.TypeArguments.Length => mapClass.TypeArguments[which],
        -2 => Types.Primitive(CTypeKind.UInt32),
        -3 => Types.Primitive(CTypeKind.Int32),
        _ => null,
    };

    /// <summary>A map of maps' inner template: the inner map class with the <c>innerMaxEntries</c> and
    /// <c>innerFlags</c> arguments (libbpf names the inner map "outer.inner").</summary>
    private MapDefinition InnerTemplate(string outer, CType innerClass, Dictionary<string, long> args, CType declaring, StaticInitializer.Result statics, FieldDefinitionHandle field)
    {
        if (!MapClasses.TryGet(innerClass, out var info) || info.MapType == MapClasses.UntypedMapType || info.InnerArgument >= 0)
        {
            throw new CompileErrorException(DiagnosticIds.MapUse,
                $"map '{outer}': the inner map class {innerClass.Name} cannot be the value of a map of maps (the kernel nests no maps of maps; use a typed map class)")
            {
                At = InitializerLocation(declaring, statics, field),
            };
        }

        CType? Arg(int which) => MapTypeArgument(innerClass, which);

        var inner = new MapDefinition
        {
            Name = outer + ".inner",
            ClassType = innerClass,
            MapType = info.MapType,
            Key = Arg(info.KeyArgument),
            Value = Arg(info.ValueArgument),
            KeySize = info.KeySize,
            ValueSize = info.ValueSize,
            MaxEntries = (uint)args.GetValueOrDefault("innerMaxEntries"),
            Flags = (uint)args.GetValueOrDefault("innerFlags"),
        };
        foreach (var t in new[] { inner.Key, inner.Value })
        {
            if (t is not null)
            {
                TypeLayout.SizeAndAlignment(Types, t);
            }
        }

        return inner;
    }

    /// <summary><c>BPF_F_INNER_MAP</c>: inner arrays of any max_entries.</summary>
    private const uint InnerMapFlag = 4096;

    /// <summary>Whether a map can sit in a slot of a map of maps with this inner template (what the kernel compares).</summary>
    private bool SameShape(MapDefinition map, MapDefinition template) =>
        map.MapType == template.MapType && map.Flags == template.Flags
        && (map.MaxEntries == template.MaxEntries || (template.Flags & InnerMapFlag) != 0)
        && SizeOf(map.Key, map.KeySize) == SizeOf(template.Key, template.KeySize)
        && SizeOf(map.Value, map.ValueSize) == SizeOf(template.Value, template.ValueSize);

    private uint SizeOf(CType? type, uint size) => type is null ? size : (uint)TypeLayout.SizeAndAlignment(Types, type).Size;

    private static string Describe(MapDefinition map) => $"{map.ClassType.Name}, {map.MaxEntries} entries, flags {map.Flags}";

    /// <summary>The global variable for a static field (.rodata for readonly, .data if initialised, else .bss).</summary>
    public int GetGlobal(CType declaring, LoadedModule module, FieldDefinitionHandle field, string name, CType fieldType)
    {
        if (_globalIndex.TryGetValue((module, field), out var index))
        {
            return index;
        }

        var definition = module.Reader.GetFieldDefinition(field);
        var isReadOnly = (definition.Attributes & FieldAttributes.InitOnly) != 0;
        foreach (var kconfig in Types.FindAttributes(module, definition.GetCustomAttributes(), "KconfigAttribute"))
        {
            return GetExtern(declaring, module, field, name, fieldType, kconfig, isReadOnly, KconfigSection);
        }

        foreach (var ksym in Types.FindAttributes(module, definition.GetCustomAttributes(), "KsymAttribute"))
        {
            if (fieldType.Kind != CTypeKind.Pointer)
            {
                throw new CompileErrorException(DiagnosticIds.UnsupportedType,
                    $"[Ksym] field '{name}' must be a pointer (T* of a [Relocatable] struct, or void*): its value is the kernel variable's address");
            }

            return GetExtern(declaring, module, field, name, fieldType, ksym, isReadOnly, KsymSection);
        }

        ClaimSymbol(name, module, field, declaring, "global");
        var statics = StaticsOf(declaring);
        if (statics.NonConstant.Contains(field))
        {
            throw new CompileErrorException(DiagnosticIds.NonConstantInitializer,
                $"static field '{name}' is initialised with a value that is not a compile-time constant")
            {
                At = InitializerLocation(declaring, statics, field),
            };
        }

        var size = TypeLayout.SizeAndAlignment(Types, fieldType).Size;
        var initial = statics.Values.TryGetValue(field, out var bytes) ? bytes : new byte[size];
        var section = isReadOnly ? ".rodata" : initial.Any(b => b != 0) ? ".data" : ".bss";
        if (Types.FindAttributes(module, definition.GetCustomAttributes(), "ArenaGlobalAttribute").Any())
        {
            if (isReadOnly)
            {
                throw new CompileErrorException(DiagnosticIds.UnsupportedType,
                    $"[ArenaGlobal] field '{name}' is readonly; arena memory is writable by programs and user space alike, so drop 'readonly'");
            }

            section = ArenaSection;
            RequireArenaMap(declaring, name);
        }

        Globals.Add(new GlobalVariable { Name = name, Section = section, Type = fieldType, Initial = initial });
        _globalIndex[(module, field)] = Globals.Count - 1;
        return Globals.Count - 1;
    }

    /// <summary>A [Kconfig] field (an extern in <c>.kconfig</c> named as the option) or a [Ksym] field (an extern
    /// variable in <c>.ksyms</c>).</summary>
    private int GetExtern(CType declaring, LoadedModule module, FieldDefinitionHandle field, string fieldName, CType fieldType,
        CustomAttributeValue<string> attribute, bool isReadOnly, string section)
    {
        var (name, weak) = ReadExternAttribute(attribute, fieldName);
        var what = section == KconfigSection ? "Kconfig" : "Ksym";
        if (!isReadOnly)
        {
            throw new CompileErrorException(DiagnosticIds.UnsupportedType,
                $"[{what}] field '{fieldName}' must be 'static readonly': the loader fills it in and programs only read it");
        }

        if (StaticsOf(declaring).Values.ContainsKey(field) || StaticsOf(declaring).NonConstant.Contains(field))
        {
            throw new CompileErrorException(DiagnosticIds.NonConstantInitializer,
                $"[{what}] field '{fieldName}' has an initial value; its value comes from the running kernel");
        }

        var existing = Globals.FindIndex(g => g.IsExtern && g.Name == name);
        if (existing >= 0)
        {
            // Declared in two classes compiled together: one extern, as two C files linked into one object.
            if (Globals[existing].Type != fieldType || Globals[existing].IsWeak != weak)
            {
                throw new CompileErrorException(DiagnosticIds.DuplicateName,
                    $"[{what}] '{name}' is declared twice with different {(Globals[existing].IsWeak != weak ? "weakness" : "types")} ({declaring.Name}.{fieldName}); one object has one declaration of each value");
            }

            _globalIndex[(module, field)] = existing;
            return existing;
        }

        CheckExternName(name, section == KconfigSection ? "kconfig value" : "kernel variable");
        ClaimSymbol(name, module, field, declaring, section == KconfigSection ? "kconfig value" : "kernel variable");
        var size = section == KconfigSection ? TypeLayout.SizeAndAlignment(Types, fieldType).Size : 8;
        Globals.Add(new GlobalVariable { Name = name, Section = section, Type = fieldType, Initial = new byte[size], IsExtern = true, IsWeak = weak });
        _globalIndex[(module, field)] = Globals.Count - 1;
        return Globals.Count - 1;
    }

    /// <summary>The DATASEC of kconfig externs (there is no ELF section of that name).</summary>
    public const string KconfigSection = ".kconfig";

    /// <summary>The DATASEC of kernel variables and kfuncs (there is no ELF section of that name).</summary>
    public const string KsymSection = ".ksyms";

    /// <summary>The section of <c>__arena</c> globals (clang's name for address space 1).</summary>
    public const string ArenaSection = ".addr_space.1";

    /// <summary>Arena globals live in the arena map's pages: the object must declare that map even when no program
    /// names it, so the class's ArenaMap field is emitted with the first arena global.</summary>
    private void RequireArenaMap(CType declaring, string global)
    {
        if (Maps.Any(m => m.MapType == MapClasses.ArenaMapType))
        {
            return;
        }

        foreach (var field in StaticsOf(declaring).Maps.Keys)
        {
            if (Types.ResolveField(declaring.Module!, field, new GenericContext(declaring.TypeArguments, [])) is { } f
                && GetMap(f.DeclaringType, f.Module, f.Handle, f.Name, f.FieldType) is >= 0 and var index
                && Maps[index].MapType == MapClasses.ArenaMapType)
            {
                return;
            }
        }

        throw new CompileErrorException(DiagnosticIds.MapUse,
            $"[ArenaGlobal] field '{global}' lives in the arena, but {declaring.Name} declares no ArenaMap: add 'static readonly ArenaMap Arena = new(pages: N);' to the class");
    }

    /// <summary>Externs are found by name in the kernel: a C identifier, as BTF and the kernel's lookups require.</summary>
    private static void CheckExternName(string name, string kind)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new CompileErrorException(DiagnosticIds.UnsupportedType, $"{kind} name '{name}' is not a C identifier: the kernel knows its symbols by C names");
        }
    }

    /// <summary>The kernel's name and the weakness an extern attribute ([Kfunc], [Ksym], [Kconfig]) declares:
    /// <c>[Kfunc("name", Weak = true)]</c>, the member's own name when the attribute gives none.</summary>
    public static (string Name, bool Weak) ReadExternAttribute(CustomAttributeValue<string> attribute, string memberName) =>
        (attribute.FixedArguments is [{ Value: string n }] ? n : memberName,
         attribute.NamedArguments.Any(a => a.Name == "Weak" && a.Value is true));

    /// <summary>Maps and globals are ELF symbols (and BTF VARs) named after their field: two fields of one name in
    /// one object (programs of two classes compiled together) would be one symbol.</summary>
    private void ClaimSymbol(string name, LoadedModule module, FieldDefinitionHandle field, CType declaring, string kind)
    {
        var declaration = declaring.Name + "." + name;
        if (Kfuncs.Any(k => k.Name == name))
        {
            throw new CompileErrorException(DiagnosticIds.DuplicateName,
                $"{kind} '{name}' of {declaration} has the same name as a kfunc this object calls (both are symbols): rename the field");
        }

        if (_symbolOwners.TryGetValue(name, out var owner) && (owner.Module != module || owner.Field != field))
        {
            throw new CompileErrorException(DiagnosticIds.DuplicateName,
                $"{kind} '{name}' of {declaration} has the same name as {owner.Declaration} in this object (maps and globals are symbols named after their fields): rename one of them, or compile the programs into separate objects (ProgramFilter)");
        }

        _symbolOwners[name] = (module, field, declaration);
    }

    private static (LoadedModule, MethodDefinitionHandle, int)? InitializerLocation(CType declaring, StaticInitializer.Result statics, FieldDefinitionHandle field) =>
        declaring.Module is not null && !statics.Constructor.IsNil && statics.StoreOffsets.TryGetValue(field, out var offset)
            ? (declaring.Module, statics.Constructor, offset)
            : null;

    /// <summary>A NUL-terminated string literal in .rodata.</summary>
    public int GetString(string text) => GetData(Encoding.UTF8.GetBytes(text + "\0"));

    /// <summary>Constant bytes in .rodata with no symbol (a string literal, a <c>"…"u8</c> literal's bytes with their
    /// NUL); equal contents share one copy.</summary>
    public int GetData(byte[] bytes)
    {
        var key = Convert.ToHexString(bytes);
        if (!_stringIndex.TryGetValue(key, out var index))
        {
            Globals.Add(new GlobalVariable { Name = ".str." + _stringIndex.Count, Section = ".rodata", Initial = bytes, IsLiteral = true });
            index = Globals.Count - 1;
            _stringIndex[key] = index;
        }

        return index;
    }
}
