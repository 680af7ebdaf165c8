using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace BpfSharp.Btf;

public sealed partial class BtfSpec
{
    /// <summary>
    /// Hash chains over this BTF's own named types keyed by essential name (the name without <c>___flavor</c>),
    /// so one index serves exact lookups and CO-RE candidate search. Chains are in ascending id order.
    /// Two int arrays: no string is materialised.
    /// </summary>
    internal sealed class NameIndex
    {
        public readonly int[] Buckets; // head local index + 1, 0 = empty
        public readonly int[] Next;    // per local index: next local index + 1
        public readonly int Mask;

        public NameIndex(BtfSpec spec)
        {
            int n = spec._count;
            int size = 16;
            while (size < n) size <<= 1;
            Buckets = new int[size];
            Next = GC.AllocateUninitializedArray<int>(n); // every slot is written below
            Mask = size - 1;
            ref byte types = ref Unsafe.Add(ref spec.Origin, spec._typeStart);
            ref byte strings = ref Unsafe.Add(ref spec.Origin, spec._stringStart);
            ref int offsets = ref MemoryMarshal.GetArrayDataReference(spec._offsets);
            uint ownStrings = spec.StartStringOffset, stringLength = (uint)spec._stringLength;
            // First, forward through the types and their names as they lie in memory: each type's hash into Next,
            // -1 for unnamed types.
            ref int next = ref MemoryMarshal.GetArrayDataReference(Next);
            for (int i = 0; i < n; i++)
            {
                Unsafe.Add(ref next, i) = -1;
                uint nameOff = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref types, Unsafe.Add(ref offsets, i)));
                if (nameOff == 0) continue;
                int hash;
                uint local = nameOff - ownStrings;
                if (local < stringLength)
                {
                    // The common case: the name is in this BTF's strings (validated at parse), hashed in place.
                    hash = HashInPlace(ref Unsafe.Add(ref strings, local), (int)(stringLength - local), out int length);
                    if (length == 0) continue;
                }
                else
                {
                    // Split BTF naming a string of its base.
                    var name = spec.GetStringUtf8(nameOff);
                    if (name.IsEmpty) continue;
                    hash = Hash(name[..EssentialNameLength(name)]);
                }
                Unsafe.Add(ref next, i) = hash & int.MaxValue;
            }
            // Then backwards, linking each named type in front of its bucket's chain: chains come out in id order.
            ref int buckets = ref MemoryMarshal.GetArrayDataReference(Buckets);
            for (int i = n - 1; i >= 0; i--)
            {
                int hash = Unsafe.Add(ref next, i);
                if (hash < 0) continue;
                ref int head = ref Unsafe.Add(ref buckets, hash & Mask);
                Unsafe.Add(ref next, i) = head;
                head = i + 1;
            }
        }

        // The hash reads eight bytes at a time. Both forms below compute the same value for the same essential name:
        // full words mixed in order, then the remaining 0-7 bytes as one zero-padded word, then the length.
        private const ulong Multiplier = 0x9E3779B97F4A7C15,
            Lows = 0x7F7F7F7F7F7F7F7F, Underscores = 0x5F5F5F5F5F5F5F5F;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong Mix(ulong h, ulong word)
        {
            h = (h ^ word) * Multiplier;
            return h ^ (h >> 29);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Finish(ulong h, int length)
        {
            h = (h ^ (uint)length) * Multiplier;
            return (int)(h ^ (h >> 32));
        }

        // A bit 7 set in each byte of w that is zero (exact, no false positives above the first zero).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong ZeroBytes(ulong w) => ~(((w & Lows) + Lows) | w | Lows);

        /// <summary>Hash of a name's essential part (the caller has cut any <c>___flavor</c>).</summary>
        public static int Hash(ReadOnlySpan<byte> s)
        {
            ulong h = 0;
            int i = 0;
            for (; i + 8 <= s.Length; i += 8) h = Mix(h, Unsafe.ReadUnaligned<ulong>(ref Unsafe.AsRef(in s[i])));
            if (i < s.Length)
            {
                ulong tail = 0;
                for (int k = s.Length - 1; k >= i; k--) tail = tail << 8 | s[k];
                h = Mix(h, tail);
            }
            return Finish(h, s.Length);
        }

        // Hash of the NUL-terminated name at s (at most `available` bytes, the last of which is a NUL), finding its
        // length on the way. Names with a possible flavor separator ("___") are rehashed over the essential part.
        private static int HashInPlace(ref byte s, int available, out int length)
        {
            ulong h = 0, previous = 0, triples = 0;
            int at = 0;
            while (true)
            {
                ulong w;
                if (available - at >= 8) w = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref s, at));
                else
                {
                    w = 0; // the string section ends with a NUL, so this word holds one
                    for (int k = available - at - 1; k >= 0; k--) w = w << 8 | Unsafe.Add(ref s, at + k);
                }
                ulong zeros = ZeroBytes(w);
                int taken = 8;
                if (zeros != 0)
                {
                    taken = BitOperations.TrailingZeroCount(zeros) >> 3;
                    w &= taken == 0 ? 0 : ulong.MaxValue >> (64 - 8 * taken);
                }
                ulong u = ZeroBytes(w ^ Underscores);
                if (taken < 8) u &= taken == 0 ? 0 : ulong.MaxValue >> (64 - 8 * taken);
                // Three '_' in a row, also across the previous word: the only way a flavor can start.
                triples |= u & (u << 8 | previous >> 56) & (u << 16 | previous >> 48);
                previous = u;
                if (taken != 0) h = Mix(h, w);
                at += taken;
                if (taken < 8) break;
            }
            length = at;
            if (triples == 0) return Finish(h, at);
            var name = MemoryMarshal.CreateReadOnlySpan(ref s, at);
            return Hash(name[..EssentialNameLength(name)]);
        }
    }

    private NameIndex Names => _nameIndex ??= BuildNameIndex();

    private NameIndex BuildNameIndex()
    {
        var index = new NameIndex(this);
        Interlocked.CompareExchange(ref _nameIndex, index, null);
        return _nameIndex!;
    }

    /// <summary>Builds the name index now rather than on the first lookup (it is built once either way).</summary>
    public void EnsureNameIndex() => _ = Names;

    /// <summary>
    /// This BTF's own types (not the base's) whose essential name equals <paramref name="essentialName"/>,
    /// in ascending id order: exactly the named types libbpf's candidate scan would compare.
    /// </summary>
    /// <remarks>
    /// The first searches scan the types, as libbpf does; once scanning has cost about as much as building the name
    /// index, the index is built and answers every later search.
    /// </remarks>
    public EssentialNameMatches FindOwnByEssentialName(ReadOnlySpan<byte> essentialName)
    {
        if (TryChargeScan(_count)) return new(this, essentialName, null);
        return new(this, essentialName, Names);
    }

    /// <summary>
    /// libbpf's <c>btf__find_by_name_kind</c>: the lowest id (base first) of a type with exactly this name and kind,
    /// or -1. <c>"void"</c> finds 0.
    /// </summary>
    public int FindByName(ReadOnlySpan<byte> name, BtfKind kind)
    {
        if (kind == BtfKind.Unknown && name.SequenceEqual("void"u8)) return 0;
        if (Base is not null)
        {
            int inBase = Base.FindByName(name, kind);
            if (inBase >= 0) return inBase;
        }
        return FindOwn(name, (int)kind);
    }

    // Exact lookups scan like libbpf until scanning has cost about as much as building the index would
    // (a few whole passes), then use the index: a program that looks up a handful of names never pays for it.
    private const int ScanPassesBeforeIndex = 4;
    private long _scanBudget = -1;

    // True while scanning is still cheaper than building the index; charges `cost` types to the budget.
    private bool TryChargeScan(int cost)
    {
        if (_nameIndex is not null) return false;
        if (Interlocked.Read(ref _scanBudget) < 0)
            Interlocked.CompareExchange(ref _scanBudget, (long)ScanPassesBeforeIndex * _count, -1);
        if (Interlocked.Read(ref _scanBudget) <= 0) return false;
        Interlocked.Add(ref _scanBudget, -cost);
        return true;
    }

    /// <summary>Lowest own id with exactly this name and kind (-1: any kind), or -1.</summary>
    private int FindOwn(ReadOnlySpan<byte> name, int kind)
    {
        if (name.IsEmpty) return -1;
        if (TryChargeScan(0))
        {
            int visited = 0;
            for (; visited < _count; visited++)
            {
                int at = _typeStart + _offsets[visited];
                if (kind >= 0 && (int)((U32(at + 4) >> 24) & 0x7f) != kind) continue;
                if (NameMatches(U32(at), name, essential: false)) break;
            }
            TryChargeScan(visited + 1);
            return visited < _count ? StartId + visited : -1;
        }
        foreach (var t in FindOwnByEssentialName(name[..EssentialNameLength(name)]))
            if ((kind < 0 || (int)t.Kind == kind) && t.NameUtf8.SequenceEqual(name)) return t.Id;
        return -1;
    }

    /// <summary>Lowest id with exactly this name and kind, or -1.</summary>
    public int FindByName(string name, BtfKind kind)
    {
        int max = Encoding.UTF8.GetMaxByteCount(name.Length);
        Span<byte> buf = max <= 256 ? stackalloc byte[max] : new byte[max];
        int len = Encoding.UTF8.GetBytes(name, buf);
        return FindByName(buf[..len], kind);
    }

    /// <summary>libbpf's <c>btf__find_by_name</c>: the lowest id of a type with exactly this name, any kind, or -1.</summary>
    public int FindByName(string name)
    {
        if (name == "void") return 0;
        int max = Encoding.UTF8.GetMaxByteCount(name.Length);
        Span<byte> buf = max <= 256 ? stackalloc byte[max] : new byte[max];
        int len = Encoding.UTF8.GetBytes(name, buf);
        return FindByNameAnyKind(buf[..len]);
    }

    private int FindByNameAnyKind(ReadOnlySpan<byte> name)
    {
        if (Base is not null)
        {
            int inBase = Base.FindByNameAnyKind(name);
            if (inBase >= 0) return inBase;
        }
        return FindOwn(name, -1);
    }

    // Does the string at nameOff equal `name` (or, with essential, have `name` as its essential name)? Most types fail
    // on the first byte, read in place: no search for the terminating NUL.
    private bool NameMatches(uint nameOff, ReadOnlySpan<byte> name, bool essential)
    {
        ReadOnlySpan<byte> candidate;
        uint local = nameOff - StartStringOffset;
        if (local < (uint)_stringLength)
        {
            ref byte s = ref Unsafe.Add(ref Origin, _stringStart + (int)local);
            int available = _stringLength - (int)local; // the section ends with a NUL
            if (name.Length >= available || s != name[0]) return false;
            candidate = MemoryMarshal.CreateReadOnlySpan(ref s, available);
            if (!candidate[..name.Length].SequenceEqual(name)) return false;
            if (candidate[name.Length] == 0) return true;
            if (!essential) return false;
            candidate = candidate[..candidate.IndexOf((byte)0)];
        }
        else
        {
            candidate = GetStringUtf8(nameOff); // split BTF naming a string of its base
            if (!candidate.StartsWith(name)) return false;
            if (candidate.Length == name.Length) return true;
            if (!essential) return false;
        }
        return EssentialNameLength(candidate) == name.Length;
    }

    /// <summary>Allocation-free enumeration of types by essential name.</summary>
    public ref struct EssentialNameMatches
    {
        private readonly BtfSpec _spec;
        private readonly ReadOnlySpan<byte> _name;
        private readonly NameIndex? _index; // null: scan every type
        private int _next; // with an index: local index + 1 of the next chain entry; scanning: the next local index
        private BtfType _current;

        internal EssentialNameMatches(BtfSpec spec, ReadOnlySpan<byte> name, NameIndex? index)
        {
            _spec = spec;
            _name = name;
            _index = index;
            _next = index is null ? 0 : index.Buckets[NameIndex.Hash(name) & index.Mask];
            _current = default;
        }

        /// <summary>Returns this enumerator.</summary>
        public readonly EssentialNameMatches GetEnumerator() => this;

        /// <summary>The current match.</summary>
        public readonly BtfType Current => _current;

        /// <summary>Advances to the next type with the essential name.</summary>
        public bool MoveNext()
        {
            if (_index is null)
            {
                if (_name.IsEmpty) return false;
                var spec = _spec;
                while (_next < spec._count)
                {
                    int i = _next++;
                    int at = spec._typeStart + spec._offsets[i];
                    if (spec.NameMatches(spec.U32(at), _name, essential: true))
                    {
                        _current = new BtfType(spec, spec.StartId + i, at);
                        return true;
                    }
                }
                return false;
            }
            while (_next != 0)
            {
                int i = _next - 1;
                _next = _index.Next[i];
                var t = new BtfType(_spec, _spec.StartId + i, _spec._typeStart + _spec._offsets[i]);
                var n = t.NameUtf8;
                if (n.Length >= _name.Length && EssentialNameLength(n) == _name.Length && n[.._name.Length].SequenceEqual(_name))
                {
                    _current = t;
                    return true;
                }
            }
            return false;
        }
    }
}
