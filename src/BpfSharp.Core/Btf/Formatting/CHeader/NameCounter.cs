using System.Runtime.CompilerServices;

namespace BpfSharp.Btf.Formatting.CHeader;

/// <summary>
/// Counts occurrences of names, as libbpf's btf_dump name maps do (one for struct/union/enum tags, one for
/// typedefs and enumerators). Keys are BTF string offsets compared by content, so no string is materialised.
/// </summary>
internal sealed class NameCounter
{
    private struct Entry
    {
        public uint NameOffset;
        public int Hash;
        public int Count;
        public int Next; // entry index + 1, 0 = end of chain
    }

    private readonly BtfSpec _spec;
    private int[] _buckets;
    private Entry[] _entries;
    private int _count;

    public NameCounter(BtfSpec spec, int capacity)
    {
        _spec = spec;
        int size = 16;
        while (size < capacity) size <<= 1;
        _buckets = new int[size];
        _entries = new Entry[size];
    }

    /// <summary>Adds one occurrence of the name at <paramref name="nameOffset"/> and returns the new count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Increment(uint nameOffset)
    {
        var name = _spec.GetStringUtf8(nameOffset);
        int hash = Hash(name);
        for (int i = _buckets[hash & (_buckets.Length - 1)]; i != 0; i = _entries[i - 1].Next)
        {
            ref var e = ref _entries[i - 1];
            if (e.Hash == hash && (e.NameOffset == nameOffset || _spec.GetStringUtf8(e.NameOffset).SequenceEqual(name)))
                return ++e.Count;
        }
        if (_count == _entries.Length) Grow();
        int bucket = hash & (_buckets.Length - 1);
        _entries[_count] = new Entry { NameOffset = nameOffset, Hash = hash, Count = 1, Next = _buckets[bucket] };
        _buckets[bucket] = ++_count;
        return 1;
    }

    private void Grow()
    {
        int size = _entries.Length * 2;
        Array.Resize(ref _entries, size);
        _buckets = new int[size];
        for (int i = 0; i < _count; i++)
        {
            int bucket = _entries[i].Hash & (size - 1);
            _entries[i].Next = _buckets[bucket];
            _buckets[bucket] = i + 1;
        }
    }

    // FNV-1a: cheap for short identifiers and stable across runs.
    private static int Hash(ReadOnlySpan<byte> name)
    {
        uint h = 2166136261;
        foreach (byte b in name) h = (h ^ b) * 16777619;
        return (int)(h ^ (h >> 15));
    }
}
