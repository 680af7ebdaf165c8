using BpfSharp.Btf;

namespace BpfSharp.Objects;

public sealed partial class ObjectSpec
{
    /// <summary>
    /// The variables of a DATASEC with libbpf's <c>btf_fixup_datasec</c> applied: clang leaves the DATASEC size and the
    /// offsets of non-static variables at 0 in an object, and libbpf takes them from the ELF symbols; the result is
    /// sorted by offset (stable).
    /// </summary>
    private BtfDataSecVar[] FixedDataSecVariables(BtfType dataSec, ElfSection section)
    {
        var btf = Btf!;
        var vars = new BtfDataSecVar[dataSec.Vlen];
        bool fixOffsets = dataSec.Size == 0;
        for (int i = 0; i < vars.Length; i++)
        {
            var vi = dataSec.GetDataSecVar(i);
            var v = btf[vi.TypeId];
            if (v.Kind != BtfKind.Var)
                throw new BpfFormatException(BpfFormatError.ObjectBadData, BpfFormat.Object,
                    $"DATASEC '{section.Name}' entry #{i} is {v.Kind}, not VAR", section.Name, -1, Path);
            if (fixOffsets && v.Linkage is not (BtfLinkage.Static or BtfLinkage.Extern))
            {
                string name = v.Name;
                ElfSymbol? sym = null;
                foreach (var s in _symbols)
                    if (s.Type == ElfSymbolType.Object && s.Binding is ElfSymbolBinding.Global or ElfSymbolBinding.Weak && s.Name == name)
                    { sym = s; break; }
                if (sym is null)
                    throw new BpfFormatException(BpfFormatError.ObjectBadData, BpfFormat.Object,
                        $"failed to find symbol for variable '{name}' in section '{section.Name}'", section.Name, -1, Path);
                if (sym.Value.Value > uint.MaxValue)
                    throw new BpfFormatException(BpfFormatError.ObjectBadData, BpfFormat.Object,
                        $"symbol '{name}' value 0x{sym.Value.Value:x} is out of range", section.Name, -1, Path);
                vi = vi with { Offset = (uint)sym.Value.Value };
            }
            vars[i] = vi;
        }
        // Sort by offset like libbpf's qsort; insertion sort keeps ties in DATASEC order (DATASECs are short).
        for (int i = 1; i < vars.Length; i++)
        {
            var v = vars[i];
            int j = i - 1;
            while (j >= 0 && vars[j].Offset > v.Offset) { vars[j + 1] = vars[j]; j--; }
            vars[j + 1] = v;
        }
        return vars;
    }
}
