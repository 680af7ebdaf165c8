using System.Runtime.InteropServices;
using BpfSharp.Btf;
using BpfSharp.CoRe;
using BpfSharp.Instructions;
using BpfSharp.Linux.Interop;
using BpfSharp.Linux.Maps;
using BpfSharp.Objects;

namespace BpfSharp.Linux.Loading;

/// <summary>
/// Loads an <see cref="ObjectSpec"/> into the kernel (libbpf's <c>bpf_object__open</c> + <c>bpf_object__load</c>):
/// BTF, maps, global data, externs, CO-RE, subprogram linking, relocations, programs. Between construction and
/// <see cref="Load"/> the caller may change autoload flags and global variables (e.g. <c>.rodata</c> constants).
/// On any failure everything created so far is closed and unpinned.
/// </summary>
public sealed partial class BpfObjectLoader
{
    private const byte PseudoMapFd = 1, PseudoMapValue = 2, PseudoBtfId = 3, PseudoCall = 1, PseudoFunc = 4, PseudoKfuncCall = 2;

    private readonly ObjectSpec _spec;
    private readonly BpfLoaderOptions _options;
    // Section contents to upload; null for a zero-filled section (.bss) nobody wrote to, which costs no memory here
    // however large it claims to be (a 9 KB file once cost 1 GB with a 1 GiB .bss).
    private readonly Dictionary<string, byte[]?> _data = [];
    // The __arena globals' initial bytes once a caller changed one before load, else null (the section's own bytes).
    private byte[]? _arenaData;
    private readonly Dictionary<string, bool> _autoload = [];
    private readonly List<string> _log = [];
    private readonly Dictionary<MapSpec, uint> _maxEntries = [];
    private readonly Dictionary<MapSpec, uint> _valueSizes = [];
    private readonly Dictionary<string, (BpfProgram? Program, string? Function)> _attachTargets = [];

    /// <summary>Prepares loading <paramref name="spec"/>.</summary>
    public BpfObjectLoader(ObjectSpec spec, BpfLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        // libbpf v1.0+ refuses such objects at open; loading their programs without the maps would silently differ.
        if (spec.FindSection("maps") is not null)
            throw new BpfLoadException($"{spec.Path ?? "object"}: legacy map definitions in 'maps' section are not supported (libbpf v1.0+ refuses them too); declare maps in '.maps' with BTF");
        _spec = spec;
        _options = options ?? new BpfLoaderOptions();
        foreach (var d in spec.DataSections)
        {
            if (d.Kind == DataSectionKind.Kconfig) continue;
            if (d.InitialData.IsEmpty || d.Size > MaxDataSectionSize) { _data[d.Name] = null; continue; }
            var bytes = new byte[d.Size];
            d.InitialData.Span[..Math.Min(d.InitialData.Length, bytes.Length)].CopyTo(bytes);
            _data[d.Name] = bytes;
        }
        foreach (var p in spec.Programs)
            if (!p.IsSubprogram) _autoload[p.Name] = !p.SectionName.StartsWith('?');
    }

    /// <summary>The object.</summary>
    public ObjectSpec Spec => _spec;

    /// <summary>The entry programs (not subprograms) by name with their autoload flag.</summary>
    public IReadOnlyDictionary<string, bool> Autoload => _autoload;

    /// <summary>Sets whether a program is loaded (libbpf's <c>bpf_program__set_autoload</c>).</summary>
    public void SetAutoload(string programName, bool autoload)
    {
        if (!_autoload.ContainsKey(programName)) throw new KeyNotFoundException($"no entry program '{programName}'");
        _autoload[programName] = autoload;
    }

    /// <summary>
    /// Sets what a program attaches to, before load (libbpf's <c>bpf_program__set_attach_target</c>): with
    /// <paramref name="targetProgram"/>, the global function <paramref name="functionName"/> of that BPF program
    /// (freplace programs need this; fentry/fexit may trace a BPF program this way), its id taken from the target's
    /// BTF; without, the kernel function (or LSM hook, BTF tracepoint) <paramref name="functionName"/> instead of the
    /// one the section names. <paramref name="functionName"/> null keeps the section's name.
    /// The caller keeps <paramref name="targetProgram"/> open until the load is done.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No entry program of that name.</exception>
    public void SetAttachTarget(string programName, BpfProgram? targetProgram, string? functionName = null)
    {
        if (!_autoload.ContainsKey(programName)) throw new KeyNotFoundException($"no entry program '{programName}'");
        if (targetProgram is null && functionName is null)
            throw new ArgumentException("give a target program, a function name or both", nameof(functionName));
        _attachTargets[programName] = (targetProgram, functionName);
    }

    /// <summary>
    /// Sets a map's maximum number of entries before load (libbpf's <c>bpf_map__set_max_entries</c>), for maps whose
    /// size depends on the machine (CPUs, memory) or on the user's options. For a ring buffer it is the size in bytes.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The object has no such map.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxEntries"/> is 0 for a map type that needs entries.</exception>
    public void SetMaxEntries(string mapName, uint maxEntries)
    {
        var map = FindMap(mapName);
        if (maxEntries == 0 && map.Type is not (BpfMapType.PerfEventArray or BpfMapType.InodeStorage or BpfMapType.TaskStorage
                or BpfMapType.SkStorage or BpfMapType.CgrpStorage))
            throw new ArgumentOutOfRangeException(nameof(maxEntries), $"map '{mapName}' needs at least one entry");
        _maxEntries[map] = maxEntries;
    }

    /// <summary>
    /// Sets the maximum entries of a map-in-map's inner template before load (libbpf's
    /// <c>bpf_map__set_max_entries(bpf_map__inner_map(outer), n)</c>): the kernel then accepts, as values of the
    /// outer map, only inner maps of that size (unless the template has <c>BPF_F_INNER_MAP</c>).
    /// </summary>
    /// <exception cref="KeyNotFoundException">The object has no such map.</exception>
    /// <exception cref="InvalidOperationException">The map is not an array or hash of maps.</exception>
    public void SetInnerMapMaxEntries(string outerMapName, uint maxEntries)
    {
        var inner = FindMap(outerMapName).InnerMap
            ?? throw new InvalidOperationException($"map '{outerMapName}' is not a map of maps (it has no inner map template)");
        if (maxEntries == 0 && inner.Type is not (BpfMapType.PerfEventArray or BpfMapType.InodeStorage or BpfMapType.TaskStorage
                or BpfMapType.SkStorage or BpfMapType.CgrpStorage))
            throw new ArgumentOutOfRangeException(nameof(maxEntries), $"the inner map of '{outerMapName}' needs at least one entry");
        _maxEntries[inner] = maxEntries;
    }

    /// <summary>The maximum number of entries the inner template of map-in-map <paramref name="outerMapName"/> will be created with.</summary>
    /// <exception cref="KeyNotFoundException">The object has no such map.</exception>
    /// <exception cref="InvalidOperationException">The map is not an array or hash of maps.</exception>
    public uint GetInnerMapMaxEntries(string outerMapName) =>
        EffectiveSizes(FindMap(outerMapName).InnerMap
            ?? throw new InvalidOperationException($"map '{outerMapName}' is not a map of maps (it has no inner map template)")).MaxEntries;

    /// <summary>
    /// Creates a map shaped like the inner template of map-in-map <paramref name="outerMapName"/> (its type, key and
    /// value sizes, flags and, with <see cref="SetInnerMapMaxEntries"/> applied, max_entries): a map the kernel accepts
    /// as a value of the outer map. The caller owns it.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The object has no such map.</exception>
    /// <exception cref="InvalidOperationException">The map is not an array or hash of maps.</exception>
    /// <exception cref="BpfSyscallException">The kernel refused the map.</exception>
    public BpfMap CreateInnerMap(string outerMapName, string? name = null)
    {
        var inner = FindMap(outerMapName).InnerMap
            ?? throw new InvalidOperationException($"map '{outerMapName}' is not a map of maps (it has no inner map template)");
        var (key, value, max) = EffectiveSizes(inner);
        return BpfMap.Create(inner.Type, (int)key, (int)value, (int)max, (BpfMapFlags)inner.Flags, name);
    }

    /// <summary>
    /// Sets a map's value size before load (libbpf's <c>bpf_map__set_value_size</c>), e.g. a stack trace map's
    /// depth. The map is then created without BTF for its value, whose type no longer has that size.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The object has no such map, or it is a global data section.</exception>
    public void SetValueSize(string mapName, uint valueSize)
    {
        var map = FindMap(mapName);
        if (valueSize == 0) throw new ArgumentOutOfRangeException(nameof(valueSize), $"map '{mapName}' needs a value size");
        _valueSizes[map] = valueSize;
    }

    /// <summary>The maximum number of entries map <paramref name="mapName"/> will be created with.</summary>
    public uint GetMaxEntries(string mapName) => EffectiveSizes(FindMap(mapName)).MaxEntries;

    private MapSpec FindMap(string mapName)
    {
        ArgumentNullException.ThrowIfNull(mapName);
        foreach (var m in _spec.Maps)
            if (m.Name == mapName) return m;
        throw new KeyNotFoundException($"no map '{mapName}' in the object");
    }

    /// <summary>Sets the initial bytes of a global variable (any data section, including <c>.rodata</c> and the arena's <c>.addr_space.1</c>) before load.</summary>
    public void SetVariable(string name, ReadOnlySpan<byte> value)
    {
        var bytes = GetVariableBytes(name);
        if (value.Length != bytes.Length)
            throw new ArgumentException($"variable '{name}' is {bytes.Length} bytes, value is {value.Length}", nameof(value));
        value.CopyTo(bytes);
    }

    /// <summary>The initial bytes of a global variable as they will be loaded (writable until <see cref="Load"/>).</summary>
    /// <exception cref="KeyNotFoundException">No global variable of that name.</exception>
    public Span<byte> GetVariableBytes(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var d in _spec.DataSections)
        {
            if (d.Kind == DataSectionKind.Kconfig) continue;
            foreach (var v in d.Variables)
                if (v.Name == name) return (_data[d.Name] ??= new byte[CheckedDataSize(d)]).AsSpan((int)v.Offset, (int)v.Size);
        }
        if (_spec.ArenaData is { } arena)
            foreach (var v in arena.Variables)
                if (v.Name == name)
                {
                    if (_arenaData is null)
                    {
                        _arenaData = new byte[CheckedDataSize(arena.Size, arena.Name)];
                        arena.InitialData.Span[..Math.Min(arena.InitialData.Length, _arenaData.Length)].CopyTo(_arenaData);
                    }
                    return _arenaData.AsSpan((int)v.Offset, (int)v.Size);
                }
        throw new KeyNotFoundException($"no global variable '{name}'");
    }

    /// <summary>Sets a global variable before load.</summary>
    public void SetVariable<T>(string name, T value) where T : unmanaged =>
        SetVariable(name, MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)));

    /// <summary>The kernel's bound on an array map's value (<c>INT_MAX</c>, else E2BIG), so on a data section.</summary>
    private const ulong MaxDataSectionSize = int.MaxValue;

    private static int CheckedDataSize(DataSectionSpec d) => CheckedDataSize(d.Size, d.Name);

    private static int CheckedDataSize(ulong size, string name) => size <= MaxDataSectionSize ? (int)size
        : throw new BpfLoadException($"data section '{name}' is {size} bytes; a map value holds at most {MaxDataSectionSize} (E2BIG)");

    /// <summary>
    /// Creates everything in the kernel. Throws <see cref="BpfLoadException"/> (or <see cref="BpfVerifierException"/>)
    /// on failure, <see cref="BpfFormatException"/> for a malformed part found only now, leaving nothing behind.
    /// </summary>
    public BpfCollection Load()
    {
        MemoryLockLimit.RaiseIfNeeded();
        var state = new LoadState();
        try
        {
            var collection = LoadCore(state);
            state.Token?.Dispose(); // what it created keeps its rights; libbpf also needs the token only to create
            return collection;
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or OverflowException or KeyNotFoundException
                                      or InvalidOperationException or NullReferenceException)
        {
            // The error contract (docs/errors.md): an object the reader accepted that the loader cannot use is a load
            // error naming the object, never an undocumented exception type. The inner exception keeps the stack.
            state.Rollback();
            throw new BpfLoadException($"{_spec.Path ?? "object"}: malformed object the loader cannot use: {e.Message}", e)
            {
                LoaderLog = [.. _log],
            };
        }
        catch
        {
            state.Rollback();
            throw;
        }
    }

    private sealed class LoadState
    {
        public KernelBtf? Btf;
        public LoadableBtf? Loadable;
        public BtfFeatures Features;
        public BtfSpec? Vmlinux;
        public List<CoReTarget>? Targets;
        public readonly Dictionary<string, BpfMap> Maps = [];
        public readonly Dictionary<string, BpfProgram> Programs = [];
        public readonly Dictionary<string, BpfGlobalData> Data = [];
        public readonly List<string> Pinned = [];
        public readonly Dictionary<string, string> KernelMapNames = [];
        public readonly HashSet<string> ReusedPins = [];
        public Dictionary<string, Instruction[]> Patched = [];
        public readonly Dictionary<(string Func, int Insn), CoReRelocationReport> CoRe = [];
        public readonly Dictionary<string, ulong> KsymAddresses = [];
        public BpfToken? Token;
        public BpfArena? Arena;
        public readonly Dictionary<string, StructOpsPlan> StructOps = [];
        public readonly Dictionary<string, (int AttachBtfId, int MemberIndex)> StructOpsPrograms = [];

        public void Rollback()
        {
            Token?.Dispose();
            Arena?.Dispose();
            foreach (var d in Data.Values) d.Dispose();
            foreach (var p in Programs.Values) p.Dispose();
            foreach (var m in Maps.Values) m.Dispose();
            foreach (var p in Pinned) try { File.Delete(p); } catch (IOException) { }
            Btf?.Dispose();
        }
    }

    private BpfCollection LoadCore(LoadState st)
    {
        if (_spec.IsBigEndian != !BitConverter.IsLittleEndian)
            throw new BpfLoadException($"{_spec.Path}: object byte order does not match the host");
        var tokenPath = _options.TokenPath ?? Environment.GetEnvironmentVariable(BpfLoaderOptions.TokenPathVariable);
        if (!string.IsNullOrEmpty(tokenPath))
        {
            try
            {
                st.Token = BpfToken.Create(tokenPath);
            }
            catch (BpfTokenException e)
            {
                throw new BpfLoadException($"{_spec.Path ?? "object"}: failed to create BPF token from '{tokenPath}': {e.Message}", e) { LoaderLog = [.. _log] };
            }
            _log.Add($"libbpf: object '{ObjectName}': created BPF token from '{tokenPath}'");
        }
        // With a token the kernel's features are probed with it, as libbpf does: without it, a user namespace's
        // probes would all fail and the object's BTF would lose every kind the kernel in fact accepts.
        st.Features = _options.BtfFeatures ?? (st.Token is null ? KernelBtfFeatures.Supported : KernelBtfFeatures.Probe(st.Token));
        LoadBtf(st);
        RelocateCoRe(st);
        CreateMaps(st);
        CreateDataMaps(st);
        CreateStructOpsMaps(st);
        LoadPrograms(st);
        FillInitialValues(st);
        var structOps = FinishStructOps(st);
        var collection = new BpfCollection(_spec, st.Btf, st.Maps, st.Programs, st.Data, st.Pinned, _log, st.KernelMapNames, structOps, st.Arena);
        return collection;
    }

    private void LoadBtf(LoadState st)
    {
        if (_spec.Btf is null) return;
        st.Loadable = LoadableBtf.Prepare(_spec, st.Features);
        try
        {
            st.Btf = KernelBtf.Load(st.Loadable.ToArray(), st.Token);
        }
        catch (BpfSyscallException e)
        {
            // libbpf goes on without BTF unless something needs it; maps and programs then load without it.
            _log.Add($"libbpf: Error loading .BTF into kernel: {e.ErrnoName}. BTF is optional, ignoring.");
        }
    }

    private bool TargetIsRunningKernel => _options.TargetBtf is null && _options.TargetBtfPath is null;

    private BtfSpec Vmlinux(LoadState st)
    {
        if (st.Vmlinux is not null) return st.Vmlinux;
        st.Vmlinux = _options.TargetBtf
            ?? (_options.TargetBtfPath is not null ? BtfSpec.Load(_options.TargetBtfPath)
                : _options.UseRunningKernelCache ? RunningKernel.Btf : RunningKernel.ReadVmlinuxBtf());
        return st.Vmlinux;
    }

    private List<CoReTarget> Targets(LoadState st)
    {
        if (st.Targets is not null) return st.Targets;
        var vmlinux = Vmlinux(st);
        var targets = new List<CoReTarget> { new("vmlinux", vmlinux) };
        if (TargetIsRunningKernel && _options.IncludeKernelModules)
            foreach (var name in RunningKernel.GetModuleNames())
            {
                try
                {
                    var module = _options.UseRunningKernelCache ? RunningKernel.GetModuleBtf(name) : LoadModuleBtf(name, vmlinux);
                    if (module is not null) targets.Add(new CoReTarget(name, module));
                }
                catch (BpfFormatException) { _log.Add($"libbpf: failed to load module [{name}]'s BTF object, skipping"); }
            }
        return st.Targets = targets;
    }

    private static BtfSpec? LoadModuleBtf(string name, BtfSpec vmlinux)
    {
        try
        {
            return BtfSpec.Load(RunningKernel.ModuleDirectory + "/" + name, vmlinux);
        }
        catch (FileNotFoundException)
        {
            return null; // unloaded since the directory was listed
        }
    }

    private void RelocateCoRe(LoadState st)
    {
        var programs = new List<CoReProgram>(_spec.Programs.Count);
        foreach (var p in _spec.Programs)
            programs.Add(new CoReProgram(p.Name, p.SectionName, p.InstructionOffset, p.Instructions.ToArray(),
                Autoload: p.IsSubprogram || _autoload.GetValueOrDefault(p.Name)));
        st.Patched = programs.ToDictionary(p => p.Name, p => p.Instructions);
        if (_spec.Btf is null || _spec.BtfExt is null || _spec.BtfExt.CoReRelocationCount == 0) return;
        var sections = _spec.BtfExt.CoReRelocations.Select(s => new CoReRelocationSection(s.Name, s.Records.ToArray())).ToList();
        var log = new CoReLog();
        var relocator = new CoReRelocator(_spec.Btf, Targets(st)) { Log = log };
        var result = relocator.Relocate(sections, programs);
        if (!result.Succeeded) log.Warn($"failed to perform CO-RE relocations: {CoReErrno.ToErrString(result.Errno)}"); // as libbpf
        foreach (var line in log.Lines) _log.Add(line.Text);
        foreach (var r in result.Relocations)
            if (r.ProgramName is not null && r.InstructionIndex >= 0) st.CoRe[(r.ProgramName, r.InstructionIndex)] = r;
        if (!result.Succeeded)
        {
            var failed = result.Relocations.LastOrDefault(r => r.Outcome == CoReOutcome.Error);
            throw new BpfLoadException($"failed to perform CO-RE relocations: {failed?.Message ?? CoReErrno.ToErrString(result.Errno)}")
            { LoaderLog = [.. _log] };
        }
    }

    private string ObjectName
    {
        get
        {
            if (_options.ObjectName is not null) return _options.ObjectName;
            var file = System.IO.Path.GetFileName(_spec.Path ?? "obj");
            int dot = file.IndexOf('.');
            return dot > 0 ? file[..dot] : file;
        }
    }

    /// <summary>libbpf's <c>internal_map_name</c>: object-name prefix + section name, sanitised, 15 bytes.</summary>
    internal static string InternalMapName(string objectName, string sectionName)
    {
        int sfxLen = Math.Min(Math.Max(7, sectionName.Length), 15);
        int pfxLen = sectionName.IndexOf('.', 1) >= 0 ? 0 : Math.Min(15 - sfxLen, objectName.Length);
        var name = (objectName[..pfxLen] + sectionName[..Math.Min(sfxLen, sectionName.Length)]).ToCharArray();
        for (int i = 0; i < name.Length; i++)
            if (!(char.IsAsciiLetterOrDigit(name[i]) || name[i] is '_' or '.')) name[i] = '_';
        return new string(name);
    }

    private static string KernelName(string name)
    {
        var chars = name.Length > 15 ? name[..15].ToCharArray() : name.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
            if (!(char.IsAsciiLetterOrDigit(chars[i]) || chars[i] is '_' or '.')) chars[i] = '_';
        return new string(chars);
    }
}
