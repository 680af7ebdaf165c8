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

        /// <param name="spec">The BTF.</param>
        /// <param name="functions">Index the FUNC types only (true), or every other named type (false).</param>
        public NameIndex(BtfSpec spec, bool functions)
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
                ref byte record = ref Unsafe.Add(ref types, Unsafe.Add(ref offsets, i));
                uint nameOff = Unsafe.ReadUnaligned<uint>(ref record);
                if (nameOff == 0) continue;
                bool isFunction = (Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref record, 4)) >> 24 & 0x7f) == (uint)BtfKind.Func;
                if (isFunction != functions) continue;
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

    // Two indexes: FUNC names are the majority in kernel BTF (about 60k of 70k names in vmlinux) but never CO-RE
    // candidates, so CO-RE only pays for the other one.
    private NameIndex TypeNames => _nameIndex ?? BuildNameIndex(ref _nameIndex, functions: false);
    private NameIndex FunctionNames => _functionIndex ?? BuildNameIndex(ref _functionIndex, functions: true);

    private NameIndex BuildNameIndex(ref NameIndex? slot, bool functions)
    {
        var index = new NameIndex(this, functions);
        Interlocked.CompareExchange(ref slot, index, null);
        return slot!;
    }

    /// <summary>Builds the name indexes now rather than on the first lookups (each is built once either way).</summary>
    public void EnsureNameIndex()
    {
        _ = TypeNames;
        _ = FunctionNames;
    }

    /// <summary>
    /// This BTF's own types (not the base's) whose essential name equals <paramref name="essentialName"/>,
    /// in ascending id order: exactly the named types libbpf's candidate scan would compare.
    /// </summary>
    /// <param name="essentialName">The name without any <c>___flavor</c> suffix.</param>
    /// <param name="includeFunctions">
    /// False leaves FUNC types out: CO-RE candidates are never functions, and the functions' index (the larger one
    /// in kernel BTF) is then never built.
    /// </param>
    /// <remarks>
    /// The first searches scan the types, as libbpf does; once scanning has cost about as much as building the name
    /// index, the index is built and answers every later search.
    /// </remarks>
    public EssentialNameMatches FindOwnByEssentialName(ReadOnlySpan<byte> essentialName, bool includeFunctions = true)
    {
        if (TryChargeScan(_count)) return new(this, essentialName, null, null, includeFunctions);
        return new(this, essentialName, TypeNames, includeFunctions ? FunctionNames : null, includeFunctions);
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
        if (_nameIndex is not null || _functionIndex is not null) return false;
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
        foreach (var t in FindOwnByEssentialName(name[..EssentialNameLength(name)], includeFunctions: kind is < 0 or (int)BtfKind.Func))
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

    /// <summary>Allocation-free enumeration of types by essential name, in ascending id order.</summary>
    public ref struct EssentialNameMatches
    {
        private readonly BtfSpec _spec;
        private readonly ReadOnlySpan<byte> _name;
        private readonly NameIndex? _types, _functions; // both null: scan every type
        private readonly bool _includeFunctions;
        private int _scanNext;                        // scanning: the next local index
        private Chain _typeChain, _functionChain;     // with indexes: the two chains, merged by id
        private BtfType _current;

        internal EssentialNameMatches(BtfSpec spec, ReadOnlySpan<byte> name, NameIndex? types, NameIndex? functions, bool includeFunctions)
        {
            _spec = spec;
            _name = name;
            _types = types;
            _functions = functions;
            _includeFunctions = includeFunctions;
            _current = default;
            int hash = types is null && functions is null ? 0 : NameIndex.Hash(name);
            _typeChain = new Chain(types, hash);
            _functionChain = new Chain(functions, hash);
        }

        /// <summary>Returns this enumerator.</summary>
        public readonly EssentialNameMatches GetEnumerator() => this;

        /// <summary>The current match.</summary>
        public readonly BtfType Current => _current;

        /// <summary>Advances to the next type with the essential name.</summary>
        public bool MoveNext()
        {
            if (_name.IsEmpty) return false;
            if (_types is null && _functions is null) return Scan();
            int a = _typeChain.Peek(_spec, _name), b = _functionChain.Peek(_spec, _name);
            if (a < 0 && b < 0) return false;
            int local;
            if (b < 0 || (a >= 0 && a < b)) { local = a; _typeChain.Take(); }
            else { local = b; _functionChain.Take(); }
            _current = new BtfType(_spec, _spec.StartId + local, _spec._typeStart + _spec._offsets[local]);
            return true;
        }

        private bool Scan()
        {
            var spec = _spec;
            while (_scanNext < spec._count)
            {
                int i = _scanNext++;
                int at = spec._typeStart + spec._offsets[i];
                if (!_includeFunctions && (spec.U32(at + 4) >> 24 & 0x7f) == (uint)BtfKind.Func) continue;
                if (spec.NameMatches(spec.U32(at), _name, essential: true))
                {
                    _current = new BtfType(spec, spec.StartId + i, at);
                    return true;
                }
            }
            return false;
        }

        // One hash chain: the next entry whose essential name really matches (chains share buckets with other names).
        private struct Chain
        {
            private readonly NameIndex? _index;
            private int _next;    // local index + 1 of the next entry to look at; 0: end
            private int _matched; // local index of a found match not yet taken, or -1

            public Chain(NameIndex? index, int hash)
            {
                _index = index;
                _next = index is null ? 0 : index.Buckets[hash & index.Mask];
                _matched = -1;
            }

            public int Peek(BtfSpec spec, ReadOnlySpan<byte> name)
            {
                while (_matched < 0 && _next != 0)
                {
                    int i = _next - 1;
                    _next = _index!.Next[i];
                    if (spec.NameMatches(spec.U32(spec._typeStart + spec._offsets[i]), name, essential: true)) _matched = i;
                }
                return _matched;
            }

            public void Take() => _matched = -1;
        }
    }
}
