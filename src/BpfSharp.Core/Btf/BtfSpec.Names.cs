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
            Next = new int[n];
            Mask = size - 1;
            for (int i = n - 1; i >= 0; i--)
            {
                var t = new BtfType(spec, spec.StartId + i, spec._typeStart + spec._offsets[i]);
                var name = t.NameUtf8;
                if (name.IsEmpty) continue;
                int b = Hash(name[..EssentialNameLength(name)]) & Mask;
                Next[i] = Buckets[b];
                Buckets[b] = i + 1;
            }
        }

        public static int Hash(ReadOnlySpan<byte> s)
        {
            var h = new HashCode();
            h.AddBytes(s);
            return h.ToHashCode();
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
    public EssentialNameMatches FindOwnByEssentialName(ReadOnlySpan<byte> essentialName) =>
        new(this, essentialName, Names);

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

    /// <summary>Lowest own id with exactly this name and kind (-1: any kind), or -1.</summary>
    private int FindOwn(ReadOnlySpan<byte> name, int kind)
    {
        if (_nameIndex is null)
        {
            if (Interlocked.Read(ref _scanBudget) < 0)
                Interlocked.CompareExchange(ref _scanBudget, (long)ScanPassesBeforeIndex * _count, -1);
            if (Interlocked.Read(ref _scanBudget) > 0)
            {
                int found = -1, visited = 0;
                for (; visited < _count; visited++)
                {
                    int at = _typeStart + _offsets[visited];
                    if (kind >= 0 && (int)((U32(at + 4) >> 24) & 0x7f) != kind) continue;
                    if (GetStringUtf8(U32(at)).SequenceEqual(name) && !name.IsEmpty)
                    {
                        found = StartId + visited;
                        break;
                    }
                }
                Interlocked.Add(ref _scanBudget, -(visited + 1));
                return found;
            }
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

    /// <summary>Allocation-free enumeration of types by essential name.</summary>
    public ref struct EssentialNameMatches
    {
        private readonly BtfSpec _spec;
        private readonly ReadOnlySpan<byte> _name;
        private readonly NameIndex _index;
        private int _next; // local index + 1
        private BtfType _current;

        internal EssentialNameMatches(BtfSpec spec, ReadOnlySpan<byte> name, NameIndex index)
        {
            _spec = spec;
            _name = name;
            _index = index;
            _next = index.Buckets[NameIndex.Hash(name) & index.Mask];
            _current = default;
        }

        /// <summary>Returns this enumerator.</summary>
        public readonly EssentialNameMatches GetEnumerator() => this;

        /// <summary>The current match.</summary>
        public readonly BtfType Current => _current;

        /// <summary>Advances to the next type with the essential name.</summary>
        public bool MoveNext()
        {
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
