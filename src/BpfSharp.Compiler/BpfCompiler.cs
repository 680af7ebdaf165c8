using System.Reflection;
using System.Reflection.Metadata;
using BpfSharp.Btf;
using BpfSharp.Btf.Writing;
using BpfSharp.Compiler.Backend;
using BpfSharp.Compiler.Frontend;
using BpfSharp.Compiler.Output;

namespace BpfSharp.Compiler;

/// <summary>Options for <see cref="BpfCompiler"/>.</summary>
public sealed class BpfCompilerOptions
{
    /// <summary>Directories searched for referenced assemblies (BpfSharp.Kernel and your own libraries) besides
    /// the input assembly's directory and the compiler's own.</summary>
    public IList<string> ReferenceDirectories { get; } = [];

    /// <summary>Which programs to compile, by the full name of their method (<c>Namespace.Type.Method</c>); null
    /// compiles every program of the assembly. Programs left out are not translated at all.</summary>
    public Func<string, bool>? ProgramFilter { get; set; }
}

/// <summary>One compiled program: its name, libbpf section and size.</summary>
/// <param name="Name">The function (symbol) name.</param>
/// <param name="Section">The ELF section, e.g. <c>xdp</c> or <c>tp_btf/sched_process_exec</c>.</param>
/// <param name="InstructionCount">Instruction slots (ld_imm64 counts two).</param>
/// <param name="StackSize">Bytes of BPF stack used.</param>
public sealed record CompiledProgram(string Name, string Section, int InstructionCount, int StackSize);

/// <summary>The result of compiling an assembly: the ELF object, or the diagnostics that prevented it.</summary>
public sealed class BpfCompilation
{
    internal BpfCompilation(byte[]? obj, IReadOnlyList<CompilerDiagnostic> diagnostics, IReadOnlyList<CompiledProgram> programs)
    {
        Object = obj;
        Diagnostics = diagnostics;
        Programs = programs;
    }

    /// <summary>The BPF ELF object, or null if there were errors.</summary>
    public byte[]? Object { get; }

    /// <summary>Errors and warnings with C# source locations.</summary>
    public IReadOnlyList<CompilerDiagnostic> Diagnostics { get; }

    /// <summary>The programs in the object.</summary>
    public IReadOnlyList<CompiledProgram> Programs { get; }

    /// <summary>True when the object was produced.</summary>
    public bool Success => Object is not null;

    /// <summary>Returns the object or throws <see cref="BpfCompilationException"/> with the errors.</summary>
    public byte[] GetObjectOrThrow() => Object ?? throw new BpfCompilationException(Diagnostics);
}

/// <summary>
/// Compiles the BPF programs of a .NET assembly (static methods marked with a program attribute from
/// BpfSharp.Kernel, such as <c>[Xdp]</c> or <c>[TpBtf("sched_process_exec")]</c>) into one BPF ELF object.
/// The assembly is read with System.Reflection.Metadata (never loaded or run); line info comes from its
/// portable PDB.
/// </summary>
public static class BpfCompiler
{
    private static readonly string[] SkSkbSections = ["sk_skb/stream_parser", "sk_skb/stream_verdict", "sk_skb/verdict"];

    private static readonly string[] LwtSections = ["lwt_in", "lwt_out", "lwt_xmit", "lwt_seg6local"];

    private static readonly string[] CgroupSockSections = ["cgroup/sock_create", "cgroup/sock_release", "cgroup/post_bind4", "cgroup/post_bind6"];

    private static readonly string[] CgroupSockAddrSections =
    [
        "cgroup/bind4", "cgroup/bind6", "cgroup/connect4", "cgroup/connect6", "cgroup/connect_unix",
        "cgroup/sendmsg4", "cgroup/sendmsg6", "cgroup/sendmsg_unix", "cgroup/recvmsg4", "cgroup/recvmsg6", "cgroup/recvmsg_unix",
        "cgroup/getpeername4", "cgroup/getpeername6", "cgroup/getpeername_unix",
        "cgroup/getsockname4", "cgroup/getsockname6", "cgroup/getsockname_unix",
    ];

    private static readonly Dictionary<string, Func<object?, string>> ProgramAttributes = new()
    {
        ["BpfProgramAttribute"] = a => a as string ?? "",
        ["KprobeAttribute"] = a => "kprobe/" + a,
        ["KretprobeAttribute"] = a => "kretprobe/" + a,
        ["UprobeAttribute"] = a => string.IsNullOrEmpty(a as string) ? "uprobe" : "uprobe/" + a,
        ["UretprobeAttribute"] = a => string.IsNullOrEmpty(a as string) ? "uretprobe" : "uretprobe/" + a,
        ["TracepointAttribute"] = a => "tracepoint/" + a,
        ["RawTracepointAttribute"] = a => "raw_tp/" + a,
        ["RawTracepointWritableAttribute"] = a => "raw_tp.w/" + a,
        ["TpBtfAttribute"] = a => "tp_btf/" + a,
        ["FentryAttribute"] = a => "fentry/" + a,
        ["FexitAttribute"] = a => "fexit/" + a,
        ["FmodRetAttribute"] = a => "fmod_ret/" + a,
        ["LsmAttribute"] = a => "lsm/" + a,
        ["FreplaceAttribute"] = a => "freplace/" + a,
        ["KprobeMultiAttribute"] = a => "kprobe.multi/" + a,
        ["KretprobeMultiAttribute"] = a => "kretprobe.multi/" + a,
        ["UprobeMultiAttribute"] = a => string.IsNullOrEmpty(a as string) ? "uprobe.multi" : "uprobe.multi/" + a,
        ["UretprobeMultiAttribute"] = a => string.IsNullOrEmpty(a as string) ? "uretprobe.multi" : "uretprobe.multi/" + a,
        ["UsdtAttribute"] = a => string.IsNullOrEmpty(a as string) ? "usdt" : "usdt/" + a,
        ["PerfEventAttribute"] = _ => "perf_event",
        ["XdpAttribute"] = _ => "xdp",
        ["TcAttribute"] = _ => "tc",
        ["SocketFilterAttribute"] = _ => "socket",
        ["CgroupSkbAttribute"] = a => "cgroup_skb/" + a,
        ["IterAttribute"] = a => "iter/" + a,
        ["SyscallProgramAttribute"] = _ => "syscall",
        ["StructOpsMethodAttribute"] = a => "struct_ops/" + a,
        ["SockOpsAttribute"] = _ => "sockops",
        ["SkMsgAttribute"] = _ => "sk_msg",
        ["SkLookupAttribute"] = _ => "sk_lookup",
        ["CgroupSysctlAttribute"] = _ => "cgroup/sysctl",
        ["CgroupDeviceAttribute"] = _ => "cgroup/dev",
        ["CgroupSockoptAttribute"] = a => a is true ? "cgroup/setsockopt" : "cgroup/getsockopt",
        ["SkReuseportAttribute"] = a => a is true ? "sk_reuseport/migrate" : "sk_reuseport",
        ["NetkitAttribute"] = a => a is true ? "netkit/peer" : "netkit/primary",
        // Enum arguments arrive as their value; the tables follow the enums' declaration order in BpfSharp.Kernel.
        ["SkSkbAttribute"] = a => ByEnumValue(a, SkSkbSections),
        ["CgroupSockAttribute"] = a => ByEnumValue(a, CgroupSockSections),
        ["CgroupSockAddrAttribute"] = a => ByEnumValue(a, CgroupSockAddrSections),
        ["LwtAttribute"] = a => ByEnumValue(a, LwtSections),
    };

    /// <summary>The attributes that make a method a program (the kernel API's program attributes, by simple name).</summary>
    internal static IEnumerable<string> ProgramAttributeNames => ProgramAttributes.Keys;

    // An out-of-range value (a cast in user code) yields an empty section, which the loader reports as unknown.
    private static string ByEnumValue(object? value, string[] sections) =>
        value is int i && (uint)i < (uint)sections.Length ? sections[i] : "";

    /// <summary>Compiles the assembly at <paramref name="assemblyPath"/>.</summary>
    public static BpfCompilation Compile(string assemblyPath, BpfCompilerOptions? options = null)
    {
        options ??= new BpfCompilerOptions();
        var diagnostics = new List<CompilerDiagnostic>();
        List<LoadedModule> modules;
        try
        {
            modules = LoadModules(assemblyPath, options);
        }
        catch (Exception e) when (e is IOException or BadImageFormatException or UnauthorizedAccessException
                                      or InvalidOperationException or OverflowException or ArgumentException)
        {
            // System.Reflection.Metadata reports some damage with InvalidOperationException (metadata without an
            // assembly row) or OverflowException (stream headers past the image): found by fuzzing.
            var message = e is IOException or UnauthorizedAccessException ? e.Message : $"{assemblyPath}: malformed assembly: {e.Message}";
            diagnostics.Add(new CompilerDiagnostic(DiagnosticIds.BadAssembly, true, message, new SourceLocation(assemblyPath, 0, 0, "", -1)));
            return new BpfCompilation(null, diagnostics, []);
        }

        try
        {
            return CompileModules(modules, diagnostics, options.ProgramFilter);
        }
        catch (BadImageFormatException e)
        {
            // Metadata is decoded lazily, so a damaged table, blob or method body surfaces only while compiling.
            diagnostics.Add(new CompilerDiagnostic(DiagnosticIds.BadAssembly, true, $"{assemblyPath}: malformed assembly: {e.Message}",
                new SourceLocation(assemblyPath, 0, 0, "", -1)));
            return new BpfCompilation(null, diagnostics, []);
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or InvalidOperationException
                                      or KeyNotFoundException or InvalidCastException or NullReferenceException or OverflowException)
        {
            // IL the translator assumes well-formed (stack depths, branch targets, tokens) but a damaged assembly
            // breaks: a diagnostic, not an exception (issue 13 D12). A valid assembly reaching here is our bug.
            diagnostics.Add(new CompilerDiagnostic(DiagnosticIds.BadAssembly, true,
                $"{assemblyPath}: cannot translate the IL (a damaged assembly, or a compiler bug: please report it): {e.GetType().Name}: {e.Message}",
                new SourceLocation(assemblyPath, 0, 0, "", -1)));
            return new BpfCompilation(null, diagnostics, []);
        }
        finally
        {
            foreach (var m in modules)
            {
                m.Dispose();
            }
        }
    }

    private static List<LoadedModule> LoadModules(string assemblyPath, BpfCompilerOptions options)
    {
        var main = LoadedModule.Open(assemblyPath);
        var modules = new List<LoadedModule> { main };
        var directories = new List<string> { Path.GetDirectoryName(Path.GetFullPath(assemblyPath))! };
        directories.AddRange(options.ReferenceDirectories);
        directories.Add(AppContext.BaseDirectory);
        var queue = new Queue<LoadedModule>([main]);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { main.Name };
        while (queue.Count > 0)
        {
            var module = queue.Dequeue();
            foreach (var h in module.Reader.AssemblyReferences)
            {
                var name = module.Reader.GetString(module.Reader.GetAssemblyReference(h).Name);
                if (name.StartsWith("System", StringComparison.Ordinal) || name is "mscorlib" or "netstandard" || !names.Add(name))
                {
                    continue;
                }

                foreach (var dir in directories)
                {
                    var candidate = Path.Combine(dir, name + ".dll");
                    if (File.Exists(candidate))
                    {
                        var loaded = LoadedModule.Open(candidate);
                        modules.Add(loaded);
                        queue.Enqueue(loaded);
                        break;
                    }
                }
            }
        }

        return modules;
    }

    private static BpfCompilation CompileModules(List<LoadedModule> modules, List<CompilerDiagnostic> diagnostics, Func<string, bool>? filter)
    {
        var ts = new TypeSystem(modules);
        var unit = new CompilationUnit(ts);
        var main = modules[0];
        var entries = FindPrograms(ts, main, filter);
        if (entries.Count == 0)
        {
            diagnostics.Add(new CompilerDiagnostic(DiagnosticIds.NoPrograms, true,
                "no BPF programs: mark static methods with a program attribute such as [Xdp] or [Kprobe(\"…\")]",
                new SourceLocation(main.Path, 0, 0, "", -1)));
            return new BpfCompilation(null, diagnostics, []);
        }

        unit.StructOps.AddRange(StructOpsDefinitions.Find(ts, main, entries, diagnostics));
        var compiled = new List<EmittedFunction>();
        var intType = ts.Primitive(CTypeKind.Int32);
        foreach (var entry in entries)
        {
            var translator = new Translator(unit, entry.Method.Name, DirectKernelAccess(entry.Section));
            try
            {
                var fn = translator.Translate(entry.Method);
                var function = CodeEmitter.Emit(fn, entry.Section);
                var parameters = entry.Method.Signature.ParameterTypes.Select(t => ("ctx", t)).ToList();
                compiled.Add(new EmittedFunction(function, parameters, intType, IsSubprogram: false));
            }
            catch (CompileErrorException e)
            {
                var location = e.Location ?? (e.At is { } at
                    ? LocateIn(at.Module, at.Method, at.IlOffset, entry.Method.DisplayName)
                    : Locate(translator.Position, entry.Method));
                diagnostics.Add(new CompilerDiagnostic(e.Id, true, e.Message, location));
            }
        }

        // Callbacks (&Method) and called functions: each a function in .text; compiling one may add more.
        var names = new HashSet<string>(compiled.Select(c => c.Function.Name));
        for (var s = 0; s < unit.Subprograms.Count && !diagnostics.Any(d => d.IsError); s++)
        {
            var (method, global, direct) = unit.Subprograms[s];
            var name = BtfTypeMapper.Identifier(method.MethodTypeArguments.Length > 0 || method.DeclaringType.TypeArguments.Length > 0
                ? method.Name + "_" + string.Join("_", method.DeclaringType.TypeArguments.Concat(method.MethodTypeArguments).Select(BtfTypeMapper.SimpleName))
                : method.Name);
            while (!names.Add(name))
            {
                name += "_";
            }

            var translator = new Translator(unit, name, direct);
            try
            {
                var function = CodeEmitter.Emit(translator.TranslateSubprogram(method, s), ".text");
                function.Symbol = s;
                var reader = method.Module.Reader;
                var parameterNames = method.Definition.GetParameters().Select(h => reader.GetParameter(h))
                    .Where(p => p.SequenceNumber > 0).OrderBy(p => p.SequenceNumber).Select(p => BtfTypeMapper.Identifier(reader.GetString(p.Name))).ToList();
                var parameters = method.Signature.ParameterTypes.Select((t, i) => (i < parameterNames.Count && parameterNames[i].Length > 0 ? parameterNames[i] : "arg" + i, t)).ToList();
                if (!method.IsStatic)
                {
                    parameters.Insert(0, ("self", ts.GetByReferenceType(method.DeclaringType)));
                }

                compiled.Add(new EmittedFunction(function, parameters, method.Signature.ReturnType, IsSubprogram: true, IsGlobal: global));
            }
            catch (CompileErrorException e)
            {
                diagnostics.Add(new CompilerDiagnostic(e.Id, true, e.Message, e.Location ?? Locate(translator.Position, method)));
            }
        }

        // Functions calling each other in a cycle: the verifier rejects recursion.
        if (!diagnostics.Any(d => d.IsError) && FindCallCycle(unit) is { } cycle)
        {
            var method = unit.Subprograms[cycle].Method;
            diagnostics.Add(new CompilerDiagnostic(DiagnosticIds.Recursion, true,
                $"'{method.DisplayName}' is part of a cycle of BPF-to-BPF calls; BPF programs cannot recurse", Locate(null, method)));
        }

        if (diagnostics.Any(d => d.IsError))
        {
            return new BpfCompilation(null, diagnostics, []);
        }

        var license = ts.FindAttributes(main, main.Reader.GetAssemblyDefinition().GetCustomAttributes(), "LicenseAttribute")
            .Select(a => a.FixedArguments[0].Value as string).FirstOrDefault() ?? "GPL";
        try
        {
            var obj = new ObjectEmitter(unit, unit.Btf, unit.BtfTypes).Emit(compiled, license);
            var programs = compiled.Where(c => !c.IsSubprogram)
                .Select(c => new CompiledProgram(c.Function.Name, c.Function.Section, c.Function.Code.Length, c.Function.StackSize)).ToList();
            return new BpfCompilation(obj, diagnostics, programs);
        }
        catch (CompileErrorException e)
        {
            diagnostics.Add(new CompilerDiagnostic(e.Id, true, e.Message, new SourceLocation(main.Path, 0, 0, "", -1)));
            return new BpfCompilation(null, diagnostics, []);
        }
    }

    /// <summary>A subprogram on a cycle of calls between subprograms, or null.</summary>
    private static int? FindCallCycle(CompilationUnit unit)
    {
        var state = new int[unit.Subprograms.Count]; // 0 unvisited, 1 on the path, 2 done
        int? Visit(int s)
        {
            state[s] = 1;
            foreach (var (caller, callee) in unit.SubprogramCalls)
            {
                if (caller != s)
                {
                    continue;
                }

                if (state[callee] == 1)
                {
                    return callee;
                }

                if (state[callee] == 0 && Visit(callee) is { } found)
                {
                    return found;
                }
            }

            state[s] = 2;
            return null;
        }

        for (var s = 0; s < state.Length; s++)
        {
            if (state[s] == 0 && Visit(s) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>Program types whose kernel pointers are BTF-typed, so the verifier allows direct loads from them
    /// (libbpf's section table: tp_btf, fentry/fexit/fmod_ret, iter are TRACING; lsm; struct_ops).</summary>
    private static bool DirectKernelAccess(string section) =>
        BpfSharp.Objects.ProgramSectionDefinition.Find(section)?.ProgramType is BpfProgramType.Tracing or BpfProgramType.Lsm or BpfProgramType.StructOps;

    private static List<ProgramEntry> FindPrograms(TypeSystem ts, LoadedModule module, Func<string, bool>? filter)
    {
        var reader = module.Reader;
        var result = new List<ProgramEntry>();
        var names = new HashSet<string>();
        foreach (var th in reader.TypeDefinitions)
        {
            var type = reader.GetTypeDefinition(th);
            foreach (var mh in type.GetMethods())
            {
                var def = reader.GetMethodDefinition(mh);
                foreach (var ah in def.GetCustomAttributes())
                {
                    var attribute = reader.GetCustomAttribute(ah);
                    var attributeName = TypeSystem.AttributeTypeName(reader, attribute);
                    if (!ProgramAttributes.TryGetValue(attributeName, out var section))
                    {
                        continue;
                    }

                    var args = attribute.DecodeValue(AttributeArgumentProvider.Instance);
                    var arg = args.FixedArguments.Length > 0 ? args.FixedArguments[0].Value : null;
                    // [Usdt(path, provider, name)] is the one attribute with several parts: usdt/PATH:PROVIDER:NAME.
                    if (attributeName == "UsdtAttribute" && args.FixedArguments.Length == 3)
                        arg = string.Join(':', args.FixedArguments.Select(f => f.Value as string));
                    var sectionName = section(arg);
                    if (attributeName == "StructOpsMethodAttribute" && args.NamedArguments.Any(n => n.Name == "Sleepable" && n.Value is true))
                        sectionName = "struct_ops.s/" + arg;
                    var declaring = ts.FromDefinition(module, th, []);
                    var method = ts.ResolveMethod(module, mh, GenericContext.Empty, out _)!;
                    if ((def.Attributes & MethodAttributes.Static) == 0)
                    {
                        continue;
                    }

                    if (filter is not null && !filter(FullName(reader, type) + "." + reader.GetString(def.Name)))
                    {
                        continue;
                    }

                    var name = BtfTypeMapper.Identifier(reader.GetString(def.Name));
                    if (!names.Add(name))
                    {
                        name = BtfTypeMapper.Identifier(BtfTypeMapper.SimpleName(declaring) + "_" + name);
                        names.Add(name);
                    }

                    result.Add(new ProgramEntry(sectionName, new ResolvedMethod
                    {
                        Module = method.Module,
                        Handle = method.Handle,
                        DeclaringType = method.DeclaringType,
                        MethodTypeArguments = [],
                        Name = name,
                        Signature = method.Signature,
                    }));
                }
            }
        }

        return result;
    }

    /// <summary>The C#-style full name of a type definition: namespace, enclosing types and name, with dots.</summary>
    private static string FullName(MetadataReader reader, TypeDefinition type)
    {
        var name = reader.GetString(type.Name);
        var declaring = type.GetDeclaringType();
        if (!declaring.IsNil)
        {
            return FullName(reader, reader.GetTypeDefinition(declaring)) + "." + name;
        }

        var ns = reader.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    private static SourceLocation Locate((ResolvedMethod Method, int IlOffset)? position, ResolvedMethod entry)
    {
        var (method, il) = position ?? (entry, -1);
        return LocateIn(method.Module, method.Handle, il, method.DisplayName);
    }

    private static SourceLocation LocateIn(LoadedModule module, MethodDefinitionHandle handle, int il, string displayName)
    {
        var method = (Module: module, Handle: handle, DisplayName: displayName);
        var points = module.GetSequencePoints(handle);
        var best = points.LastOrDefault(p => p.IlOffset <= il);
        if (best.Document is null && points.Count > 0)
        {
            best = points[0];
        }

        return best.Document is null
            ? new SourceLocation(method.Module.Path, 0, 0, method.DisplayName, il)
            : new SourceLocation(best.Document, best.Line, best.Column, method.DisplayName, il);
    }
}
