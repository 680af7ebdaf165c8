using BpfSharp.Btf;

namespace BpfSharp.Objects;

public sealed partial class ObjectSpec
{
    /// <summary>The section of struct_ops variables registered by a map update.</summary>
    public const string StructOpsSection = ".struct_ops";

    /// <summary>The section of struct_ops variables registered through a BPF link.</summary>
    public const string StructOpsLinkSection = ".struct_ops.link";

    private StructOpsSpec[] _structOps = [];

    /// <summary>The struct_ops variables of <c>.struct_ops</c> and <c>.struct_ops.link</c>, in section and offset order.</summary>
    public IReadOnlyList<StructOpsSpec> StructOps => _structOps;

    /// <summary>libbpf's <c>init_struct_ops_maps</c>: one map per VAR of the sections' DATASEC, programs from the relocations.</summary>
    private void ParseStructOps()
    {
        var list = new List<StructOpsSpec>();
        foreach (var s in _sections)
        {
            if (s.Name is not (StructOpsSection or StructOpsLinkSection) || s.Type != ElfSectionType.ProgBits) continue;
            int dataSecId = Btf?.FindByName(s.Name, BtfKind.DataSec) ?? -1;
            if (dataSecId <= 0)
                throw StructOpsError(s.Name, "struct_ops section without BTF DATASEC (the object needs .BTF)", -1);
            var btf = Btf!;
            var vars = FixedDataSecVariables(btf[dataSecId], s);
            // Programs by slot offset in the section, from R_BPF_64_ABS64 relocations against program symbols.
            var targets = new Dictionary<ulong, string>();
            foreach (var rs in _relocationSections)
            {
                if (rs.TargetSectionIndex != s.Index) continue;
                var entries = rs.Entries;
                for (int i = 0; i < entries.Length; i++)
                {
                    var rel = entries[i];
                    if ((uint)rel.SymbolIndex >= (uint)_symbols.Length)
                        throw StructOpsError(rs.Section.Name, $"relo #{i}: symbol index {rel.SymbolIndex} out of range", i * 16);
                    var sym = _symbols[rel.SymbolIndex];
                    var prog = FindProgram(sym.Name);
                    if (prog is null || prog.IsSubprogram || prog.Section.Index != sym.SectionIndex)
                        throw StructOpsError(rs.Section.Name, $"relo #{i}: '{sym.Name}' at offset {rel.Offset} is not an entry-point program", i * 16);
                    if (!prog.SectionName.TrimStart('?').StartsWith("struct_ops", StringComparison.Ordinal))
                        throw StructOpsError(rs.Section.Name, $"relo #{i}: program '{prog.Name}' is in section '{prog.SectionName}', not struct_ops/", i * 16);
                    targets[rel.Offset] = prog.Name;
                }
            }
            foreach (var vi in vars.OrderBy(v => v.Offset))
            {
                var v = btf[vi.TypeId];
                var type = btf.SkipModifiersAndTypedefs(v.ReferencedTypeId);
                if (type.Kind != BtfKind.Struct)
                    throw StructOpsError(s.Name, $"struct_ops variable '{v.Name}' is a {type.Kind}, not a struct", vi.Offset);
                if ((ulong)vi.Offset + type.Size > s.Size)
                    throw StructOpsError(s.Name, $"struct_ops variable '{v.Name}' ({type.Size} bytes at {vi.Offset}) is beyond the section ({s.Size} bytes)", vi.Offset);
                var slots = new List<StructOpsSlot>();
                for (int m = 0; m < type.Vlen; m++)
                {
                    var member = type.GetMember(m);
                    ulong at = vi.Offset + member.BitOffset / 8;
                    if (!targets.Remove(at, out var progName)) continue;
                    var mtype = btf.SkipModifiersAndTypedefs(member.TypeId);
                    if (mtype.Kind != BtfKind.Pointer || btf.SkipModifiersAndTypedefs(mtype.ReferencedTypeId).Kind != BtfKind.FuncProto)
                        throw StructOpsError(s.Name, $"struct_ops variable '{v.Name}': member '{member.Name}' holds program '{progName}' but is not a function pointer", (long)at);
                    slots.Add(new StructOpsSlot(member.Name, m, member.BitOffset / 8, progName));
                }
                list.Add(new StructOpsSpec(v.Name, s.Name, type.Id, type.Name, vi.Offset, s.Data.Slice((int)vi.Offset, (int)type.Size), slots));
            }
            foreach (var (offset, prog) in targets)
                throw StructOpsError(s.Name, $"program '{prog}' is referenced at offset {offset}, which is no function pointer member of a struct_ops variable", (long)offset);
        }
        _structOps = [.. list];
    }

    private BpfFormatException StructOpsError(string section, string message, long offset) =>
        new(BpfFormatError.ObjectBadData, BpfFormat.Object, message, section, offset, Path);
}
