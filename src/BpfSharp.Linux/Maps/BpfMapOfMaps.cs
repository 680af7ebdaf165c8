using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BpfSharp.Linux.Maps;

/// <summary>
/// A typed view of an array or hash of maps (<see cref="BpfMapType.ArrayOfMaps"/>, <see cref="BpfMapType.HashOfMaps"/>):
/// user space stores inner maps by file descriptor and reads back their kernel ids (what the kernel returns for a
/// lookup). The view does not own the map.
/// </summary>
/// <typeparam name="TKey">The key type (<c>uint</c> for an array of maps); its size must equal the map's key size.</typeparam>
public sealed class BpfMapOfMaps<TKey> where TKey : unmanaged
{
    /// <summary>Wraps <paramref name="map"/>, checking its type and key size.</summary>
    /// <exception cref="ArgumentException">The map is not a map of maps, or its key size is not <typeparamref name="TKey"/>'s.</exception>
    public BpfMapOfMaps(BpfMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Type is not (BpfMapType.ArrayOfMaps or BpfMapType.HashOfMaps))
            throw new ArgumentException($"{map}: not an array or hash of maps.", nameof(map));
        if (map.KeySize != Unsafe.SizeOf<TKey>())
            throw new ArgumentException($"{map}: keys have {map.KeySize} bytes, {typeof(TKey).Name} has {Unsafe.SizeOf<TKey>()}.", nameof(map));
        Map = map;
    }

    /// <summary>The underlying map.</summary>
    public BpfMap Map { get; }

    /// <summary>Stores <paramref name="inner"/> under <paramref name="key"/> (the kernel takes a reference: the map
    /// lives on in the slot after <paramref name="inner"/> is closed).</summary>
    /// <exception cref="BpfSyscallException">The kernel refused: the inner map is not shaped like the template (EINVAL), the key is out of range (E2BIG) ….</exception>
    public void Set(in TKey key, BpfMap inner, BpfMapUpdateFlags flags = BpfMapUpdateFlags.Any) => Map.SetInnerMap(AsBytes(in key), inner, flags);

    /// <summary>The kernel id of the map stored under <paramref name="key"/>, or null when the slot is empty.</summary>
    public int? GetInnerMapId(in TKey key) => Map.GetInnerMapId(AsBytes(in key));

    /// <summary>Opens the map stored under <paramref name="key"/> (by its id), or null when the slot is empty. The caller owns it.</summary>
    public BpfMap? OpenInner(in TKey key) => GetInnerMapId(in key) is { } id ? BpfMap.OpenById(id) : null;

    /// <summary>Empties the slot under <paramref name="key"/>; false if it was empty.</summary>
    public bool Delete(in TKey key) => Map.Delete(AsBytes(in key));

    /// <summary>The keys in kernel iteration order (<c>BPF_MAP_GET_NEXT_KEY</c>): a hash of maps lists its entries, an array of maps every index, empty slots too.</summary>
    public IEnumerable<TKey> Keys
    {
        get => TypedKeys.Enumerate<TKey>(Map);
    }

    private static ReadOnlySpan<byte> AsBytes(in TKey key) => MemoryMarshal.AsBytes(new ReadOnlySpan<TKey>(in key));
}
