using System.Buffers.Binary;
using System.Text;
using BpfSharp.Btf;
using BpfSharp.Objects;

namespace BpfSharp.Linux.Loading;

/// <summary>
/// Turns an object's <c>.BTF</c> into what the kernel accepts, editing a copy of the raw bytes as libbpf edits its
/// in-memory BTF: DATASEC sizes and variable offsets from the ELF (<c>btf_fixup_datasec</c>), <c>.kconfig</c> and
/// <c>.ksyms</c> externs laid out and made "allocated", then one rewrite per BTF feature the kernel lacks
/// (<c>bpf_object__sanitize_btf</c>). Type ids never change; new types are only appended.
/// </summary>
internal sealed class LoadableBtf
{
    private const int KindInt = 1, KindPtr = 2, KindArray = 3, KindStruct = 4, KindUnion = 5, KindEnum = 6, KindTypedef = 8,
        KindConst = 10, KindFunc = 12, KindFuncProto = 13, KindVar = 14, KindDataSec = 15, KindFloat = 16, KindDeclTag = 17,
        KindTypeTag = 18, KindEnum64 = 19;
    private const uint LinkageGlobalAllocated = 1;

    private readonly BtfSpec _spec;
    private readonly byte[] _types;
    private readonly List<byte> _appendedTypes = [];
    private readonly List<byte> _appendedStrings = [];
    private readonly int _stringLength;
    private int _nextId;

    private LoadableBtf(BtfSpec spec)
    {
        _spec = spec;
        _types = spec.TypeSection.ToArray();
        _stringLength = spec.StringSection.Length;
        _nextId = spec.TypeCount;
    }

    /// <summary>The kconfig layout libbpf computes: extern name → (offset, size) in the <c>.kconfig</c> map.</summary>
    public Dictionary<string, (uint Offset, uint Size)> KconfigLayout { get; } = [];

    /// <summary>Size of the <c>.kconfig</c> map value (0 if none).</summary>
    public uint KconfigSize { get; private set; }

    /// <summary>Prepares the object's BTF for <c>BPF_BTF_LOAD</c>.</summary>
    public static LoadableBtf Prepare(ObjectSpec obj, BtfFeatures supported)
    {
        var btf = new LoadableBtf(obj.Btf!);
        btf.FixDataSections(obj);
        btf.MarkHiddenSubprogramsStatic(obj);
        btf.Sanitize(supported);
        return btf;
    }

    /// <summary>The raw BTF: header, types (edited, then appended ones), strings (then appended ones).</summary>
    public byte[] ToArray()
    {
        int typeLen = _types.Length + _appendedTypes.Count, strLen = _stringLength + _appendedStrings.Count;
        var blob = new byte[24 + typeLen + strLen];
        var s = blob.AsSpan();
        BinaryPrimitives.WriteUInt16LittleEndian(s, 0xeb9f);
        s[2] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], 24);
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(s[12..], (uint)typeLen);
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], (uint)typeLen);
        BinaryPrimitives.WriteUInt32LittleEndian(s[20..], (uint)strLen);
        _types.CopyTo(s[24..]);
        _appendedTypes.ToArray().CopyTo(s[(24 + _types.Length)..]);
        _spec.StringSection.CopyTo(s[(24 + typeLen)..]);
        _appendedStrings.ToArray().CopyTo(s[(24 + typeLen + _stringLength)..]);
        return blob;
    }

    private int At(int id) => _spec.GetTypeRecordOffset(id);
    private uint U32(int at) => BinaryPrimitives.ReadUInt32LittleEndian(_types.AsSpan(at));
    private void Set(int at, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(_types.AsSpan(at), value);
    private int Kind(int id) => (int)((U32(At(id) + 4) >> 24) & 0x1f);
    private int Vlen(int id) => (int)(U32(At(id) + 4) & 0xffff);
    private void SetInfo(int id, int kind, int vlen, bool kflag = false) =>
        Set(At(id) + 4, ((uint)kind << 24) | (uint)vlen | (kflag ? 1u << 31 : 0));

    private uint AddString(string text)
    {
        uint off = (uint)(_stringLength + _appendedStrings.Count);
        _appendedStrings.AddRange(Encoding.UTF8.GetBytes(text));
        _appendedStrings.Add(0);
        return off;
    }

    private int AddType(params uint[] words)
    {
        Span<byte> b = stackalloc byte[4];
        foreach (var w in words)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b, w);
            _appendedTypes.AddRange(b.ToArray());
        }
        return _nextId++;
    }

    /// <summary>
    /// libbpf makes the BTF FUNC of a global subprogram with hidden or internal visibility (<c>__hidden</c>) static,
    /// so that the kernel verifies it in its caller's context rather than on its own with unknown arguments.
    /// </summary>
    private void MarkHiddenSubprogramsStatic(ObjectSpec obj)
    {
        HashSet<string>? hidden = null;
        foreach (var p in obj.Programs)
        {
            if (p.IsSubprogram && p.Symbol.Binding != ElfSymbolBinding.Local
                && p.Symbol.Visibility is ElfSymbolVisibility.Hidden or ElfSymbolVisibility.Internal)
                (hidden ??= new HashSet<string>(StringComparer.Ordinal)).Add(p.Name);
        }
        if (hidden is null) return;
        for (int id = 1; id < _spec.TypeCount; id++)
        {
            const int LinkageGlobal = 1, LinkageStatic = 0;
            if (Kind(id) != KindFunc || Vlen(id) != LinkageGlobal || !hidden.Remove(_spec[id].Name)) continue;
            SetInfo(id, KindFunc, LinkageStatic);
        }
    }

    private void FixDataSections(ObjectSpec obj)
    {
        for (int id = 1; id < _spec.TypeCount; id++)
        {
            if (Kind(id) != KindDataSec) continue;
            string name = _spec[id].Name;
            if (name == ".kconfig") FixKconfig(obj, id);
            else if (name == ".ksyms") FixKsyms(id);
            else if (obj.FindSection(name) is { } section) FixData(obj, id, section);
        }
    }

    /// <summary>libbpf's <c>btf_fixup_datasec</c>: size from the ELF section, non-static variable offsets from symbols, sorted.</summary>
    private void FixData(ObjectSpec obj, int id, ElfSection section)
    {
        int at = At(id);
        bool fixOffsets = U32(at + 8) == 0;
        Set(at + 8, (uint)section.Size);
        int vlen = Vlen(id);
        var entries = new List<(uint Type, uint Offset, uint Size)>(vlen);
        for (int i = 0; i < vlen; i++)
        {
            int e = at + 12 + i * 12;
            uint type = U32(e), offset = U32(e + 4);
            var v = _spec[(int)type];
            if (fixOffsets && v.Kind == BtfKind.Var && v.Linkage != BtfLinkage.Static)
            {
                string name = v.Name;
                foreach (var sym in obj.Symbols)
                    if (sym.SectionIndex == section.Index && sym.Name == name && sym.Binding != ElfSymbolBinding.Local)
                    {
                        offset = (uint)sym.Value;
                        break;
                    }
            }
            entries.Add((type, offset, U32(e + 8)));
        }
        // The kernel wants variables in offset order.
        var sorted = entries.Select((x, i) => (x, i)).OrderBy(p => p.x.Offset).ThenBy(p => p.i).Select(p => p.x).ToList();
        for (int i = 0; i < sorted.Count; i++)
        {
            int e = at + 12 + i * 12;
            Set(e, sorted[i].Type);
            Set(e + 4, sorted[i].Offset);
            Set(e + 8, sorted[i].Size);
        }
    }

    /// <summary>libbpf's kconfig layout: by alignment descending, size ascending, then name.</summary>
    private void FixKconfig(ObjectSpec obj, int id)
    {
        int at = At(id);
        int vlen = Vlen(id);
        var vars = new List<(int Entry, int VarId, string Name, uint Size, uint Align)>();
        for (int i = 0; i < vlen; i++)
        {
            int varId = (int)U32(at + 12 + i * 12);
            var v = _spec[varId];
            int typeId = v.ReferencedTypeId;
            uint size = (uint)(_spec.TryResolveSize(typeId, out long sz) ? sz : 0);
            vars.Add((i, varId, v.Name, size, AlignOf(typeId)));
        }
        var order = vars.OrderByDescending(v => v.Align).ThenBy(v => v.Size).ThenBy(v => v.Name, StringComparer.Ordinal).ToList();
        uint off = 0;
        foreach (var v in order)
        {
            off = (off + v.Align - 1) / Math.Max(v.Align, 1) * Math.Max(v.Align, 1);
            KconfigLayout[v.Name] = (off, v.Size);
            int e = at + 12 + v.Entry * 12;
            Set(e + 4, off);
            Set(e + 8, v.Size);
            Set(At(v.VarId) + 12, LinkageGlobalAllocated);
            off += v.Size;
        }
        Set(at + 8, off);
        KconfigSize = off;
        SortSecInfo(id);
    }

    private void SortSecInfo(int id)
    {
        int at = At(id), vlen = Vlen(id);
        var e = Enumerable.Range(0, vlen).Select(i => (U32(at + 12 + i * 12), U32(at + 16 + i * 12), U32(at + 20 + i * 12))).OrderBy(x => x.Item2).ToList();
        for (int i = 0; i < vlen; i++)
        {
            Set(at + 12 + i * 12, e[i].Item1);
            Set(at + 16 + i * 12, e[i].Item2);
            Set(at + 20 + i * 12, e[i].Item3);
        }
    }

    private uint AlignOf(int typeId)
    {
        for (int depth = 0; depth < 32 && typeId != 0; depth++)
        {
            var t = _spec[typeId];
            switch ((int)t.Kind)
            {
                case KindInt or KindEnum or KindEnum64 or KindPtr or KindFloat:
                    return Math.Min(Math.Max(t.Size, 1u), 8u);
                case KindArray:
                    typeId = t.ArrayElementType;
                    break;
                case KindStruct or KindUnion:
                    return 8;
                default:
                    typeId = t.ReferencedTypeId;
                    break;
            }
        }
        return 1;
    }

    /// <summary>libbpf turns every <c>.ksyms</c> entry into a 4-byte allocated int variable the kernel accepts.</summary>
    private void FixKsyms(int id)
    {
        int intId = 0;
        for (int t = 1; t < _spec.TypeCount && intId == 0; t++)
            if (Kind(t) == KindInt && _spec[t].Size == 4) intId = t;
        if (intId == 0) intId = AddType(AddString("int"), (uint)KindInt << 24, 4, (1u << 24) | 32);
        int dummyVar = 0;
        uint dummyName = 0;
        int at = At(id), vlen = Vlen(id);
        uint off = 0;
        for (int i = 0; i < vlen; i++)
        {
            int e = at + 12 + i * 12;
            int typeId = (int)U32(e);
            if (Kind(typeId) == KindFunc)
            {
                if (dummyVar == 0)
                {
                    dummyName = AddString("dummy_ksym");
                    dummyVar = AddType(dummyName, (uint)KindVar << 24, (uint)intId, LinkageGlobalAllocated);
                }
                Set(e, (uint)dummyVar);
                SetInfo(typeId, KindFunc, 1); // global linkage
                // The kernel wants every parameter named.
                int proto = (int)U32(At(typeId) + 8);
                if (proto != 0 && Kind(proto) == KindFuncProto)
                    for (int p = 0; p < Vlen(proto); p++)
                    {
                        int pa = At(proto) + 12 + p * 8;
                        if (U32(pa) == 0 && U32(pa + 4) != 0) Set(pa, dummyName);
                    }
            }
            else if (Kind(typeId) == KindVar)
            {
                Set(At(typeId) + 8, (uint)intId);
                Set(At(typeId) + 12, LinkageGlobalAllocated);
            }
            Set(e + 4, off);
            Set(e + 8, 4);
            off += 4;
        }
        Set(at + 8, off);
    }

    private void Sanitize(BtfFeatures supported)
    {
        if ((supported & BtfFeatures.All) == BtfFeatures.All) return;
        bool func = supported.HasFlag(BtfFeatures.Func), dataSec = supported.HasFlag(BtfFeatures.DataSec),
            globalFunc = supported.HasFlag(BtfFeatures.GlobalFunc), fl = supported.HasFlag(BtfFeatures.Float),
            declTag = supported.HasFlag(BtfFeatures.DeclTag), typeTag = supported.HasFlag(BtfFeatures.TypeTag),
            enum64 = supported.HasFlag(BtfFeatures.Enum64);
        int enum64Placeholder = 0;
        int own = _spec.TypeCount;
        for (int id = _spec.StartId; id < own; id++)
        {
            int at = At(id);
            int kind = Kind(id);
            if (!dataSec && kind == KindVar)
            {
                SetInfo(id, KindInt, 0);
                Set(at + 8, 1);
                Set(at + 12, 8);
            }
            else if (!dataSec && kind == KindDataSec)
            {
                int vlen = Vlen(id);
                SetInfo(id, KindStruct, vlen);
                for (int i = 0; i < vlen; i++)
                {
                    int e = at + 12 + i * 12;
                    uint type = U32(e), offset = U32(e + 4);
                    Set(e, _spec[(int)type].NameOffset);
                    Set(e + 4, type);
                    Set(e + 8, offset * 8);
                }
            }
            else if (!func && kind == KindFuncProto)
            {
                SetInfo(id, KindEnum, Vlen(id));
                Set(at + 8, 4);
            }
            else if (!func && kind == KindFunc)
            {
                SetInfo(id, KindTypedef, 0);
            }
            else if (!globalFunc && kind == KindFunc)
            {
                SetInfo(id, KindFunc, 0);
            }
            else if (!fl && kind == KindFloat)
            {
                Set(at, 0);
                SetInfo(id, KindStruct, 0);
            }
            else if (!declTag && kind == KindDeclTag)
            {
                Set(at, 0);
                SetInfo(id, KindInt, 0);
                Set(at + 8, 1);
                Set(at + 12, 8);
            }
            else if (!typeTag && kind == KindTypeTag)
            {
                Set(at, 0);
                SetInfo(id, KindConst, 0);
            }
            else if (!enum64 && kind == KindEnum64)
            {
                if (enum64Placeholder == 0)
                    enum64Placeholder = AddType(AddString("enum64_placeholder"), (uint)KindInt << 24, 1, 8);
                int vlen = Vlen(id);
                SetInfo(id, KindUnion, vlen);
                for (int i = 0; i < vlen; i++)
                {
                    int e = at + 12 + i * 12;
                    Set(e + 4, (uint)enum64Placeholder);
                    Set(e + 8, 0);
                }
            }
        }
    }
}
