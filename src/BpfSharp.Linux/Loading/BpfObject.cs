using System.Reflection;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.Maps;
using BpfSharp.Objects;

namespace BpfSharp.Linux.Loading;

/// <summary>
/// A BPF object through its life, as libbpf's <c>bpf_object</c> and bpftool's skeletons see it: opened (parsed; set
/// <c>.rodata</c>, map sizes and autoload), loaded (in the kernel; read and write <c>.data</c>/<c>.bss</c>, use maps
/// and programs), attached (<see cref="AttachAll"/>), disposed (everything closed). The typed classes that BpfSharp
/// generates for a C# BPF program, and <c>bpfsharp gen skeleton</c> for a C one, are thin layers over this type.
/// </summary>
public sealed class BpfObject : IDisposable
{
    /// <summary>
    /// The name of the manifest resource under which the BpfSharp build embeds the compiled object in an assembly.
    /// </summary>
    public const string EmbeddedResourceName = "BpfSharp.Object.bpf.o";

    private BpfObjectLoader? _loader;
    private BpfCollection? _collection;
    private readonly Dictionary<string, (GlobalVariableSpec Spec, string Section)> _variables = [];

    // Inner templates as they were loaded (sized by SetInnerMapMaxEntries), for CreateInnerMap after Load.
    private readonly Dictionary<string, Func<string?, BpfMap>> _innerMapCreators = [];

    private BpfObject(ObjectSpec spec, BpfLoaderOptions? options)
    {
        Spec = spec;
        _loader = new BpfObjectLoader(spec, options);
        foreach (var d in spec.DataSections)
        {
            if (d.Kind == DataSectionKind.Kconfig) continue;
            foreach (var v in d.Variables)
            {
                _variables[v.Name] = (v, d.Name);
            }
        }

        // __arena globals live in the arena's mapping once loaded (a skeleton's [ArenaGlobal] fields).
        if (spec.ArenaData is { } arena)
        {
            foreach (var v in arena.Variables)
            {
                _variables.TryAdd(v.Name, (v, arena.Name));
            }
        }
    }

    /// <summary>Opens a parsed object.</summary>
    public static BpfObject Open(ObjectSpec spec, BpfLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new BpfObject(spec, options);
    }

    /// <summary>Opens the object in <paramref name="image"/> (e.g. bytes embedded by <c>bpfsharp gen skeleton</c>).</summary>
    /// <param name="image">The ELF object.</param>
    /// <param name="name">A name for error messages (the object's file name).</param>
    /// <param name="options">Loader options; null for the defaults.</param>
    /// <exception cref="BpfFormatException">The bytes are not a valid BPF object.</exception>
    public static BpfObject Open(ReadOnlyMemory<byte> image, string name, BpfLoaderOptions? options = null) =>
        new(ObjectSpec.Read(image, name), options);

    /// <summary>Opens an object file.</summary>
    public static BpfObject Open(string path, BpfLoaderOptions? options = null) => new(ObjectSpec.Load(path), options);

    /// <summary>
    /// Opens the object the BpfSharp build compiled from <paramref name="assembly"/>'s C# BPF programs and embedded
    /// in it (resource <see cref="EmbeddedResourceName"/>). Works in single-file and NativeAOT applications.
    /// </summary>
    /// <exception cref="InvalidOperationException">The assembly has no embedded object (it was not built with the BpfSharp package, or has no BPF programs).</exception>
    public static BpfObject OpenEmbedded(Assembly assembly, BpfLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        using var stream = assembly.GetManifestResourceStream(EmbeddedResourceName)
            ?? throw new InvalidOperationException(
                $"assembly '{assembly.GetName().Name}' has no embedded BPF object: build it with the BpfSharp package (BpfCompile=true) and give it at least one BPF program");
        var image = new byte[stream.Length];
        stream.ReadExactly(image);
        return new BpfObject(ObjectSpec.Read(image, assembly.GetName().Name + ".bpf.o"), options);
    }

    /// <summary>What the object file says.</summary>
    public ObjectSpec Spec { get; }

    /// <summary>True once <see cref="Load"/> succeeded.</summary>
    public bool IsLoaded => _collection is not null;

    /// <summary>The kernel objects (after <see cref="Load"/>).</summary>
    /// <exception cref="InvalidOperationException">Not loaded yet.</exception>
    public BpfCollection Collection => _collection ?? throw new InvalidOperationException("the BPF object is not loaded yet: call Load() first");

    /// <summary>The loader (before <see cref="Load"/>): autoload, map sizes, variables.</summary>
    /// <exception cref="InvalidOperationException">Already loaded.</exception>
    public BpfObjectLoader Loader => _loader ?? throw new InvalidOperationException(
        _collection is null ? "the BPF object is disposed" : "the BPF object is already loaded: set this before Load()");

    /// <summary>Sets a map's maximum entries before load (a ring buffer's size in bytes).</summary>
    public void SetMaxEntries(string mapName, uint maxEntries) => Loader.SetMaxEntries(mapName, maxEntries);

    /// <summary>Sizes a map-in-map's inner template before <see cref="Load"/> (see <see cref="BpfObjectLoader.SetInnerMapMaxEntries"/>).</summary>
    public void SetInnerMapMaxEntries(string outerMapName, uint maxEntries) => Loader.SetInnerMapMaxEntries(outerMapName, maxEntries);

    /// <summary>Sets a map's value size before load.</summary>
    public void SetValueSize(string mapName, uint valueSize) => Loader.SetValueSize(mapName, valueSize);

    /// <summary>Sets whether an entry program is loaded.</summary>
    public void SetAutoload(string programName, bool autoload) => Loader.SetAutoload(programName, autoload);

    /// <inheritdoc cref="BpfObjectLoader.GetStructOpsData"/>
    public Span<byte> GetStructOpsData(string name) => Loader.GetStructOpsData(name);

    /// <inheritdoc cref="BpfObjectLoader.SetAttachTarget"/>
    public void SetAttachTarget(string programName, BpfProgram? targetProgram, string? functionName = null) =>
        Loader.SetAttachTarget(programName, targetProgram, functionName);

    /// <summary>Creates everything in the kernel.</summary>
    /// <exception cref="BpfLoadException">Loading failed; nothing is left in the kernel.</exception>
    /// <exception cref="BpfVerifierException">The verifier rejected a program; the log says why.</exception>
    public void Load()
    {
        var loader = Loader;
        _collection = loader.Load();
        foreach (var m in Spec.Maps.Where(m => m.InnerMap is not null))
            _innerMapCreators[m.Name] = name => loader.CreateInnerMap(m.Name, name);
        _loader = null;
    }

    /// <summary>
    /// Creates a map the kernel accepts as a value of map-in-map <paramref name="outerMapName"/>: shaped like its inner
    /// template as loaded (before <see cref="Load"/>, as it will be loaded). The caller owns it; store it with
    /// <see cref="BpfMapOfMaps{TKey}.Set"/> or <see cref="BpfMap.SetInnerMap"/>.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such map.</exception>
    /// <exception cref="InvalidOperationException">The map is not an array or hash of maps.</exception>
    public BpfMap CreateInnerMap(string outerMapName, string? name = null) =>
        _loader is not null ? _loader.CreateInnerMap(outerMapName, name)
        : _innerMapCreators.TryGetValue(outerMapName, out var create) ? create(name)
        : Collection.Maps.ContainsKey(outerMapName)
            ? throw new InvalidOperationException($"map '{outerMapName}' is not a map of maps (it has no inner map template)")
            : throw new KeyNotFoundException($"no map '{outerMapName}' in {Spec.Path ?? "the object"}");

    /// <summary>A typed view of a map of maps (after load); the view does not own the map.</summary>
    public BpfMapOfMaps<TKey> MapOfMaps<TKey>(string name) where TKey : unmanaged => new(Map(name));

    /// <summary>A typed handle on a global variable (<c>.data</c>, <c>.rodata</c>, <c>.bss</c>).</summary>
    /// <exception cref="KeyNotFoundException">No such variable.</exception>
    /// <exception cref="ArgumentException">Its size is not <typeparamref name="T"/>'s.</exception>
    public BpfVariable<T> Variable<T>(string name) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_variables.TryGetValue(name, out var v)) throw new KeyNotFoundException($"no global variable '{name}' in {Spec.Path ?? "the object"}");
        return new BpfVariable<T>(this, name, (int)v.Spec.Size);
    }

    internal Span<byte> GetVariableBytes(string name, bool forWrite)
    {
        if (_loader is not null) return _loader.GetVariableBytes(name);
        if (Spec.ArenaData is { } arena && _variables[name].Section == arena.Name)
            return Collection.Arena!.GetVariableBytes(name);
        var data = Collection.GlobalData[_variables[name].Section];
        if (forWrite && data.IsReadOnly)
            throw new InvalidOperationException($"'{name}' is in {data.Name}, which is read-only once loaded: set it before Load()");
        return data.GetVariableBytes(name);
    }

    /// <summary>The arena map's mapping (after load), or null if the object has no arena (see <see cref="BpfCollection.Arena"/>).</summary>
    public Maps.BpfArena? Arena => Collection.Arena;

    /// <summary>A map (after load).</summary>
    /// <exception cref="KeyNotFoundException">No such map.</exception>
    public BpfMap Map(string name) =>
        Collection.Maps.TryGetValue(name, out var map) ? map : throw new KeyNotFoundException($"no map '{name}' in {Spec.Path ?? "the object"}");

    /// <summary>A typed view of a map (after load); the view does not own the map.</summary>
    public BpfMap<TKey, TValue> Map<TKey, TValue>(string name) where TKey : unmanaged where TValue : unmanaged => new(Map(name));

    /// <summary>A program (after load).</summary>
    /// <exception cref="KeyNotFoundException">No such program, or it was not loaded (autoload off).</exception>
    public BpfProgram Program(string name) =>
        Collection.Programs.TryGetValue(name, out var program) ? program : throw new KeyNotFoundException($"no loaded program '{name}' in {Spec.Path ?? "the object"}");

    /// <summary>
    /// Attaches every loaded entry program whose section names its own attach point (tracepoints, raw and BTF
    /// tracepoints, kprobes, uprobes, <c>usdt/PATH:PROVIDER:NAME</c>: see <see cref="SectionAttach"/>); programs that need a target from the caller
    /// (XDP, tc, cgroup, perf_event) are left for the caller to attach. Then registers every struct_ops map
    /// (<see cref="BpfStructOps.Register"/>, in the object's order), as libbpf's <c>bpf_object__attach_skeleton</c>
    /// does since 1.5. If one attach fails, the ones already made are detached before the exception propagates.
    /// </summary>
    /// <returns>The links; dispose to detach them all.</returns>
    /// <exception cref="BpfAttachException">A program or struct_ops map could not be attached: the message names it
    /// (<c>program 'NAME' (section 'SEC'): …</c>), <see cref="Exception.InnerException"/> is the kernel's or the
    /// attach point's error, and <see cref="BpfAttachException.Errno"/> its errno.</exception>
    public BpfLinkGroup AttachAll()
    {
        var links = new List<BpfLink>();
        try
        {
            foreach (var p in Spec.Programs)
            {
                if (p.IsSubprogram) continue;
                var usdt = SectionAttach.TryParseUsdt(p.SectionName, out _, out _, out _);
                if (!usdt && !SectionAttach.CanAttach(p.SectionName)) continue;
                if (!Collection.Programs.TryGetValue(p.Name, out var program)) continue;
                try
                {
                    links.Add(usdt ? SectionAttach.AttachUsdt(program, p.SectionName, Usdt) : SectionAttach.Attach(program, p.SectionName));
                }
                catch (Exception e) when (e is BpfSyscallException or BpfAttachException or IOException)
                {
                    throw BpfAttachException.For($"program '{p.Name}' (section '{p.SectionName}')", e);
                }
            }

            // After the programs, as libbpf: a struct_ops whose programs are loaded is ready to register.
            foreach (var so in Spec.StructOps)
            {
                if (!Collection.StructOps.TryGetValue(so.Name, out var ops)) continue;
                try
                {
                    links.Add(ops.Register());
                }
                catch (Exception e) when (e is BpfSyscallException or BpfAttachException)
                {
                    throw BpfAttachException.For($"struct_ops '{so.Name}'", e);
                }
            }
        }
        catch
        {
            for (var i = links.Count - 1; i >= 0; i--) links[i].Dispose();
            throw;
        }
        return new BpfLinkGroup(links);
    }

    /// <summary>
    /// The object's USDT support (after load): spec ids and the <c>__bpf_usdt_specs</c> map that libbpf's
    /// <c>usdt.bpf.h</c> (or a C# program's <c>Usdt</c> calls) defines.
    /// </summary>
    /// <exception cref="InvalidOperationException">The object has no USDT spec maps (include usdt.bpf.h).</exception>
    public UsdtManager Usdt
    {
        get
        {
            if (_usdt is not null) return _usdt;
            // libbpf also wants __bpf_usdt_ip_to_spec_id, which only kernels without BPF cookies use; the C# Usdt
            // class reads by cookie alone and does not define it.
            if (!Collection.Maps.TryGetValue(UsdtManager.SpecsMapName, out var specs))
                throw new InvalidOperationException($"{Spec.Path ?? "the object"}: no USDT spec map ({UsdtManager.SpecsMapName}): " +
                    "include bpf/usdt.bpf.h (C) or use BpfSharp.Kernel.Usdt (C#)");
            Interlocked.CompareExchange(ref _usdt, new UsdtManager(specs), null);
            return _usdt;
        }
    }

    private UsdtManager? _usdt;

    /// <summary>
    /// Attaches program <paramref name="programName"/> to USDT <paramref name="provider"/>:<paramref name="name"/>
    /// of <paramref name="binaryPath"/> (libbpf's <c>bpf_program__attach_usdt</c>; see <see cref="UsdtManager.Attach"/>).
    /// </summary>
    /// <param name="programName">A loaded program of this object.</param>
    /// <param name="binaryPath">The executable or shared library.</param>
    /// <param name="provider">The USDT provider.</param>
    /// <param name="name">The USDT name.</param>
    /// <param name="processId">Only this process; 0 for the calling process; -1 for every process.</param>
    /// <param name="cookie">The value <c>bpf_usdt_cookie</c> (C) or <c>Usdt.Cookie</c> (C#) returns.</param>
    /// <exception cref="BpfAttachException">No such probe, or attaching failed.</exception>
    public UsdtLink AttachUsdt(string programName, string binaryPath, string provider, string name, int processId = -1, ulong cookie = 0) =>
        Usdt.Attach(Program(programName), binaryPath, provider, name, processId, cookie);

    /// <summary>Closes everything this object holds in the kernel (links made by <see cref="AttachAll"/> are the caller's).</summary>
    public void Dispose()
    {
        _loader = null;
        _collection?.Dispose();
    }
}
