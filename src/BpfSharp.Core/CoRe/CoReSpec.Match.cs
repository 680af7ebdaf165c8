using BpfSharp.Btf;

namespace BpfSharp.CoRe;

public sealed partial class CoReSpec
{
    /// <summary>
    /// libbpf's <c>bpf_core_spec_match</c>: fills this instance with the target spec of candidate
    /// <paramref name="targetId"/> (a partial spec when it does not match, as libbpf logs it).
    /// Returns 1 (match), 0 (no match) or a negative errno.
    /// </summary>
    internal int MatchCandidate(CoReSpec local, BtfSpec target, int targetId, bool floatQuirk, CoReLog? log)
    {
        Reset(target, targetId, local.Kind);
        var kind = local.Kind;
        if (kind.IsTypeBased())
        {
            return kind == CoReRelocationKind.TypeMatches
                ? CoReTypeRules.TypesMatch(local.Btf, local.RootTypeId, target, targetId, floatQuirk, log)
                : CoReTypeRules.TypesAreCompatible(local.Btf, local.RootTypeId, target, targetId, floatQuirk, log);
        }

        if (kind.IsEnumValueBased())
        {
            var t = SkipModsAndTypedefs(target, ref targetId);
            if (!t.Kind.IsAnyEnum()) return 0;
            var localName = local.AccessorName(0);
            int localLen = BtfSpec.EssentialNameLength(localName);
            int n = t.Vlen;
            for (int i = 0; i < n; i++)
            {
                var e = t.GetEnumValue(i);
                var name = e.NameUtf8;
                if (BtfSpec.EssentialNameLength(name) != localLen) continue;
                if (!name[..localLen].SequenceEqual(localName[..localLen])) continue;
                _accessors[Length++] = new CoReAccessor(targetId, i, e.NameOffset, true);
                _raw[RawLength++] = i;
                return 1;
            }
            return 0;
        }

        if (!kind.IsFieldBased()) return -CoReErrno.EINVAL;

        for (int i = 0; i < local.Length; i++)
        {
            var targetType = SkipModsAndTypedefs(target, ref targetId);
            var la = local._accessors[i];
            if (la.HasName)
            {
                int matched = MatchMember(local.Btf, la, target, targetId, ref targetId, 0);
                if (matched <= 0) return matched;
            }
            else
            {
                if (i > 0)
                {
                    if (targetType.Kind != BtfKind.Array) return 0;
                    bool flex = IsFlexArray(target, _accessors[i - 1], targetType.ArrayLength);
                    if (!flex && (uint)la.Index >= targetType.ArrayLength) return 0;
                    targetId = targetType.ArrayElementType;
                    SkipModsAndTypedefs(target, ref targetId);
                }
                if (RawLength == MaxLength) return -CoReErrno.E2BIG;
                _accessors[Length++] = new CoReAccessor(targetId, la.Index, 0, false);
                _raw[RawLength++] = la.Index;
                if (!target.TryResolveSize(targetId, out long size)) return -CoReErrno.EINVAL;
                BitOffset = unchecked(BitOffset + (uint)la.Index * (uint)size * 8);
            }
        }
        return 1;
    }

    // bpf_core_match_member: DFS over the target composite's members (anonymous members are searched recursively).
    private int MatchMember(BtfSpec local, in CoReAccessor localAcc, BtfSpec target, int targetId, ref int nextTargetId, int depth)
    {
        var t = SkipModsAndTypedefs(target, ref targetId);
        if (!t.Kind.IsComposite()) return 0;
        var localMember = local.GetType(localAcc.TypeId).GetMember(localAcc.Index);
        var localName = localMember.NameUtf8;
        int n = t.Vlen;
        for (int i = 0; i < n; i++)
        {
            var m = t.GetMember(i);
            uint bitOffset = m.BitOffset;
            if (RawLength == MaxLength) return -CoReErrno.E2BIG;
            BitOffset = unchecked(BitOffset + bitOffset);
            _raw[RawLength++] = i;
            var name = m.NameUtf8;
            if (name.IsEmpty)
            {
                // Each level consumes a raw slot, so RawLength bounds the recursion at 64.
                int found = MatchMember(local, localAcc, target, m.TypeId, ref nextTargetId, depth + 1);
                if (found != 0) return found;
            }
            else if (name.SequenceEqual(localName))
            {
                _accessors[Length++] = new CoReAccessor(targetId, i, m.NameOffset, true);
                nextTargetId = m.TypeId;
                int found = CoReTypeRules.FieldsAreCompatible(local, localMember.TypeId, target, m.TypeId);
                if (found == 0) Length--;
                return found;
            }
            BitOffset = unchecked(BitOffset - bitOffset);
            RawLength--;
        }
        return 0;
    }
}
