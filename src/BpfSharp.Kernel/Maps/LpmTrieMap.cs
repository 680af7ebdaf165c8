namespace BpfSharp.Kernel;

/// <summary>
/// A longest-prefix-match trie (<c>BPF_MAP_TYPE_LPM_TRIE</c>): the key starts with a <c>u32</c> prefix length in
/// bits, followed by the data (an IPv4 or IPv6 address, in network byte order); a lookup finds the entry with the
/// longest prefix that matches. The kernel requires <see cref="MapFlags.NoPrealloc"/>.
/// </summary>
/// <typeparam name="TKey">The key: a <c>uint</c> prefix length, then the data.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed unsafe class LpmTrieMap<TKey, TValue> : KeyedMap<TKey, TValue>
    where TKey : unmanaged
    where TValue : unmanaged
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="maxEntries">The maximum number of prefixes.</param>
    /// <param name="flags">Map creation flags: <see cref="MapFlags.NoPrealloc"/> is required.</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public LpmTrieMap(uint maxEntries, MapFlags flags = MapFlags.NoPrealloc, MapPinning pinning = MapPinning.None)
    {
    }
}
