using BpfSharp.Btf;

namespace BpfSharp.Objects;

public sealed partial class ObjectSpec
{
    /// <summary>The section clang puts <c>__attribute__((address_space(1)))</c> globals in (libbpf's <c>ARENA_SEC</c>).</summary>
    public const string ArenaSection = ".addr_space.1";

    /// <summary>The <c>__arena</c> globals and the arena map that holds them, or null if the object has none.</summary>
    public ArenaDataSpec? ArenaData { get; private set; }

    /// <summary>The object's arena map (libbpf supports one), or null.</summary>
    public MapSpec? ArenaMap { get; private set; }

    /// <summary>libbpf's arena checks at open: one arena map at most; arena globals need it, and must fit in it.</summary>
    private void ParseArena()
    {
        foreach (var m in _maps)
        {
            if (m.Type != BpfMapType.Arena) continue;
            if (ArenaMap is not null)
                throw MapError($"map '{m.Name}': only single ARENA map is supported (map '{ArenaMap.Name}' is also ARENA)", m.SectionOffset);
            ArenaMap = m;
        }
        var section = FindSection(ArenaSection);
        if (section is null || section.Size == 0) return;
        if (section.Type is not (ElfSectionType.ProgBits or ElfSectionType.NoBits))
            throw new BpfFormatException(BpfFormatError.ObjectBadData, BpfFormat.Object,
                $"arena section '{ArenaSection}' has type {section.Type}, not PROGBITS", ArenaSection, -1, Path);
        if (ArenaMap is null)
            throw new BpfFormatException(BpfFormatError.ObjectBadData, BpfFormat.Object,
                $"to use global __arena variables the ARENA map should be explicitly declared in SEC(\".maps\")", ArenaSection, -1, Path);
        // libbpf compares against its own page size (sysconf) at open, as here.
        ulong arenaBytes = (ulong)ArenaMap.MaxEntries * (ulong)Environment.SystemPageSize;
        if (ArenaDataSpec.PagesFor(section.Size, Environment.SystemPageSize) > ArenaMap.MaxEntries)
            throw new BpfFormatException(BpfFormatError.ObjectBadData, BpfFormat.Object,
                $"declared ARENA map size ({arenaBytes}) of map '{ArenaMap.Name}' is too small to hold global __arena variables of size {section.Size}",
                ArenaSection, -1, Path);
        int dataSecId = Btf?.FindByName(ArenaSection, BtfKind.DataSec) ?? -1;
        var vars = new List<GlobalVariableSpec>();
        if (dataSecId > 0)
        {
            foreach (var vi in FixedDataSecVariables(Btf![dataSecId], section))
            {
                var v = Btf[vi.TypeId];
                if ((ulong)vi.Offset + vi.Size > section.Size)
                    throw new BpfFormatException(BpfFormatError.ObjectBadData, BpfFormat.Object,
                        $"arena variable '{v.Name}' at {vi.Offset} size {vi.Size} is beyond the section ({section.Size} bytes)", ArenaSection, vi.Offset, Path);
                vars.Add(new GlobalVariableSpec(v.Name, vi.Offset, vi.Size, vi.TypeId, v.ReferencedTypeId, v.Linkage == BtfLinkage.Static));
            }
        }
        else
        {
            foreach (var sym in _symbols)
                if (sym.SectionIndex == section.Index && sym.Type == ElfSymbolType.Object)
                {
                    if (sym.Value > section.Size || sym.Size > section.Size - sym.Value)
                        throw new BpfFormatException(BpfFormatError.ObjectBadData, BpfFormat.Object,
                            $"arena variable '{sym.Name}' at {sym.Value} size {sym.Size} is beyond the section ({section.Size} bytes)", ArenaSection, (long)Math.Min(sym.Value, long.MaxValue), Path);
                    vars.Add(new GlobalVariableSpec(sym.Name, sym.Value, sym.Size, 0, 0, sym.Binding == ElfSymbolBinding.Local));
                }
        }
        ArenaData = new ArenaDataSpec(section, ArenaMap, Math.Max(dataSecId, 0), vars);
    }
}
