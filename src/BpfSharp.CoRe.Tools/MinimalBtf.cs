using BpfSharp.Btf;
using BpfSharp.Btf.Writing;
using BpfSharp.Objects;

namespace BpfSharp.CoRe.Tools;

/// <summary>
/// Minimal kernel BTF for a set of objects (BTFGen, <c>bpftool gen min_core_btf</c>): the types, members and
/// enumerators of a kernel BTF that the objects' CO-RE relocations use, so that relocating against the result makes
/// the same decisions (same candidate, same values) as relocating against the full kernel BTF.
/// </summary>
/// <remarks>
/// <para>Follows bpftool's algorithm: every relocation is resolved against the full target; then</para>
/// <list type="bullet">
/// <item>field relocations keep the root type and, along the target access path, each struct/union with only the
/// members on the path, each member's type (modifiers, typedefs, arrays and their element and index types
/// followed; pointers kept as pointers but not followed: a pointer whose pointee is not otherwise kept becomes
/// <c>void *</c>, which CO-RE's field compatibility rule treats alike);</item>
/// <item>type relocations (type id, exists, size) keep the type and follow pointers;</item>
/// <item>type-match relocations keep the type with all members, recursively, stopping at composites behind pointers;</item>
/// <item>enum-value relocations keep the enum with <em>only</em> the enumerators they matched — bpftool keeps every
/// enumerator, which is the one place this output is smaller.</item>
/// </list>
/// <para>Structs and unions keep their sizes; an enum kept only as the type of a member (or of a type relocation)
/// keeps its name, size and signedness but no enumerators: CO-RE compares enums by name there. Types are emitted in
/// target id order, so candidates are found in the same order.</para>
/// </remarks>
public static class MinimalBtf
{
    private const int MaxDepth = 256;

    /// <summary>
    /// Generates the minimal BTF of <paramref name="target"/> for <paramref name="objects"/>. Relocations of every
    /// program are resolved (including programs that are not autoloaded), as bpftool does.
    /// </summary>
    /// <exception cref="BpfFormatException">A relocation fails against the target (as bpftool, no output then).</exception>
    public static BtfBuilder Generate(BtfSpec target, IEnumerable<ObjectSpec> objects)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(objects);
        if (target.Base is not null || target.StartId != 1)
            throw new ArgumentException("the target must be a base (vmlinux) BTF, not split BTF", nameof(target));
        var marks = new Marks(target);
        foreach (var obj in objects)
        {
            ArgumentNullException.ThrowIfNull(obj);
            if (obj.Btf is null || obj.BtfExt is null || obj.BtfExt.CoReRelocations.Count == 0) continue;
            var programs = new List<CoReProgram>(obj.Programs.Count);
            foreach (var p in obj.Programs)
                programs.Add(new CoReProgram(p.Name, p.SectionName, p.InstructionOffset, p.Instructions.ToArray()));
            var sections = obj.BtfExt.CoReRelocations.Select(CoReRelocationSection.From).ToList();
            var relocator = new CoReRelocator(obj.Btf, [new CoReTarget("vmlinux", target)], new CoReOptions { StopAtFirstError = true });
            var result = relocator.Relocate(sections, programs);
            foreach (var r in result.Relocations)
            {
                if (r.Outcome == CoReOutcome.Error)
                    throw new BpfFormatException(BpfFormatError.CoReBadRecord, BpfFormat.BtfExt,
                        $"relocation fails against the target: {r.Message}", ".BTF.ext", -1, obj.Path);
                if (r.TargetRawSpec is null || r.TargetTypeId == 0) continue; // poisoned or local: nothing to keep
                Record(marks, r);
            }
        }
        try
        {
            return Emit(target, marks);
        }
        catch (ArgumentException e)
        {
            // The builder refuses what a hostile target may hold and the reader accepted (docs/errors.md contract).
            throw new BpfFormatException(BpfFormatError.BtfInvalidType, BpfFormat.Btf, $"target BTF cannot be copied: {e.Message}", "types", inner: e);
        }
    }

    /// <summary>Generates minimal BTF and returns its raw bytes (little-endian, 24-byte header).</summary>
    public static byte[] GenerateBytes(BtfSpec target, IEnumerable<ObjectSpec> objects) => Generate(target, objects).ToArray();

    private sealed class Marks(BtfSpec spec)
    {
        public readonly bool[] Type = new bool[spec.TypeCount];
        public readonly byte[] Visit = new byte[spec.TypeCount];      // 1: walked without following pointers, 2: with
        public readonly HashSet<(int, bool)> MatchVisited = [];
        public readonly Dictionary<int, HashSet<int>> Members = [];   // composite id → kept member indices
        public readonly Dictionary<int, HashSet<int>> Enumerators = []; // enum id → kept enumerator indices
        public readonly HashSet<int> WholeEnums = [];
        public readonly BtfSpec Spec = spec;

        public void Member(int compositeId, int index)
        {
            if (!Members.TryGetValue(compositeId, out var set)) Members[compositeId] = set = [];
            set.Add(index);
        }
    }

    private static void Record(Marks marks, CoReRelocationReport r)
    {
        var spec = marks.Spec;
        int root = r.TargetTypeId;
        var kind = r.Kind;
        if (kind.IsFieldBased())
        {
            MarkType(marks, root, followPointers: false, 0);
            var raw = r.TargetRawSpec!;
            int id = root;
            for (int i = 1; i < raw.Count; i++)
            {
                var t = spec.SkipModifiersAndTypedefs(id);
                id = t.Id;
                if (t.Kind.IsComposite())
                {
                    // A hostile target (cyclic containment through an anonymous member) can give a path that does
                    // not fit the type it is walked on: an error naming the type, not an index exception.
                    if ((uint)raw[i] >= (uint)t.Vlen)
                        throw new BpfFormatException(BpfFormatError.BtfInvalidType, BpfFormat.Btf,
                            $"type [{id}] has {t.Vlen} members; relocation path {string.Join(':', raw)} needs member {raw[i]}", "types");
                    marks.Member(id, raw[i]);
                    id = t.GetMember(raw[i]).TypeId;
                    MarkType(marks, id, followPointers: false, 0);
                }
                else if (t.Kind == BtfKind.Array) id = t.ArrayElementType;
                else break;
            }
        }
        else if (kind.IsEnumValueBased())
        {
            MarkType(marks, root, followPointers: false, 0);
            var e = spec.SkipModifiersAndTypedefs(root);
            if (!marks.Enumerators.TryGetValue(e.Id, out var set)) marks.Enumerators[e.Id] = set = [];
            set.Add(r.TargetRawSpec![0]);
        }
        else if (kind == CoReRelocationKind.TypeMatches) MarkMatch(marks, root, behindPointer: false, 0);
        else if (kind != CoReRelocationKind.TypeIdLocal) MarkType(marks, root, followPointers: true, 0);
    }

    private static void MarkType(Marks marks, int id, bool followPointers, int depth)
    {
        byte needed = followPointers ? (byte)2 : (byte)1;
        while (id != 0 && depth++ < MaxDepth)
        {
            marks.Type[id] = true;
            if (marks.Visit[id] >= needed) return; // already walked at least this far
            marks.Visit[id] = needed;
            var t = marks.Spec[id];
            switch (t.Kind)
            {
                case BtfKind.Pointer:
                    if (!followPointers) return;
                    id = t.ReferencedTypeId;
                    continue;
                case BtfKind.Const or BtfKind.Volatile or BtfKind.Restrict or BtfKind.Typedef or BtfKind.TypeTag:
                    id = t.ReferencedTypeId;
                    continue;
                case BtfKind.Array:
                    MarkType(marks, t.ArrayIndexType, followPointers, depth);
                    id = t.ArrayElementType;
                    continue;
                case BtfKind.FuncProto:
                    for (int i = 0; i < t.Vlen; i++) MarkType(marks, t.GetParam(i).TypeId, followPointers, depth);
                    id = t.ReferencedTypeId;
                    continue;
                default:
                    return; // INT, FLOAT, ENUM*, STRUCT, UNION, FWD: the type itself
            }
        }
    }

    private static void MarkMatch(Marks marks, int id, bool behindPointer, int depth)
    {
        while (id != 0 && depth++ < MaxDepth)
        {
            if (!marks.MatchVisited.Add((id, behindPointer))) return;
            var t = marks.Spec[id];
            marks.Type[id] = true;
            switch (t.Kind)
            {
                case BtfKind.Struct or BtfKind.Union:
                    if (behindPointer) return;
                    for (int i = 0; i < t.Vlen; i++)
                    {
                        marks.Member(id, i);
                        MarkMatch(marks, t.GetMember(i).TypeId, false, depth);
                    }
                    return;
                case BtfKind.Enum or BtfKind.Enum64:
                    marks.WholeEnums.Add(id);
                    return;
                case BtfKind.Const or BtfKind.Volatile or BtfKind.Restrict or BtfKind.Typedef or BtfKind.TypeTag:
                    id = t.ReferencedTypeId;
                    continue;
                case BtfKind.Pointer:
                    behindPointer = true;
                    id = t.ReferencedTypeId;
                    continue;
                case BtfKind.Array:
                    MarkMatch(marks, t.ArrayIndexType, false, depth);
                    id = t.ArrayElementType;
                    behindPointer = false;
                    continue;
                case BtfKind.FuncProto:
                    for (int i = 0; i < t.Vlen; i++) MarkMatch(marks, t.GetParam(i).TypeId, false, depth);
                    id = t.ReferencedTypeId;
                    behindPointer = false;
                    continue;
                default:
                    return;
            }
        }
    }

    private static BtfBuilder Emit(BtfSpec spec, Marks marks)
    {
        var newIds = new int[spec.TypeCount];
        int next = 1;
        for (int id = 1; id < spec.TypeCount; id++)
            if (marks.Type[id]) newIds[id] = next++;
        int Map(int id) => (uint)id < (uint)newIds.Length ? newIds[id] : 0; // unkept → void, as bpftool

        var b = new BtfBuilder();
        for (int id = 1; id < spec.TypeCount; id++)
        {
            if (!marks.Type[id]) continue;
            var t = spec[id];
            switch (t.Kind)
            {
                case BtfKind.Struct or BtfKind.Union:
                {
                    string? name = t.IsAnonymous ? null : t.Name;
                    int nid = t.Kind == BtfKind.Struct ? b.AddStruct(name, t.Size) : b.AddUnion(name, t.Size);
                    if (t.KindFlag) b.SetBitfieldEncoding(nid);
                    if (marks.Members.TryGetValue(id, out var set))
                        for (int i = 0; i < t.Vlen; i++)
                        {
                            if (!set.Contains(i)) continue;
                            var m = t.GetMember(i);
                            b.AddMember(nid, m.NameOffset == 0 ? null : m.Name, Map(m.TypeId), m.BitOffset, m.BitfieldSize);
                        }
                    break;
                }
                case BtfKind.Enum or BtfKind.Enum64 when !marks.WholeEnums.Contains(id):
                {
                    // The reader takes any size; the kernel (and the builder) only 1, 2, 4 and 8.
                    if (t.Size is not (1 or 2 or 4 or 8))
                        throw new BpfFormatException(BpfFormatError.BtfInvalidType, BpfFormat.Btf,
                            $"type [{id}] {t.Kind.ToString().ToUpperInvariant()} '{t.Name}' has size {t.Size}, not 1, 2, 4 or 8", "types");
                    string? name = t.IsAnonymous ? null : t.Name;
                    int nid = t.Kind == BtfKind.Enum ? b.AddEnum(name, t.Size, t.KindFlag) : b.AddEnum64(name, t.Size, t.KindFlag);
                    if (marks.Enumerators.TryGetValue(id, out var set))
                        for (int i = 0; i < t.Vlen; i++)
                        {
                            if (!set.Contains(i)) continue;
                            var e = t.GetEnumValue(i);
                            if (t.Kind == BtfKind.Enum) b.AddEnumValue(nid, e.Name, e.IsSigned ? (long)(int)(uint)e.RawValue : (long)(uint)e.RawValue);
                            else b.AddEnumValue(nid, e.Name, e.RawValue);
                        }
                    break;
                }
                default:
                    b.AddCopy(t, Map);
                    break;
            }
        }
        return b;
    }
}
