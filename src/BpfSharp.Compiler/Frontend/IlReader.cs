using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;

namespace BpfSharp.Compiler.Frontend;

/// <summary>One decoded IL instruction.</summary>
internal struct IlInstruction
{
    public int Offset;
    public ILOpCode OpCode;
    public long Int;          // integer operand (ldc, ldloc index, branch target, …)
    public double Float;      // ldc.r4/r8
    public EntityHandle Token;
    public UserStringHandle String;
    public int[]? Targets;    // switch targets
}

/// <summary>Decodes a method body into instructions; branch targets become absolute IL offsets.</summary>
internal static class IlReader
{
    public static List<IlInstruction> Decode(MethodBodyBlock body)
    {
        var result = new List<IlInstruction>();
        var r = body.GetILReader();
        while (r.RemainingBytes > 0)
        {
            var insn = new IlInstruction { Offset = r.Offset };
            int code = r.ReadByte();
            if (code == 0xFE)
            {
                code = 0xFE00 | r.ReadByte();
            }

            insn.OpCode = (ILOpCode)code;
            switch (OperandOf(insn.OpCode))
            {
                case Operand.InlineNone:
                    break;
                case Operand.ShortInlineBrTarget:
                    insn.Int = r.ReadSByte() + r.Offset;
                    break;
                case Operand.InlineBrTarget:
                    insn.Int = r.ReadInt32() + r.Offset;
                    break;
                case Operand.ShortInlineI:
                    insn.Int = insn.OpCode == ILOpCode.Ldc_i4_s ? r.ReadSByte() : r.ReadByte();
                    break;
                case Operand.ShortInlineVar:
                    insn.Int = r.ReadByte();
                    break;
                case Operand.InlineVar:
                    insn.Int = r.ReadUInt16();
                    break;
                case Operand.InlineI:
                    insn.Int = r.ReadInt32();
                    break;
                case Operand.InlineI8:
                    insn.Int = r.ReadInt64();
                    break;
                case Operand.ShortInlineR:
                    insn.Float = r.ReadSingle();
                    break;
                case Operand.InlineR:
                    insn.Float = r.ReadDouble();
                    break;
                case Operand.InlineString:
                    insn.String = MetadataTokens.UserStringHandle(r.ReadInt32() & 0xFFFFFF);
                    break;
                case Operand.InlineSwitch:
                    var n = r.ReadInt32();
                    if (n < 0 || n > r.RemainingBytes / 4)
                    {
                        throw new BadImageFormatException($"IL_{insn.Offset:x4}: switch with {n} targets");
                    }

                    var rel = new int[n];
                    for (var i = 0; i < n; i++)
                    {
                        rel[i] = r.ReadInt32();
                    }

                    for (var i = 0; i < n; i++)
                    {
                        rel[i] += r.Offset;
                    }

                    insn.Targets = rel;
                    break;
                case Operand.InlineToken:
                    insn.Token = MetadataTokens.EntityHandle(r.ReadInt32());
                    break;
            }

            result.Add(insn);
        }

        return result;
    }

    private enum Operand { InlineNone, ShortInlineBrTarget, InlineBrTarget, ShortInlineI, ShortInlineVar, InlineVar, InlineI, InlineI8, ShortInlineR, InlineR, InlineString, InlineSwitch, InlineToken }

    private static Operand OperandOf(ILOpCode op) => op switch
    {
        ILOpCode.Br_s or ILOpCode.Brfalse_s or ILOpCode.Brtrue_s or ILOpCode.Beq_s or ILOpCode.Bge_s or ILOpCode.Bgt_s
            or ILOpCode.Ble_s or ILOpCode.Blt_s or ILOpCode.Bne_un_s or ILOpCode.Bge_un_s or ILOpCode.Bgt_un_s
            or ILOpCode.Ble_un_s or ILOpCode.Blt_un_s or ILOpCode.Leave_s => Operand.ShortInlineBrTarget,
        ILOpCode.Br or ILOpCode.Brfalse or ILOpCode.Brtrue or ILOpCode.Beq or ILOpCode.Bge or ILOpCode.Bgt
            or ILOpCode.Ble or ILOpCode.Blt or ILOpCode.Bne_un or ILOpCode.Bge_un or ILOpCode.Bgt_un
            or ILOpCode.Ble_un or ILOpCode.Blt_un or ILOpCode.Leave => Operand.InlineBrTarget,
        ILOpCode.Ldc_i4_s or ILOpCode.Unaligned => Operand.ShortInlineI,
        ILOpCode.Ldarg_s or ILOpCode.Ldarga_s or ILOpCode.Starg_s or ILOpCode.Ldloc_s or ILOpCode.Ldloca_s
            or ILOpCode.Stloc_s => Operand.ShortInlineVar,
        ILOpCode.Ldarg or ILOpCode.Ldarga or ILOpCode.Starg or ILOpCode.Ldloc or ILOpCode.Ldloca
            or ILOpCode.Stloc => Operand.InlineVar,
        ILOpCode.Ldc_i4 => Operand.InlineI,
        ILOpCode.Ldc_i8 => Operand.InlineI8,
        ILOpCode.Ldc_r4 => Operand.ShortInlineR,
        ILOpCode.Ldc_r8 => Operand.InlineR,
        ILOpCode.Ldstr => Operand.InlineString,
        ILOpCode.Switch => Operand.InlineSwitch,
        ILOpCode.Jmp or ILOpCode.Call or ILOpCode.Calli or ILOpCode.Callvirt or ILOpCode.Cpobj or ILOpCode.Ldobj
            or ILOpCode.Newobj or ILOpCode.Castclass or ILOpCode.Isinst or ILOpCode.Unbox or ILOpCode.Ldfld
            or ILOpCode.Ldflda or ILOpCode.Stfld or ILOpCode.Ldsfld or ILOpCode.Ldsflda or ILOpCode.Stsfld
            or ILOpCode.Stobj or ILOpCode.Box or ILOpCode.Newarr or ILOpCode.Ldelema or ILOpCode.Ldelem
            or ILOpCode.Stelem or ILOpCode.Unbox_any or ILOpCode.Refanyval or ILOpCode.Mkrefany or ILOpCode.Ldtoken
            or ILOpCode.Ldftn or ILOpCode.Ldvirtftn or ILOpCode.Initobj or ILOpCode.Constrained or ILOpCode.Sizeof
            => Operand.InlineToken,
        _ => Operand.InlineNone,
    };

    /// <summary>Normalises the short/macro forms: ldloc.0 → ldloc 0, ldc.i4.3 → ldc.i4 3, br.s → br, ….</summary>
    public static void Normalize(ref IlInstruction i)
    {
        switch (i.OpCode)
        {
            case >= ILOpCode.Ldarg_0 and <= ILOpCode.Ldarg_3: i.Int = i.OpCode - ILOpCode.Ldarg_0; i.OpCode = ILOpCode.Ldarg; break;
            case >= ILOpCode.Ldloc_0 and <= ILOpCode.Ldloc_3: i.Int = i.OpCode - ILOpCode.Ldloc_0; i.OpCode = ILOpCode.Ldloc; break;
            case >= ILOpCode.Stloc_0 and <= ILOpCode.Stloc_3: i.Int = i.OpCode - ILOpCode.Stloc_0; i.OpCode = ILOpCode.Stloc; break;
            case ILOpCode.Ldarg_s: i.OpCode = ILOpCode.Ldarg; break;
            case ILOpCode.Ldarga_s: i.OpCode = ILOpCode.Ldarga; break;
            case ILOpCode.Starg_s: i.OpCode = ILOpCode.Starg; break;
            case ILOpCode.Ldloc_s: i.OpCode = ILOpCode.Ldloc; break;
            case ILOpCode.Ldloca_s: i.OpCode = ILOpCode.Ldloca; break;
            case ILOpCode.Stloc_s: i.OpCode = ILOpCode.Stloc; break;
            case ILOpCode.Ldc_i4_m1: i.Int = -1; i.OpCode = ILOpCode.Ldc_i4; break;
            case >= ILOpCode.Ldc_i4_0 and <= ILOpCode.Ldc_i4_8: i.Int = i.OpCode - ILOpCode.Ldc_i4_0; i.OpCode = ILOpCode.Ldc_i4; break;
            case ILOpCode.Ldc_i4_s: i.OpCode = ILOpCode.Ldc_i4; break;
            case ILOpCode.Br_s: i.OpCode = ILOpCode.Br; break;
            case ILOpCode.Leave_s or ILOpCode.Leave: i.OpCode = ILOpCode.Br; break;
            case ILOpCode.Brfalse_s: i.OpCode = ILOpCode.Brfalse; break;
            case ILOpCode.Brtrue_s: i.OpCode = ILOpCode.Brtrue; break;
            case ILOpCode.Beq_s: i.OpCode = ILOpCode.Beq; break;
            case ILOpCode.Bge_s: i.OpCode = ILOpCode.Bge; break;
            case ILOpCode.Bgt_s: i.OpCode = ILOpCode.Bgt; break;
            case ILOpCode.Ble_s: i.OpCode = ILOpCode.Ble; break;
            case ILOpCode.Blt_s: i.OpCode = ILOpCode.Blt; break;
            case ILOpCode.Bne_un_s: i.OpCode = ILOpCode.Bne_un; break;
            case ILOpCode.Bge_un_s: i.OpCode = ILOpCode.Bge_un; break;
            case ILOpCode.Bgt_un_s: i.OpCode = ILOpCode.Bgt_un; break;
            case ILOpCode.Ble_un_s: i.OpCode = ILOpCode.Ble_un; break;
            case ILOpCode.Blt_un_s: i.OpCode = ILOpCode.Blt_un; break;
        }
    }

    public static bool IsBranch(ILOpCode op) => op is ILOpCode.Br or ILOpCode.Brfalse or ILOpCode.Brtrue or ILOpCode.Beq
        or ILOpCode.Bge or ILOpCode.Bgt or ILOpCode.Ble or ILOpCode.Blt or ILOpCode.Bne_un or ILOpCode.Bge_un
        or ILOpCode.Bgt_un or ILOpCode.Ble_un or ILOpCode.Blt_un;
}
