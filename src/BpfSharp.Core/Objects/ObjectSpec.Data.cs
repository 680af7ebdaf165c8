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
        foreach (var sym in _symbols)
        {
            if (!sym.IsUndefined || sym.Type != ElfSymbolType.NoType || sym.Binding is not (ElfSymbolBinding.Global or ElfSymbolBinding.Weak))
                continue;
            if (btf is null)
                throw new BpfFormatException(BpfFormatError.ElfBadSymbol, BpfFormat.Object,
                    $"extern '{sym.Name}' needs BTF, and the object has no .BTF", ".symtab", sym.Index * 24, Path);
            // Find the BTF VAR/FUNC with extern linkage and the DATASEC that lists it.
            int typeId = 0;
            for (int id = 1; id < btf.TypeCount && typeId == 0; id++)
            {
                var t = btf[id];
                if (t.Kind is not (BtfKind.Var or BtfKind.Func) || t.Linkage != BtfLinkage.Extern) continue;
                if (t.Name == sym.Name) typeId = id;
            }
            if (typeId == 0)
                throw new BpfFormatException(BpfFormatError.ElfBadSymbol, BpfFormat.Object,
                    $"failed to find BTF for extern '{sym.Name}'", ".symtab", sym.Index * 24, Path);
            string? secName = null;
            BtfDataSecVar found = default;
            for (int id = 1; id < btf.TypeCount && secName is null; id++)
            {
                var t = btf[id];
                if (t.Kind != BtfKind.DataSec) continue;
                for (int i = 0; i < t.Vlen; i++)
                    if (t.GetDataSecVar(i).TypeId == typeId) { secName = t.Name; found = t.GetDataSecVar(i); break; }
            }
            var kind = secName switch
            {
                ".kconfig" => ExternKind.Kconfig,
                ".ksyms" => ExternKind.Ksym,
                _ => throw new BpfFormatException(BpfFormatError.ElfBadSymbol, BpfFormat.Object,
                    $"extern '{sym.Name}' is in unrecognized section '{secName}'", ".symtab", sym.Index * 24, Path),
            };
            bool isFunc = btf[typeId].Kind == BtfKind.Func;
            externs.Add(new ExternSpec(sym.Name, kind, sym.Binding == ElfSymbolBinding.Weak, isFunc, typeId,
                kind == ExternKind.Kconfig ? found.Offset : 0, kind == ExternKind.Kconfig ? found.Size : 0, sym.Index));
        }
        _externs = [.. externs];
        if (btf is not null && externs.Any(e => e.Kind == ExternKind.Kconfig))
        {
            int id = btf.FindByName(".kconfig", BtfKind.DataSec);
            var ds = btf[id];
            var vars = externs.Where(e => e.Kind == ExternKind.Kconfig)
                .Select(e => new GlobalVariableSpec(e.Name, e.Offset, e.Size, e.BtfTypeId, btf[e.BtfTypeId].ReferencedTypeId, false)).ToList();
            dataSections.Add(new DataSectionSpec(".kconfig", DataSectionKind.Kconfig, null, ds.Size, id, vars));
        }
    }
}
