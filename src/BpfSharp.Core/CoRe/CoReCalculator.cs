using BpfSharp.Btf;

namespace BpfSharp.CoRe;

/// <summary>libbpf's value computation: <c>bpf_core_calc_relo</c> and the per-kind helpers.</summary>
internal static class CoReCalculator
{
    /// <summary>
    /// <c>bpf_core_calc_relo</c>: computes original (local) and new (target) values. A null <paramref name="target"/>
    /// means "no matching candidate". Returns 0 or a negative errno (EUCLEAN is turned into <c>Poison</c>).
    /// </summary>
    public static int Calculate(string programName, in CoReRelocationRecord relo, int reloIndex, CoReSpec local,
        CoReSpec? target, bool bigEndian, bool kflagAwareEnums, CoReLog? log, out CoReRelocationValue res)
    {
        res = default;
        res.Validate = true;
        int err = -CoReErrno.EOPNOTSUPP;
        var kind = local.Kind;
        if (kind.IsFieldBased())
        {
            err = CalcField(programName, relo, local, bigEndian, log, out res.OriginalValue, out res.OriginalSize,
                out res.OriginalTypeId, out bool validate);
            res.Validate = validate;
            if (err == 0)
                err = CalcField(programName, relo, target, bigEndian, log, out res.NewValue, out res.NewSize,
                    out res.NewTypeId, out _);
            if (err == 0)
            {
                res.FailMemorySizeAdjust = false;
                if (res.OriginalSize != res.NewSize)
                {
                    var o = local.Btf.GetType(res.OriginalTypeId);
                    var n = target!.Btf.GetType(res.NewTypeId);
                    bool ok = (o.Kind == BtfKind.Pointer && n.Kind == BtfKind.Pointer)
                        || (o.Kind == BtfKind.Int && n.Kind == BtfKind.Int
                            && o.IntEncoding != BtfIntEncoding.Signed && n.IntEncoding != BtfIntEncoding.Signed);
                    res.FailMemorySizeAdjust = !ok;
                }
            }
        }
        else if (kind.IsTypeBased())
        {
            err = CalcType(relo, local, out res.OriginalValue, out bool validate);
            res.Validate = validate;
            if (err == 0) err = CalcType(relo, target, out res.NewValue, out _);
        }
        else if (kind.IsEnumValueBased())
        {
            err = CalcEnum(relo, local, kflagAwareEnums, out res.OriginalValue);
            if (err == 0) err = CalcEnum(relo, target, kflagAwareEnums, out res.NewValue);
        }

        if (err == -CoReErrno.EUCLEAN)
        {
            res.Poison = true;
            err = 0;
        }
        else if (err == -CoReErrno.EOPNOTSUPP)
        {
            log?.Warn($"prog '{programName}': relo #{reloIndex}: unrecognized CO-RE relocation {relo.Kind.ToLibbpfString()} ({(uint)relo.Kind}) at insn #{relo.InstructionByteOffset / 8}");
        }
        return err;
    }

    /// <summary><c>bpf_core_calc_field_relo</c>.</summary>
    private static int CalcField(string programName, in CoReRelocationRecord relo, CoReSpec? spec, bool bigEndian,
        CoReLog? log, out ulong val, out uint fieldSize, out int typeId, out bool validate)
    {
        val = 0; fieldSize = 0; typeId = 0; validate = true;
        if (relo.Kind == CoReRelocationKind.FieldExists)
        {
            val = spec is null ? 0UL : 1UL;
            return 0;
        }
        if (spec is null) return -CoReErrno.EUCLEAN;

        var btf = spec.Btf;
        var acc = spec.Accessors[spec.Length - 1];
        if (!acc.HasName)
        {
            if (relo.Kind == CoReRelocationKind.FieldByteOffset)
            {
                val = spec.BitOffset / 8;
                if (!TryInnermostElementSize(btf, acc.TypeId, out fieldSize)) return -CoReErrno.EINVAL;
                typeId = acc.TypeId;
            }
            else if (relo.Kind == CoReRelocationKind.FieldByteSize)
            {
                if (!btf.TryResolveSize(acc.TypeId, out long sz)) return -CoReErrno.EINVAL;
                val = (ulong)sz;
            }
            else
            {
                log?.Warn($"prog '{programName}': relo {(uint)relo.Kind} at insn #{relo.InstructionByteOffset / 8} can't be applied to array access");
                return -CoReErrno.EINVAL;
            }
            validate = true;
            return 0;
        }

        var owner = btf.GetType(acc.TypeId);
        var m = owner.GetMember(acc.Index);
        int fieldTypeId = m.TypeId;
        var mt = CoReSpec.SkipModsAndTypedefs(btf, ref fieldTypeId);
        uint bitOff = spec.BitOffset;
        uint bitSz = m.BitfieldSize;
        bool bitfield = bitSz > 0;
        uint byteSz, byteOff;
        if (bitfield)
        {
            byteSz = mt.Size;
            if (byteSz == 0) return -CoReErrno.EINVAL; // libbpf would divide by zero
            byteOff = bitOff / 8 / byteSz * byteSz;
            while ((ulong)bitOff + bitSz - (ulong)byteOff * 8 > (ulong)byteSz * 8)
            {
                if (byteSz >= 8)
                {
                    log?.Warn($"prog '{programName}': relo {(uint)relo.Kind} at insn #{relo.InstructionByteOffset / 8} can't be satisfied for bitfield");
                    return -CoReErrno.E2BIG;
                }
                byteSz *= 2;
                byteOff = bitOff / 8 / byteSz * byteSz;
            }
        }
        else
        {
            if (!btf.TryResolveSize(fieldTypeId, out long sz)) return -CoReErrno.EINVAL;
            byteSz = (uint)sz;
            byteOff = spec.BitOffset / 8;
            bitSz = byteSz * 8;
        }

        validate = !bitfield;
        switch (relo.Kind)
        {
            case CoReRelocationKind.FieldByteOffset:
                val = byteOff;
                if (!bitfield)
                {
                    if (!TryInnermostElementSize(btf, fieldTypeId, out fieldSize)) return -CoReErrno.EINVAL;
                    typeId = fieldTypeId;
                }
                break;
            case CoReRelocationKind.FieldByteSize:
                val = byteSz;
                break;
            case CoReRelocationKind.FieldSigned:
                val = (mt.Kind.IsAnyEnum() && mt.KindFlag) || (mt.Kind == BtfKind.Int && (mt.IntEncoding & BtfIntEncoding.Signed) != 0) ? 1UL : 0UL;
                validate = true;
                break;
            case CoReRelocationKind.FieldLShiftU64:
                val = bigEndian
                    ? unchecked((ulong)((8 - (long)byteSz) * 8 + (bitOff - (long)byteOff * 8)))
                    : unchecked((ulong)(64 - ((long)bitOff + bitSz - (long)byteOff * 8)));
                // libbpf computes this in u32 and widens: keep the low 32 bits like C does.
                val = (uint)val;
                break;
            case CoReRelocationKind.FieldRShiftU64:
                val = (uint)(64 - bitSz);
                validate = true;
                break;
            default:
                return -CoReErrno.EOPNOTSUPP;
        }
        return 0;
    }

    // Load/store sizes care about individual elements, not whole arrays (libbpf d7a4ab15).
    private static bool TryInnermostElementSize(BtfSpec btf, int typeId, out uint size)
    {
        int elemId = typeId;
        var t = CoReSpec.SkipModsAndTypedefs(btf, ref elemId);
        for (int depth = 0; t.Kind == BtfKind.Array; depth++)
        {
            if (depth >= BtfSpec.MaxResolveDepth) { size = 0; return false; }
            elemId = t.ArrayElementType;
            t = CoReSpec.SkipModsAndTypedefs(btf, ref elemId);
        }
        bool ok = btf.TryResolveSize(elemId, out long sz);
        size = (uint)sz;
        return ok;
    }

    /// <summary><c>bpf_core_calc_type_relo</c>.</summary>
    private static int CalcType(in CoReRelocationRecord relo, CoReSpec? spec, out ulong val, out bool validate)
    {
        validate = true;
        val = 0;
        if (spec is null) return 0;
        switch (relo.Kind)
        {
            case CoReRelocationKind.TypeIdTarget:
                val = (uint)spec.RootTypeId;
                validate = false;
                return 0;
            case CoReRelocationKind.TypeExists or CoReRelocationKind.TypeMatches:
                val = 1;
                return 0;
            case CoReRelocationKind.TypeSize:
                if (!spec.Btf.TryResolveSize(spec.RootTypeId, out long sz)) return -CoReErrno.EINVAL;
                val = (ulong)sz;
                return 0;
            default:
                return -CoReErrno.EOPNOTSUPP;
        }
    }

    /// <summary><c>bpf_core_calc_enumval_relo</c>; <paramref name="kflagAware"/> zero-extends unsigned 32-bit values.</summary>
    private static int CalcEnum(in CoReRelocationRecord relo, CoReSpec? spec, bool kflagAware, out ulong val)
    {
        val = 0;
        switch (relo.Kind)
        {
            case CoReRelocationKind.EnumValueExists:
                val = spec is null ? 0UL : 1UL;
                return 0;
            case CoReRelocationKind.EnumValueValue:
            {
                if (spec is null) return -CoReErrno.EUCLEAN;
                var acc = spec.Accessors[0];
                var t = spec.Btf.GetType(acc.TypeId);
                var e = t.GetEnumValue(acc.Index);
                if (t.Kind == BtfKind.Enum)
                {
                    // libbpf always sign-extends the s32 value; kflag-aware mode zero-extends unsigned enums.
                    val = kflagAware && !t.KindFlag ? (uint)e.RawValue : (ulong)(long)(int)(uint)e.RawValue;
                }
                else
                {
                    val = e.RawValue;
                }
                return 0;
            }
            default:
                return -CoReErrno.EOPNOTSUPP;
        }
    }
}
