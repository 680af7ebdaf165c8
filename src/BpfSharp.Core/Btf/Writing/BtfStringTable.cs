using System.Runtime.CompilerServices;

namespace BpfSharp.Btf.Writing;

/// <summary>
/// A BTF string section under construction: NUL-terminated UTF-8 strings, deduplicated through an
/// open-addressing hash index over the bytes themselves (no string objects, no per-string allocation).
/// </summary>
/// <remarks>
/// Offsets are absolute: for split BTF they start after the base's strings. The index over existing bytes
/// (a table adopted verbatim from a <see cref="BtfSpec"/>) is built on the first lookup only, so a pure
/// read → write round trip never pays for it.
/// </remarks>
internal sealed class BtfStringTable
{
    private byte[] _data;
    private int _length;
    private readonly uint _startOffset;
    private int[] _slots = [];       // local offset + 1 of a string start, 0 = empty
    private int _entries;
    private int _indexedUpTo = -1;   // bytes below this are indexed; -1: nothing indexed yet

    /// <summary>An empty table (a non-split table starts with the empty string; a split one with nothing).</summary>
    public BtfStringTable(uint startOffset, bool startsWithEmptyString)
    {
        _startOffset = startOffset;
        _data = new byte[256];
        if (startsWithEmptyString) _length = 1;
    }

    /// <summary>A table that keeps existing bytes verbatim and appends after them.</summary>
    public BtfStringTable(uint startOffset, ReadOnlySpan<byte> existing)
    {
        _startOffset = startOffset;
        _data = new byte[Math.Max(256, existing.Length + existing.Length / 8)];
        existing.CopyTo(_data);
        _length = existing.Length;
    }

    /// <summary>Absolute offset of the first byte.</summary>
    public uint StartOffset => _startOffset;

    /// <summary>Length in bytes.</summary>
    public int Length => _length;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> Bytes => new(_data, 0, _length);

    /// <summary>The string at an absolute offset (without its NUL), or empty when the offset is not in this table.</summary>
    public ReadOnlySpan<byte> Get(uint offset)
    {
        if (offset < _startOffset || offset - _startOffset >= (uint)_length) return default;
        var s = new ReadOnlySpan<byte>(_data, (int)(offset - _startOffset), _length - (int)(offset - _startOffset));
        int nul = s.IndexOf((byte)0);
        return nul < 0 ? s : s[..nul];
    }

    /// <summary>The absolute offset of <paramref name="s"/> if the table holds it, else -1.</summary>
    public long Find(ReadOnlySpan<byte> s)
    {
        EnsureIndexed();
        int at = Lookup(s, Hash(s));
        return at < 0 ? -1 : _startOffset + (uint)at;
    }

    /// <summary>Adds a string (without NUL) unless present; returns its absolute offset.</summary>
    public uint Add(ReadOnlySpan<byte> s)
    {
        if (s.IndexOf((byte)0) >= 0) throw new ArgumentException("a BTF string cannot contain NUL", nameof(s));
        EnsureIndexed();
        int hash = Hash(s);
        int at = Lookup(s, hash);
        if (at >= 0) return _startOffset + (uint)at;
        at = _length;
        if ((long)_startOffset + at + s.Length > BtfSpec.MaxNameOffset)
            throw new InvalidOperationException($"the string section would exceed the largest name offset (0x{BtfSpec.MaxNameOffset:x})");
        EnsureCapacity(_length + s.Length + 1);
        s.CopyTo(_data.AsSpan(_length));
        _data[_length + s.Length] = 0;
        _length += s.Length + 1;
        Insert(at, hash);
        _indexedUpTo = _length;
        return _startOffset + (uint)at;
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _data.Length) return;
        Array.Resize(ref _data, Math.Max(needed, _data.Length * 2));
    }

    private void EnsureIndexed()
    {
        if (_indexedUpTo == _length) return;
        int pos = Math.Max(_indexedUpTo, 0);
        while (pos < _length)
        {
            int nul = _data.AsSpan(pos, _length - pos).IndexOf((byte)0);
            int end = nul < 0 ? _length : pos + nul;
            var s = new ReadOnlySpan<byte>(_data, pos, end - pos);
            if (!s.IsEmpty)
            {
                int hash = Hash(s);
                if (Lookup(s, hash) < 0) Insert(pos, hash); // first occurrence wins
            }
            pos = end + 1;
        }
        _indexedUpTo = _length;
    }

    private int Lookup(ReadOnlySpan<byte> s, int hash)
    {
        if (_slots.Length == 0) return -1;
        int mask = _slots.Length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask)
        {
            int slot = _slots[i];
            if (slot == 0) return -1;
            int at = slot - 1;
            if (_length - at > s.Length && _data[at + s.Length] == 0 && _data.AsSpan(at, s.Length).SequenceEqual(s))
                return at;
        }
    }

    private void Insert(int at, int hash)
    {
        if ((_entries + 1) * 2 > _slots.Length) Grow();
        int mask = _slots.Length - 1;
        int i = hash & mask;
        while (_slots[i] != 0) i = (i + 1) & mask;
        _slots[i] = at + 1;
        _entries++;
    }

    private void Grow()
    {
        var old = _slots;
        _slots = new int[Math.Max(64, old.Length * 2)];
        int mask = _slots.Length - 1;
        foreach (int slot in old)
        {
            if (slot == 0) continue;
            int at = slot - 1;
            int len = _data.AsSpan(at, _length - at).IndexOf((byte)0);
            int i = Hash(_data.AsSpan(at, len)) & mask;
            while (_slots[i] != 0) i = (i + 1) & mask;
            _slots[i] = slot;
        }
    }

    // FNV-1a: deterministic and cheap for the short identifiers BTF holds.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ReadOnlySpan<byte> s)
    {
        uint h = 2166136261;
        foreach (byte b in s) h = (h ^ b) * 16777619;
        return (int)(h ^ (h >> 15));
    }
}
