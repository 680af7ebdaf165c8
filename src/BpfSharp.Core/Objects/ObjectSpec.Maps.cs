using BpfSharp.Btf;

namespace BpfSharp.Objects;

public sealed partial class ObjectSpec
{
    private const string MapsSection = ".maps";
    private MapSpec[] _maps = [];

    /// <summary>BTF-defined maps from <c>.maps</c>, in DATASEC order (libbpf's order).</summary>
    public IReadOnlyList<MapSpec> Maps => _maps;

    /// <summary>The map with the given name, or null.</summary>
    public MapSpec? FindMap(string name)
    {
        foreach (var m in _maps) if (m.Name == name) return m;
        return null;
    }

    private BpfFormatException MapError(string detail, long offset = -1) =>
        new(BpfFormatError.ObjectBadMap, BpfFormat.Object, detail, MapsSection, offset, Path);

    private void ParseMaps()
    {
        var section = FindSection(MapsSection);
        if (section is null) return;
        if (FindSection("maps") is { } legacy && legacy.Size > 0)
            throw MapError("legacy 'maps' section definitions (struct bpf_map_def) are not supported (libbpf 1.0 dropped them)");
        if (Btf is null) throw MapError(".maps section without .BTF: BTF-defined maps need BTF");
        var btf = Btf;
        int dataSecId = btf.FindByName(MapsSection, BtfKind.DataSec);
        if (dataSecId <= 0) throw MapError("no BTF DATASEC '.maps' describes the .maps section");
        var dataSec = btf[dataSecId];
        var fixedVars = FixedDataSecVariables(dataSec, section);
        var maps = new List<MapSpec>(fixedVars.Length);
        for (int i = 0; i < fixedVars.Length; i++)
        {
            var vi = fixedVars[i];
            var v = btf[vi.TypeId];
            string name = v.Name;
            if (name.Length == 0) throw MapError($"map #{i}: empty name");
            if ((ulong)vi.Offset + vi.Size > section.Size) throw MapError($"map '{name}': BTF data is corrupted (beyond the section)", vi.Offset);
            if (v.Kind != BtfKind.Var) throw MapError($"map '{name}': unexpected var kind {v.Kind}");
            if (v.Linkage is not (BtfLinkage.Global or BtfLinkage.Static)) throw MapError($"map '{name}': unsupported map linkage {v.Linkage}");
            var def = btf.SkipModifiersAndTypedefs(v.ReferencedTypeId);
            if (def.Kind != BtfKind.Struct) throw MapError($"map '{name}': unexpected def kind {def.Kind}");
            if (def.Size > vi.Size) throw MapError($"map '{name}': invalid def size", vi.Offset);
            var map = new MapSpec(name)
            {
                SectionIndex = section.Index,
                SectionOffset = vi.Offset,
                DefinitionSize = vi.Size,
                BtfVarTypeId = vi.TypeId,
                IsStatic = v.Linkage == BtfLinkage.Static,
            };
            ParseMapDefinition(map, def, isInner: false);
            maps.Add(map);
        }
        _maps = [.. maps];
        ParseMapRelocations(section);
    }

    private void ParseMapDefinition(MapSpec map, BtfType def, bool isInner)
    {
        var btf = Btf!;
        map.BtfDefinitionTypeId = def.Id;
        int vlen = def.Vlen;
        for (int i = 0; i < vlen; i++)
        {
            var m = def.GetMember(i);
            string field = m.Name;
            switch (field)
            {
                case "type":
                    map.Type = (BpfMapType)MapFieldInt(map, m, field);
                    map.Parts |= MapDefinitionParts.MapType;
                    break;
                case "max_entries":
                    map.MaxEntries = MapFieldInt(map, m, field);
                    map.Parts |= MapDefinitionParts.MaxEntries;
                    break;
                case "map_flags":
                    map.Flags = MapFieldInt(map, m, field);
                    map.Parts |= MapDefinitionParts.MapFlags;
                    break;
                case "numa_node":
                    map.NumaNode = MapFieldInt(map, m, field);
                    map.Parts |= MapDefinitionParts.NumaNode;
                    break;
                case "key_size" or "value_size":
                {
                    uint size = MapFieldInt(map, m, field);
                    SetSize(map, field == "key_size", size);
                    break;
                }
                case "key" or "value":
                {
                    bool key = field == "key";
                    var t = btf[m.TypeId];
                    if (t.Kind != BtfKind.Pointer) throw MapError($"map '{map.Name}': {field} spec is not PTR: {t.Kind}");
                    if (!btf.TryResolveSize(t.ReferencedTypeId, out long size))
                        throw MapError($"map '{map.Name}': can't determine {field} size for type [{t.ReferencedTypeId}]");
                    SetSize(map, key, (uint)size);
                    if (key) { map.KeyTypeId = t.ReferencedTypeId; map.Parts |= MapDefinitionParts.KeyType; }
                    else { map.ValueTypeId = t.ReferencedTypeId; map.Parts |= MapDefinitionParts.ValueType; }
                    break;
                }
                case "values":
                {
                    bool mapInMap = map.Type is BpfMapType.ArrayOfMaps or BpfMapType.HashOfMaps;
                    bool progArray = map.Type == BpfMapType.ProgArray;
                    string desc = mapInMap ? "map-in-map inner" : "prog-array value";
                    if (isInner) throw MapError($"map '{map.Name}': multi-level inner maps not supported");
                    if (i != vlen - 1) throw MapError($"map '{map.Name}': '{field}' member should be last");
                    if (!mapInMap && !progArray) throw MapError($"map '{map.Name}': should be map-in-map or prog-array");
                    if (map.ValueSize != 0 && map.ValueSize != 4) throw MapError($"map '{map.Name}': conflicting value size {map.ValueSize} != 4");
                    map.ValueSize = 4;
                    var t = btf[m.TypeId];
                    if (t.Kind != BtfKind.Array || t.ArrayLength != 0) throw MapError($"map '{map.Name}': {desc} spec is not a zero-sized array");
                    t = btf.SkipModifiersAndTypedefs(t.ArrayElementType);
                    if (t.Kind != BtfKind.Pointer) throw MapError($"map '{map.Name}': {desc} def is of unexpected kind {t.Kind}");
                    t = btf.SkipModifiersAndTypedefs(t.ReferencedTypeId);
                    if (progArray)
                    {
                        if (t.Kind != BtfKind.FuncProto) throw MapError($"map '{map.Name}': prog-array value def is of unexpected kind {t.Kind}");
                        map.ValuesFunctionProtoId = t.Id;
                        break;
                    }
                    if (t.Kind != BtfKind.Struct) throw MapError($"map '{map.Name}': map-in-map inner def is of unexpected kind {t.Kind}");
                    var inner = new MapSpec(map.Name + ".inner");
                    ParseMapDefinition(inner, t, isInner: true);
                    map.InnerMap = inner;
                    map.Parts |= MapDefinitionParts.InnerMap;
                    break;
                }
                case "pinning":
                {
                    if (isInner) throw MapError($"map '{map.Name}': inner def can't be pinned");
                    uint value = MapFieldInt(map, m, field);
                    if (value > 1) throw MapError($"map '{map.Name}': invalid pinning value {value}");
                    map.Pinning = (MapPinning)value;
                    map.Parts |= MapDefinitionParts.Pinning;
                    break;
                }
                case "map_extra":
                    map.MapExtra = MapFieldLong(map, m, field);
                    map.Parts |= MapDefinitionParts.MapExtra;
                    break;
                default:
                    throw MapError($"map '{map.Name}': unknown field '{field}'");
            }
        }
        if (map.Type == BpfMapType.Unspecified) throw MapError($"map '{map.Name}': map type isn't specified");
    }

    private void SetSize(MapSpec map, bool key, uint size)
    {
        uint existing = key ? map.KeySize : map.ValueSize;
        if (existing != 0 && existing != size)
            throw MapError($"map '{map.Name}': conflicting {(key ? "key" : "value")} size {existing} != {size}");
        if (key) { map.KeySize = size; map.Parts |= MapDefinitionParts.KeySize; }
        else { map.ValueSize = size; map.Parts |= MapDefinitionParts.ValueSize; }
    }

    // __uint(name, val) is `int (*name)[val]`: the value is the array's element count.
    private uint MapFieldInt(MapSpec map, BtfMember m, string field)
    {
        var btf = Btf!;
        var t = btf.SkipModifiersAndTypedefs(m.TypeId);
        if (t.Kind != BtfKind.Pointer) throw MapError($"map '{map.Name}': attr '{field}': expected PTR, got {t.Kind}");
        var arr = btf[t.ReferencedTypeId];
        if (arr.Kind != BtfKind.Array) throw MapError($"map '{map.Name}': attr '{field}': expected ARRAY, got {arr.Kind}");
        return arr.ArrayLength;
    }

    // map_extra may also be a 64-bit value encoded as a one-enumerator enum (libbpf's __ulong).
    private ulong MapFieldLong(MapSpec map, BtfMember m, string field)
    {
        var btf = Btf!;
        var t = btf.SkipModifiersAndTypedefs(m.TypeId);
        if (t.Kind == BtfKind.Pointer) return MapFieldInt(map, m, field);
        if (t.Kind is BtfKind.Enum or BtfKind.Enum64 && t.Vlen == 1) return t.GetEnumValue(0).RawValue;
        throw MapError($"map '{map.Name}': attr '{field}': expected PTR or single-value ENUM, got {t.Kind}");
    }

    private void ParseMapRelocations(ElfSection section)
    {
        foreach (var rs in _relocationSections)
        {
            if (rs.TargetSectionIndex != section.Index) continue;
            var slots = new Dictionary<MapSpec, List<MapInitialValue>>();
            var entries = rs.Entries;
            for (int i = 0; i < entries.Length; i++)
            {
                var rel = entries[i];
                var sym = _symbols[rel.SymbolIndex];
                MapSpec? map = null;
                foreach (var m in _maps)
                    if ((ulong)m.SectionOffset <= rel.Offset && rel.Offset < (ulong)m.SectionOffset + (ulong)m.DefinitionSize) { map = m; break; }
                if (map is null)
                    throw new BpfFormatException(BpfFormatError.ElfBadRelocation, BpfFormat.Object,
                        $".maps relo #{i}: cannot find map '{sym.Name}' at offset {rel.Offset}", rs.Section.Name, i * 16, Path);
                bool mapInMap = map.Type is BpfMapType.ArrayOfMaps or BpfMapType.HashOfMaps;
                if (mapInMap)
                {
                    if (sym.SectionIndex != section.Index)
                        throw MapError($".maps relo #{i}: '{sym.Name}' isn't a BTF-defined map");
                }
                else if (map.Type == BpfMapType.ProgArray)
                {
                    var prog = FindProgram(sym.Name);
                    if (prog is null || prog.Section.Index != sym.SectionIndex || (ulong)prog.InstructionOffset * 8 != sym.Value || prog.IsSubprogram)
                        throw MapError($".maps relo #{i}: '{sym.Name}' isn't an entry-point program");
                }
                else throw MapError($".maps relo #{i}: map '{map.Name}' of type {map.Type} can't have initial values");
                var def = Btf![map.BtfDefinitionTypeId];
                var last = def.GetMember(def.Vlen - 1);
                if (last.Name != "values") throw MapError($".maps relo #{i}: map '{map.Name}' has no 'values' member");
                ulong valuesOffset = last.BitOffset / 8;
                ulong inMap = rel.Offset - (ulong)map.SectionOffset;
                if (inMap < valuesOffset || (inMap - valuesOffset) % 8 != 0)
                    throw MapError($".maps relo #{i}: offset {rel.Offset} is not a pointer slot of '{map.Name}.values'", (long)rel.Offset);
                if (!slots.TryGetValue(map, out var list)) slots[map] = list = [];
                list.Add(new MapInitialValue((uint)((inMap - valuesOffset) / 8), sym.Name));
            }
            foreach (var (map, list) in slots) map.InitialValues = [.. list];
        }
    }
}
