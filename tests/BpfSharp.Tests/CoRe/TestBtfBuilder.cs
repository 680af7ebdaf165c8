using System.Buffers.Binary;
using System.Text;
using BpfSharp.Btf;

namespace BpfSharp.Tests.CoRe;

/// <summary>Builds small raw little-endian BTF blobs by hand (types + strings) for unit tests.</summary>
internal sealed class TestBtfBuilder
{
    private readonly List<byte> _types = [];
    private readonly List<byte> _strings = [0];
    private readonly Dictionary<string, uint> _offsets = new() { [""] = 0 };
    private int _nextId = 1;

    public uint Str(string s)
    {
        if (_offsets.TryGetValue(s, out uint off)) return off;
        off = (uint)_strings.Count;
        _strings.AddRange(Encoding.UTF8.GetBytes(s));
        _strings.Add(0);
        _offsets[s] = off;
        return off;
    }

    private void U32(uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        _types.AddRange(b.ToArray());
    }

    private int Header(string name, BtfKind kind, int vlen, bool kflag, uint sizeOrType)
    {
        U32(Str(name));
        U32((uint)vlen | ((uint)kind << 24) | (kflag ? 0x80000000u : 0));
        U32(sizeOrType);
        return _nextId++;
    }

    public int Int(string name, uint size, bool signed = false)
    {
        int id = Header(name, BtfKind.Int, 0, false, size);
        U32((signed ? 1u << 24 : 0) | size * 8);
        return id;
    }

    public int Struct(string name, uint size, params (string Name, int Type, uint BitOffset)[] members)
    {
        int id = Header(name, BtfKind.Struct, members.Length, false, size);
        foreach (var m in members) { U32(Str(m.Name)); U32((uint)m.Type); U32(m.BitOffset); }
        return id;
    }

    public int Array(int elem, int index, uint n)
    {
        int id = Header("", BtfKind.Array, 0, false, 0);
        U32((uint)elem); U32((uint)index); U32(n);
        return id;
    }

    public int Enum(string name, bool signed, params (string Name, int Value)[] values)
    {
        int id = Header(name, BtfKind.Enum, values.Length, signed, 4);
        foreach (var v in values) { U32(Str(v.Name)); U32((uint)v.Value); }
        return id;
    }

    public int Typedef(string name, int type) => Header(name, BtfKind.Typedef, 0, false, (uint)type);
    public int Pointer(int type) => Header("", BtfKind.Pointer, 0, false, (uint)type);
    public int Float(string name, uint size) => Header(name, BtfKind.Float, 0, false, size);

    public BtfSpec Build() => BtfSpec.Parse(BuildBytes(), null, "test.btf");

    public byte[] BuildBytes()
    {
        var bytes = new byte[24 + _types.Count + _strings.Count];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, 0xEB9F);
        bytes[2] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 24);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), (uint)_types.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(16), (uint)_types.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(20), (uint)_strings.Count);
        _types.CopyTo(bytes, 24);
        _strings.CopyTo(bytes, 24 + _types.Count);
        return bytes;
    }
}
