using BpfSharp.Linux.Maps;
using BpfSharp.Objects;

namespace BpfSharp.Linux.Loading;

/// <summary>
/// What the kernel holds for a loaded object (cilium's <c>Collection</c>): its programs, maps, global data and BTF.
/// Disposing closes every fd and unmaps the data; pinned objects stay pinned (use <see cref="Unpin"/>).
/// </summary>
public sealed class BpfCollection : IDisposable
{
    private readonly List<string> _pinnedByUs;
    private readonly Dictionary<string, string> _kernelMapNames;
    private bool _disposed;

    internal BpfCollection(ObjectSpec spec, KernelBtf? btf, Dictionary<string, BpfMap> maps, Dictionary<string, BpfProgram> programs,
        Dictionary<string, BpfGlobalData> data, List<string> pinnedByUs, IReadOnlyList<string> log, Dictionary<string, string> kernelMapNames,
        Dictionary<string, BpfStructOps>? structOps = null, BpfArena? arena = null)
    {
        Arena = arena;
        StructOps = structOps ?? [];
        _kernelMapNames = kernelMapNames;
        Spec = spec;
        Btf = btf;
        Maps = maps;
        Programs = programs;
        GlobalData = data;
        _pinnedByUs = pinnedByUs;
        LoaderLog = log;
    }

    /// <summary>Loads an object with default options (shortcut for <see cref="BpfObjectLoader"/>).</summary>
    public static BpfCollection Load(ObjectSpec spec, BpfLoaderOptions? options = null) => new BpfObjectLoader(spec, options).Load();

    /// <summary>Reads and loads an object file.</summary>
    public static BpfCollection Load(string path, BpfLoaderOptions? options = null) => Load(ObjectSpec.Load(path), options);

    /// <summary>
    /// The struct_ops maps (<c>.struct_ops</c>, <c>.struct_ops.link</c> variables) by variable name, ready to
    /// <see cref="BpfStructOps.Register"/>; their maps are also in <see cref="Maps"/>.
    /// </summary>
    public IReadOnlyDictionary<string, BpfStructOps> StructOps { get; }

    /// <summary>
    /// The object's arena map mapped into this process (its <c>__arena</c> globals, and the pages programs allocate,
    /// at the addresses the programs' arena pointers hold), or null if the object has no arena map.
    /// </summary>
    public BpfArena? Arena { get; }

    /// <summary>The object this came from.</summary>
    public ObjectSpec Spec { get; }
    /// <summary>The object's BTF in the kernel, or null if the object has none (or the kernel refused it).</summary>
    public KernelBtf? Btf { get; }
    /// <summary>Maps by name: BTF-defined maps by variable name, global data by section name (<c>.rodata</c>).</summary>
    public IReadOnlyDictionary<string, BpfMap> Maps { get; }
    /// <summary>Loaded programs by function name (programs not autoloaded are absent).</summary>
    public IReadOnlyDictionary<string, BpfProgram> Programs { get; }
    /// <summary>Mapped global data by section name.</summary>
    public IReadOnlyDictionary<string, BpfGlobalData> GlobalData { get; }
    /// <summary>Paths this load pinned (maps with <c>LIBBPF_PIN_BY_NAME</c> that did not exist yet).</summary>
    public IReadOnlyList<string> PinnedPaths => _pinnedByUs;
    /// <summary>libbpf-style log lines of the load (CO-RE decisions, warnings).</summary>
    public IReadOnlyList<string> LoaderLog { get; }

    /// <summary>Reads a global variable (searches every data section, then the arena's <c>__arena</c> globals).</summary>
    public T ReadVariable<T>(string name) where T : unmanaged =>
        FindVariableSection(name) is { } d ? d.Read<T>(name) : ArenaWithVariable(name).Read<T>(name);

    /// <summary>Writes a global variable of a writable section, or an <c>__arena</c> global.</summary>
    public void WriteVariable<T>(string name, T value) where T : unmanaged
    {
        if (FindVariableSection(name) is { } d) d.Write(name, value);
        else ArenaWithVariable(name).Write(name, value);
    }

    private BpfGlobalData? FindVariableSection(string name)
    {
        foreach (var d in GlobalData.Values)
            foreach (var v in d.Variables)
                if (v.Name == name) return d;
        return null;
    }

    private BpfArena ArenaWithVariable(string name)
    {
        if (Arena?.Globals is { } globals)
            foreach (var v in globals.Variables)
                if (v.Name == name) return Arena;
        throw new KeyNotFoundException($"no global variable '{name}'");
    }

    /// <summary>The name a map has in the kernel (internal maps: libbpf's <c>objname.rodata</c> form).</summary>
    public string GetKernelMapName(string mapName) => _kernelMapNames.TryGetValue(mapName, out var n) ? n : mapName;

    /// <summary>
    /// Pins every program at <c>directory/NAME</c> ('.' becomes '_') (libbpf's <c>bpf_object__pin_programs</c>). If one pin fails, the pins
    /// this call made are removed again and the error propagates; nothing it did not create is touched.
    /// </summary>
    public IReadOnlyList<string> PinPrograms(string directory) =>
        PinAll(directory, Programs.Select(p => (p.Key, p.Value.FileDescriptor)));

    /// <summary>Pins every map at <c>directory/KERNEL_NAME</c> (libbpf's <c>bpf_object__pin_maps</c>), all or nothing like <see cref="PinPrograms"/>.</summary>
    public IReadOnlyList<string> PinMaps(string directory) =>
        PinAll(directory, Maps.Select(m => (GetKernelMapName(m.Key), m.Value.FileDescriptor)));

    private static List<string> PinAll(string directory, IEnumerable<(string Name, BpfFileDescriptor Fd)> items)
    {
        var created = new List<string>();
        try
        {
            foreach (var (name, fd) in items)
            {
                // bpffs reserves '.' in names; libbpf's sanitize_pin_path turns them into '_'.
                var path = ObjectPins.ChildPath(directory, name.Replace('.', '_'), "pin");
                ObjectPins.Pin(fd, path);
                created.Add(path);
            }
            return created;
        }
        catch
        {
            foreach (var p in created) try { File.Delete(p); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>Removes the pins this load created.</summary>
    public void Unpin()
    {
        foreach (var p in _pinnedByUs) try { File.Delete(p); } catch (IOException) { }
        _pinnedByUs.Clear();
    }

    /// <summary>Closes every fd and unmaps global data and the arena.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var d in GlobalData.Values) d.Dispose();
        Arena?.Dispose();
        foreach (var p in Programs.Values) p.Dispose();
        foreach (var m in Maps.Values) m.Dispose();
        Btf?.Dispose();
    }
}
