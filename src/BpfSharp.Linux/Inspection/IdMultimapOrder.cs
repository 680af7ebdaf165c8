namespace BpfSharp.Linux.Inspection;

/// <summary>
/// A multimap from an id to ids that iterates in the order libbpf's <c>hashmap</c> (hashmap.c, identity hash) does:
/// entries go to the head of their bucket, and every growth re-adds them bucket by bucket, head first, so the order
/// of one key's values depends on when the table grew. bpftool lists the programs and maps using a BTF object from
/// such a table; reproducing it makes <c>btf show</c> print the ids in bpftool's order.
/// </summary>
internal sealed class IdMultimapOrder
{
    private const ulong GoldenRatio = 11400714819323198485UL; // hashmap.c's hash_bits multiplier
    private const int MinimumCapacityBits = 2;

    private List<(ulong Key, int Value)>[] _buckets = [];
    private int _capacityBits;
    private int _count;

    /// <summary><c>hashmap__append</c>: adds a value under a key, keeping the values already there.</summary>
    public void Append(ulong key, int value)
    {
        // hashmap_needs_to_grow: empty, or more than 75% full after this entry.
        if (_buckets.Length == 0 || (_count + 1) * 4 / 3 > _buckets.Length) Grow();
        _buckets[Bucket(key, _capacityBits)].Insert(0, (key, value));
        _count++;
    }

    /// <summary><c>hashmap__for_each_key_entry</c>: the values under <paramref name="key"/> in libbpf's order.</summary>
    public IEnumerable<int> ValuesOf(ulong key) =>
        _buckets.Length == 0 ? [] : _buckets[Bucket(key, _capacityBits)].Where(e => e.Key == key).Select(e => e.Value);

    private void Grow()
    {
        int bits = Math.Max(_capacityBits + 1, MinimumCapacityBits);
        var grown = new List<(ulong, int)>[1 << bits];
        for (int i = 0; i < grown.Length; i++) grown[i] = [];
        foreach (var bucket in _buckets)
            foreach (var entry in bucket)
                grown[Bucket(entry.Key, bits)].Insert(0, entry);
        _buckets = grown;
        _capacityBits = bits;
    }

    private static int Bucket(ulong key, int bits) => bits == 0 ? 0 : (int)((key * GoldenRatio) >> (64 - bits));
}
