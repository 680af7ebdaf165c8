namespace BpfSharp.Kernel;

/// <summary>
/// A map of a type this library does not model, declared by its raw definition: the <c>BPF_MAP_TYPE_*</c> number,
/// key and value sizes, size and flags, as libbpf's <c>__uint(type, …)</c>, <c>__uint(key_size, …)</c> and
/// <c>__uint(value_size, …)</c> declare it. Its elements are bytes: pass pointers to keys and values of the
/// declared sizes, or the map itself to any helper that takes one.
/// </summary>
public sealed unsafe class UntypedMap : KernelMap
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="type">The kernel's <c>enum bpf_map_type</c> value.</param>
    /// <param name="keySize">Key size in bytes (0 for maps without keys).</param>
    /// <param name="valueSize">Value size in bytes.</param>
    /// <param name="maxEntries">The map's size (0 where the kernel wants none).</param>
    /// <param name="flags">Map creation flags.</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public UntypedMap(uint type, uint keySize, uint valueSize, uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    {
    }

    /// <summary><c>bpf_map_lookup_elem</c>: the value at <paramref name="key"/>, or null.</summary>
    public void* Lookup(void* key) => Bpf.MapLookupElem(this, key);

    /// <summary><c>bpf_map_update_elem</c>: stores <paramref name="value"/> at <paramref name="key"/>.</summary>
    /// <returns>0, or a negative errno.</returns>
    public long Update(void* key, void* value, UpdateFlags flags = UpdateFlags.Any) => Bpf.MapUpdateElem(this, key, value, (ulong)flags);

    /// <summary><c>bpf_map_delete_elem</c>: removes <paramref name="key"/>.</summary>
    /// <returns>0, or a negative errno.</returns>
    public long Delete(void* key) => Bpf.MapDeleteElem(this, key);
}
