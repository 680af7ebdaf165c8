using BpfSharp.Btf;

namespace BpfSharp.CoRe;

/// <summary>
/// libbpf's CO-RE compatibility predicates. Each returns 1 (compatible/match), 0 (not) or a negative errno (hard error,
/// e.g. recursion too deep), exactly like <c>relo_core.c</c>.
/// </summary>
public static class CoReTypeRules
{
    private const int MaxDepth = 32;

    /// <summary><c>btf_kind_core_compat</c>: same kind, or both ENUM/ENUM64.</summary>
    public static bool KindsCompatible(BtfKind a, BtfKind b) => a == b || (a.IsAnyEnum() && b.IsAnyEnum());

    /// <summary>Essential names (without <c>___flavor</c>) equal.</summary>
    internal static bool EssentialNamesEqual(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        int la = BtfSpec.EssentialNameLength(a), lb = BtfSpec.EssentialNameLength(b);
        return la == lb && a[..la].SequenceEqual(b[..lb]);
    }

    /// <summary>
    /// <c>bpf_core_fields_are_compat</c>: may a local field of type <paramref name="localId"/> be relocated to a target
    /// field of type <paramref name="targetId"/>? Composites always; PTR/FLOAT by kind; FWD/ENUM by essential name
    /// (anonymous matches anything); INT unless an old bitfield-style int; arrays by element.
    /// </summary>
    public static int FieldsAreCompatible(BtfSpec local, int localId, BtfSpec target, int targetId)
    {
        for (int depth = 0; depth <= MaxDepth; depth++)
        {
            var l = local.SkipModifiersAndTypedefs(localId);
            var t = target.SkipModifiersAndTypedefs(targetId);
            if (l.Kind.IsComposite() && t.Kind.IsComposite()) return 1;
            if (!KindsCompatible(l.Kind, t.Kind)) return 0;
            switch (l.Kind)
            {
                case BtfKind.Pointer or BtfKind.Float:
                    return 1;
                case BtfKind.Forward or BtfKind.Enum or BtfKind.Enum64:
                {
                    var ln = l.NameUtf8; var tn = t.NameUtf8;
                    int ll = BtfSpec.EssentialNameLength(ln), tl = BtfSpec.EssentialNameLength(tn);
                    return ll == 0 || tl == 0 || (ll == tl && ln[..ll].SequenceEqual(tn[..tl])) ? 1 : 0;
                }
                case BtfKind.Int:
                    return l.IntOffset == 0 && t.IntOffset == 0 ? 1 : 0;
                case BtfKind.Array:
                    localId = l.ArrayElementType;
                    targetId = t.ArrayElementType;
                    continue;
                default:
                    return 0;
            }
        }
        // libbpf loops without a bound here; only cyclic BTF gets this far.
        return -CoReErrno.EINVAL;
    }

    /// <summary>
    /// <c>bpf_core_types_are_compat</c> (TYPE_EXISTS, TYPE_SIZE, TYPE_ID_TARGET). With
    /// <paramref name="libbpfFloatQuirk"/> FLOAT is "unexpected" and incompatible, as in libbpf; otherwise two FLOATs
    /// are compatible (see docs/core-differences.md).
    /// </summary>
    public static int TypesAreCompatible(BtfSpec local, int localId, BtfSpec target, int targetId,
        bool libbpfFloatQuirk = false, CoReLog? log = null) =>
        TypesAreCompatible(local, localId, target, targetId, MaxDepth, libbpfFloatQuirk, log);

    private static int TypesAreCompatible(BtfSpec local, int localId, BtfSpec target, int targetId, int level,
        bool floatQuirk, CoReLog? log)
    {
        if (!KindsCompatible(local.GetType(localId).Kind, target.GetType(targetId).Kind)) return 0;
        int depth = MaxDepth;
        while (true)
        {
            if (--depth < 0) return -CoReErrno.EINVAL;
            var l = local.SkipModifiersAndTypedefs(localId);
            var t = target.SkipModifiersAndTypedefs(targetId);
            localId = l.Id; targetId = t.Id;
            if (!KindsCompatible(l.Kind, t.Kind)) return 0;
            switch (l.Kind)
            {
                case BtfKind.Unknown or BtfKind.Struct or BtfKind.Union or BtfKind.Enum or BtfKind.Forward or BtfKind.Enum64:
                    return 1;
                case BtfKind.Int:
                    return l.IntOffset == 0 && t.IntOffset == 0 ? 1 : 0;
                case BtfKind.Pointer:
                    localId = l.ReferencedTypeId; targetId = t.ReferencedTypeId;
                    continue;
                case BtfKind.Array:
                    localId = l.ArrayElementType; targetId = t.ArrayElementType;
                    continue;
                case BtfKind.FuncProto:
                {
                    int n = l.Vlen;
                    if (n != t.Vlen) return 0;
                    for (int i = 0; i < n; i++)
                    {
                        if (level <= 0) return -CoReErrno.EINVAL;
                        int lp = local.SkipModifiersAndTypedefs(l.GetParam(i).TypeId).Id;
                        int tp = target.SkipModifiersAndTypedefs(t.GetParam(i).TypeId).Id;
                        int r = TypesAreCompatible(local, lp, target, tp, level - 1, floatQuirk, log);
                        if (r <= 0) return r;
                    }
                    localId = local.SkipModifiersAndTypedefs(l.ReferencedTypeId).Id;
                    targetId = target.SkipModifiersAndTypedefs(t.ReferencedTypeId).Id;
                    continue;
                }
                case BtfKind.Float when !floatQuirk:
                    return 1;
                default:
                    log?.Warn($"unexpected kind {l.Kind.ToLibbpfString()} relocated, local [{localId}], target [{targetId}]");
                    return 0;
            }
        }
    }

    /// <summary>
    /// <c>bpf_core_types_match</c> (TYPE_MATCHES): stricter structural match (names at every level, member sets,
    /// int size/sign, enum sizes and names, array lengths, FWD kinds; composites behind pointers match by kind).
    /// With <paramref name="libbpfFloatQuirk"/> FLOAT never matches (libbpf); otherwise two FLOATs of equal size match.
    /// </summary>
    public static int TypesMatch(BtfSpec local, int localId, BtfSpec target, int targetId,
        bool libbpfFloatQuirk = false, CoReLog? log = null)
    {
        Dictionary<(int, int, bool, int), int>? memo = null;
        return TypesMatch(local, localId, target, targetId, false, MaxDepth, libbpfFloatQuirk, log, ref memo);
    }

    private static bool NamesMatch(ReadOnlySpan<byte> local, ReadOnlySpan<byte> target)
    {
        if (target.IsEmpty) return local.IsEmpty;
        return EssentialNamesEqual(local, target);
    }

    // Memoised on everything the answer depends on, level included, so the answers (and the -EINVAL at the depth bound)
    // stay libbpf's; without it a nested DAG (S_k { S_k-1 a, b; }) took 2^k steps: 26 levels were 23.5 s. The memo
    // is made on the first composite or prototype, so simple matches allocate nothing; a result whose computation
    // logged a warning is not stored, so the log repeats it as libbpf's would.
    private static int TypesMatch(BtfSpec local, int localId, BtfSpec target, int targetId, bool behindPtr, int level,
        bool floatQuirk, CoReLog? log, ref Dictionary<(int, int, bool, int), int>? memo)
    {
        if (level <= 0) return -CoReErrno.EINVAL;
        var key = (localId, targetId, behindPtr, level);
        if (memo is not null && memo.TryGetValue(key, out int known)) return known;
        int logged = log?.Lines.Count ?? 0;
        int result = TypesMatchCore(local, localId, target, targetId, behindPtr, level, floatQuirk, log, ref memo);
        if (memo is not null && (log is null || log.Lines.Count == logged)) memo[key] = result;
        return result;
    }

    private static int TypesMatchCore(BtfSpec local, int localId, BtfSpec target, int targetId, bool behindPtr, int level,
        bool floatQuirk, CoReLog? log, ref Dictionary<(int, int, bool, int), int>? memo)
    {
        int depth = MaxDepth;
        while (true)
        {
            if (--depth < 0) return -CoReErrno.EINVAL;
            var l = local.SkipModifiersAndTypedefs(localId);
            var t = target.SkipModifiersAndTypedefs(targetId);
            localId = l.Id; targetId = t.Id;
            if (!NamesMatch(l.NameUtf8, t.NameUtf8)) return 0;
            var lk = l.Kind; var tk = t.Kind;
            switch (lk)
            {
                case BtfKind.Unknown:
                    return tk == BtfKind.Unknown ? 1 : 0;
                case BtfKind.Forward:
                    if (behindPtr)
                    {
                        if (lk == tk) return l.KindFlag == t.KindFlag ? 1 : 0;
                        return (tk == BtfKind.Struct && !l.KindFlag) || (tk == BtfKind.Union && l.KindFlag) ? 1 : 0;
                    }
                    if (lk != tk) return 0;
                    return l.KindFlag == t.KindFlag ? 1 : 0;
                case BtfKind.Enum or BtfKind.Enum64:
                    if (!tk.IsAnyEnum()) return 0;
                    return EnumsMatch(l, t);
                case BtfKind.Struct or BtfKind.Union:
                    if (behindPtr)
                    {
                        if (lk == tk) return 1;
                        if (tk != BtfKind.Forward) return 0;
                        return (lk == BtfKind.Union) == t.KindFlag ? 1 : 0;
                    }
                    if (lk != tk) return 0;
                    memo ??= [];
                    return CompositesMatch(local, l, target, t, behindPtr, level, floatQuirk, log, ref memo);
                case BtfKind.Int:
                    if (lk != tk) return 0;
                    return l.Size == t.Size && ((l.IntEncoding & BtfIntEncoding.Signed) == (t.IntEncoding & BtfIntEncoding.Signed)) ? 1 : 0;
                case BtfKind.Pointer:
                    if (lk != tk) return 0;
                    behindPtr = true;
                    localId = l.ReferencedTypeId; targetId = t.ReferencedTypeId;
                    continue;
                case BtfKind.Array:
                    if (lk != tk) return 0;
                    if (l.ArrayLength != t.ArrayLength) return 0;
                    localId = l.ArrayElementType; targetId = t.ArrayElementType;
                    continue;
                case BtfKind.FuncProto:
                {
                    if (lk != tk) return 0;
                    int n = l.Vlen;
                    if (n != t.Vlen) return 0;
                    if (n > 0) memo ??= [];
                    for (int i = 0; i < n; i++)
                    {
                        int r = TypesMatch(local, l.GetParam(i).TypeId, target, t.GetParam(i).TypeId, behindPtr, level - 1, floatQuirk, log, ref memo);
                        if (r <= 0) return r;
                    }
                    localId = l.ReferencedTypeId; targetId = t.ReferencedTypeId;
                    continue;
                }
                case BtfKind.Float when !floatQuirk:
                    return tk == BtfKind.Float && l.Size == t.Size ? 1 : 0;
                default:
                    log?.Warn($"unexpected kind {lk.ToLibbpfString()} relocated, local [{localId}], target [{targetId}]");
                    return 0;
            }
        }
    }

    private static int EnumsMatch(BtfType l, BtfType t)
    {
        if (l.Size != t.Size) return 0;
        int ln = l.Vlen, tn = t.Vlen;
        if (ln > tn) return 0;
        for (int i = 0; i < ln; i++)
        {
            var name = l.GetEnumValue(i).NameUtf8;
            bool matched = false;
            for (int j = 0; j < tn && !matched; j++)
                matched = NamesMatch(name, t.GetEnumValue(j).NameUtf8);
            if (!matched) return 0;
        }
        return 1;
    }

    private static int CompositesMatch(BtfSpec local, BtfType l, BtfSpec target, BtfType t, bool behindPtr, int level,
        bool floatQuirk, CoReLog? log, ref Dictionary<(int, int, bool, int), int>? memo)
    {
        int ln = l.Vlen, tn = t.Vlen;
        if (ln > tn) return 0;
        for (int i = 0; i < ln; i++)
        {
            var lm = l.GetMember(i);
            bool matched = false;
            for (int j = 0; j < tn; j++)
            {
                var tm = t.GetMember(j);
                if (!NamesMatch(lm.NameUtf8, tm.NameUtf8)) continue;
                int r = TypesMatch(local, lm.TypeId, target, tm.TypeId, behindPtr, level - 1, floatQuirk, log, ref memo);
                if (r < 0) return r;
                if (r > 0) { matched = true; break; }
            }
            if (!matched) return 0;
        }
        return 1;
    }
}
