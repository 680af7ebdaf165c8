using BpfSharp.Btf;

namespace BpfSharp.Objects;

public sealed partial class ObjectSpec
{
    private DataSectionSpec[] _dataSections = [];
    private ExternSpec[] _externs = [];

    /// <summary>Global data sections (<c>.data*</c>, <c>.rodata*</c>, <c>.bss*</c>, and <c>.kconfig</c> if any extern uses it), in section order.</summary>
    public IReadOnlyList<DataSectionSpec> DataSections => _dataSections;
    /// <summary>Extern symbols (<c>__kconfig</c>, <c>__ksym</c>) described by BTF, in symbol order.</summary>
    public IReadOnlyList<ExternSpec> Externs => _externs;

    /// <summary>The data section with the given name, or null.</summary>
    public DataSectionSpec? FindDataSection(string name)
    {
        foreach (var d in _dataSections) if (d.Name == name) return d;
        return null;
    }

    private static DataSectionKind? ClassifyDataSection(ElfSection s)
    {
        static bool Is(string name, string prefix) => name == prefix || name.StartsWith(prefix + ".", StringComparison.Ordinal);
        if (s.Type == ElfSectionType.ProgBits && s.Size > 0 && (s.Flags & ElfSectionFlags.ExecInstr) == 0)
        {
            if (Is(s.Name, ".data")) return DataSectionKind.Data;
            if (Is(s.Name, ".rodata")) return DataSectionKind.ReadOnlyData;
        }
        else if (s.Type == ElfSectionType.NoBits && Is(s.Name, ".bss"))
            return DataSectionKind.Bss;
        return null;
    }

    private void ParseDataSections()
    {
        var list = new List<DataSectionSpec>();
        foreach (var s in _sections)
        {
            if (ClassifyDataSection(s) is not { } kind) continue;
            int dataSecId = Btf?.FindByName(s.Name, BtfKind.DataSec) ?? -1;
            var vars = new List<GlobalVariableSpec>();
            if (dataSecId > 0)
            {
                var ds = Btf![dataSecId];
                foreach (var vi in FixedDataSecVariables(ds, s))
                {
                    var v = Btf[vi.TypeId];
                    if ((ulong)vi.Offset + vi.Size > s.Size)
                        throw new BpfFormatException(BpfFormatError.ObjectBadData, BpfFormat.Object,
                            $"variable '{v.Name}' at {vi.Offset} size {vi.Size} is beyond the section ({s.Size} bytes)", s.Name, vi.Offset, Path);
                    bool isVar = v.Kind == BtfKind.Var;
                    vars.Add(new GlobalVariableSpec(v.Name, vi.Offset, vi.Size, vi.TypeId, isVar ? v.ReferencedTypeId : 0,
                        isVar && v.Linkage == BtfLinkage.Static));
                }
            }
            else
            {
                foreach (var sym in _symbols)
                    if (sym.SectionIndex == s.Index && sym.Type == ElfSymbolType.Object)
                        vars.Add(new GlobalVariableSpec(sym.Name, sym.Value, sym.Size, 0, 0, sym.Binding == ElfSymbolBinding.Local));
            }
            list.Add(new DataSectionSpec(s.Name, kind, s, s.Size, Math.Max(dataSecId, 0), vars));
        }
        ParseExterns(list);
        _dataSections = [.. list];
    }

    private void ParseExterns(List<DataSectionSpec> dataSections)
    {
        var externs = new List<ExternSpec>();
        var btf = Btf;
        Dictionary<string, (int TypeId, string? DataSec, BtfDataSecVar Var)>? externIndex = null;
        foreach (var sym in _symbols)
        {
            if (!sym.IsUndefined || sym.Type != ElfSymbolType.NoType || sym.Binding is not (ElfSymbolBinding.Global or ElfSymbolBinding.Weak))
                continue;
            if (btf is null)
                throw new BpfFormatException(BpfFormatError.ElfBadSymbol, BpfFormat.Object,
                    $"extern '{sym.Name}' needs BTF, and the object has no .BTF", ".symtab", sym.Index * 24, Path);
            // Find the BTF VAR/FUNC with extern linkage and the DATASEC that lists it.
            externIndex ??= BuildExternIndex(btf);
            if (!externIndex.TryGetValue(sym.Name, out var entry))
                throw new BpfFormatException(BpfFormatError.ElfBadSymbol, BpfFormat.Object,
                    $"failed to find BTF for extern '{sym.Name}'", ".symtab", sym.Index * 24, Path);
            int typeId = entry.TypeId;
            string? secName = entry.DataSec;
            var found = entry.Var;
            var kind = secName switch
            {
                ".kconfig" => ExternKind.Kconfig,
                ".ksyms" => ExternKind.Ksym,
                _ => throw new BpfFormatException(BpfFormatError.ElfBadSymbol, BpfFormat.Object,
                    $"extern '{sym.Name}' is in unrecognized section '{secName}'", ".symtab", sym.Index * 24, Path),
            };
            bool isFunc = btf[typeId].Kind == BtfKind.Func;
            ulong size = 0, align = 0;
            if (kind == ExternKind.Kconfig)
            {
                int varType = btf[typeId].ReferencedTypeId;
                int al = isFunc ? 0 : AlignOf(btf, varType, 0);
                if (isFunc || al <= 0 || !btf.TryResolveSize(varType, out long sz))
                    throw new BpfFormatException(BpfFormatError.ObjectBadData, BpfFormat.Object,
                        $"extern (kcfg) '{sym.Name}': failed to determine size or alignment", ".kconfig", -1, Path);
                size = (ulong)sz;
                align = (ulong)al;
            }
            externs.Add(new ExternSpec(sym.Name, kind, sym.Binding == ElfSymbolBinding.Weak, isFunc, typeId, align, size, sym.Index));
        }
        // libbpf's cmp_externs: Kconfig before ksyms; Kconfig by alignment (descending), then size; ties by name.
        externs.Sort((a, b) =>
        {
            if (a.Kind != b.Kind) return a.Kind == ExternKind.Kconfig ? -1 : 1;
            if (a.Kind == ExternKind.Kconfig)
            {
                if (a.Offset != b.Offset) return a.Offset > b.Offset ? -1 : 1; // Offset holds the alignment until laid out
                if (a.Size != b.Size) return a.Size < b.Size ? -1 : 1;
            }
            return string.CompareOrdinal(a.Name, b.Name);
        });
        ulong off = 0;
        for (int i = 0; i < externs.Count; i++)
        {
            if (externs[i].Kind != ExternKind.Kconfig) continue;
            ulong align = externs[i].Offset;
            off = (off + align - 1) / align * align;
            externs[i] = externs[i] with { Offset = off };
            off += externs[i].Size;
        }
        _externs = [.. externs];
        if (btf is not null && externs.Any(e => e.Kind == ExternKind.Kconfig))
        {
            int id = btf.FindByName(".kconfig", BtfKind.DataSec);
            var vars = externs.Where(e => e.Kind == ExternKind.Kconfig)
                .Select(e => new GlobalVariableSpec(e.Name, e.Offset, e.Size, e.BtfTypeId, btf[e.BtfTypeId].ReferencedTypeId, false)).ToList();
            dataSections.Add(new DataSectionSpec(".kconfig", DataSectionKind.Kconfig, null, off, Math.Max(id, 0), vars));
        }
    }

    /// <summary>Extern-linkage VARs and FUNCs by name (lowest id wins), with the DATASEC entry listing each.</summary>
    private static Dictionary<string, (int TypeId, string? DataSec, BtfDataSecVar Var)> BuildExternIndex(BtfSpec btf)
    {
        var index = new Dictionary<string, (int, string?, BtfDataSecVar)>(StringComparer.Ordinal);
        for (int id = 1; id < btf.TypeCount; id++)
        {
            var t = btf[id];
            if (t.Kind is BtfKind.Var or BtfKind.Func && t.Linkage == BtfLinkage.Extern)
                index.TryAdd(t.Name, (id, null, default));
        }
        if (index.Count == 0) return index;
        var byId = index.ToDictionary(kv => kv.Value.Item1, kv => kv.Key);
        for (int id = 1; id < btf.TypeCount; id++)
        {
            var t = btf[id];
            if (t.Kind != BtfKind.DataSec) continue;
            for (int i = 0; i < t.Vlen; i++)
            {
                var v = t.GetDataSecVar(i);
                if (byId.TryGetValue(v.TypeId, out var name) && index[name].Item2 is null)
                    index[name] = (v.TypeId, t.Name, v);
            }
        }
        return index;
    }

    /// <summary>
    /// libbpf's <c>btf__align_of</c> for the types a Kconfig extern may have (integers, enums, pointers, arrays of
    /// them, through typedefs and modifiers); 0 for anything else, which libbpf rejects as an unsupported kcfg type.
    /// </summary>
    private static int AlignOf(BtfSpec btf, int typeId, int depth)
    {
        if (depth > BtfSpec.MaxResolveDepth) return 0;
        var t = btf[typeId];
        switch (t.Kind)
        {
            case BtfKind.Int or BtfKind.Enum or BtfKind.Enum64 or BtfKind.Float:
                return (int)Math.Min((uint)btf.PointerSize, t.Size);
            case BtfKind.Pointer:
                return btf.PointerSize;
            case BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict or BtfKind.TypeTag:
                return AlignOf(btf, t.ReferencedTypeId, depth + 1);
            case BtfKind.Array:
                return AlignOf(btf, t.ArrayElementType, depth + 1);
            default:
                return 0;
        }
    }
}
