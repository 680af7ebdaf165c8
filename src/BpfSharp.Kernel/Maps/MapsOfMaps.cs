using System.Runtime.CompilerServices;

namespace BpfSharp.Kernel;

/// <summary>
/// An array of maps (<c>BPF_MAP_TYPE_ARRAY_OF_MAPS</c>, key <c>u32</c>): each slot holds a map shaped like
/// <typeparamref name="TInner"/> (user space stores inner map fds, a program looks one up and uses it as that map).
/// The inner template is <typeparamref name="TInner"/> with <c>innerMaxEntries</c> and <c>innerFlags</c>, emitted as
/// libbpf's <c>__array(values, struct { … })</c>; the kernel accepts only inner maps of that type, key and value size
/// (and max_entries for arrays, unless <c>innerFlags</c> has <see cref="MapFlags.InnerMap"/>).
/// </summary>
/// <typeparam name="TInner">The inner map class with its key and value types, e.g. <c>ArrayMap&lt;ulong&gt;</c>.</typeparam>
/// <remarks>
/// Slots may be filled at load time as libbpf's <c>.values = { [1] = &amp;inner }</c>:
/// <c>static readonly ArrayOfMaps&lt;ArrayMap&lt;ulong&gt;&gt; Outer = new(maxEntries: 2, innerMaxEntries: 4) { [1] = Inner };</c>
/// where <c>Inner</c> is another map field of the same shape.
/// </remarks>
public sealed unsafe class ArrayOfMaps<TInner> : KernelMap
    where TInner : KernelMap
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="maxEntries">The number of slots.</param>
    /// <param name="innerMaxEntries">The inner template's max_entries (its size for a ring buffer).</param>
    /// <param name="flags">The outer map's creation flags.</param>
    /// <param name="innerFlags">The inner template's creation flags (e.g. <see cref="MapFlags.InnerMap"/> to accept inner arrays of any size).</param>
    /// <param name="pinning">Whether the loader pins the outer map by name.</param>
    public ArrayOfMaps(uint maxEntries, uint innerMaxEntries, MapFlags flags = MapFlags.None, MapFlags innerFlags = MapFlags.None,
        MapPinning pinning = MapPinning.None)
    {
    }

    /// <summary>An initial slot, filled by the loader with the map of another field (only in the declaration's initialiser).</summary>
    /// <param name="index">The slot (a constant).</param>
    public TInner this[uint index]
    {
        init
        {
        }
    }

    /// <summary>The map in slot <paramref name="index"/>, usable with <typeparamref name="TInner"/>'s operations, or null when the slot is empty or out of range.</summary>
    /// <param name="index">The slot.</param>
    public TInner? Lookup(uint index)
    {
        // The helper takes the key's address: give the index a stack slot.
        uint key = index;
        return LookupInner(this, Unsafe.AsPointer(ref key));
    }

    /// <summary><c>bpf_map_lookup_elem</c> on a map of maps: its result is the inner map's pointer.</summary>
    [BpfHelper(1)]
    private static TInner? LookupInner(KernelMap map, void* key) => throw new BpfOnlyException();
}

/// <summary>
/// A hash of maps (<c>BPF_MAP_TYPE_HASH_OF_MAPS</c>): keys of the program's choosing, each holding a map shaped like
/// <typeparamref name="TInner"/> (see <see cref="ArrayOfMaps{TInner}"/> for the inner template).
/// </summary>
/// <typeparam name="TKey">The key type (its size is the map's key size).</typeparam>
/// <typeparam name="TInner">The inner map class with its key and value types, e.g. <c>HashMap&lt;uint, ulong&gt;</c>.</typeparam>
public sealed unsafe class HashOfMaps<TKey, TInner> : KernelMap
    where TKey : unmanaged
    where TInner : KernelMap
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="maxEntries">The maximum number of entries.</param>
    /// <param name="innerMaxEntries">The inner template's max_entries (its size for a ring buffer).</param>
    /// <param name="flags">The outer map's creation flags.</param>
    /// <param name="innerFlags">The inner template's creation flags.</param>
    /// <param name="pinning">Whether the loader pins the outer map by name.</param>
    public HashOfMaps(uint maxEntries, uint innerMaxEntries, MapFlags flags = MapFlags.None, MapFlags innerFlags = MapFlags.None,
        MapPinning pinning = MapPinning.None)
    {
    }

    /// <summary>The map stored under <paramref name="key"/>, usable with <typeparamref name="TInner"/>'s operations, or null when absent.</summary>
    /// <param name="key">The key.</param>
    public TInner? Lookup(in TKey key) => LookupInner(this, Unsafe.AsPointer(ref Unsafe.AsRef(in key)));

    /// <summary><c>bpf_map_lookup_elem</c> on a map of maps: its result is the inner map's pointer.</summary>
    [BpfHelper(1)]
    private static TInner? LookupInner(KernelMap map, void* key) => throw new BpfOnlyException();
}
