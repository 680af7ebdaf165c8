using BpfSharp.Compiler.Ir;
using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Backend;

/// <summary>
/// Branches on a comparison that was first materialised as a 0/1 value: Debug IL stores every <c>if</c> condition
/// in a bool local (<c>cgt; stloc.1; ldloc.1; brfalse</c>), which the translator turns into
/// <c>SetCondition v; [Mov w = v;] branch w == 0</c> — three extra BPF instructions per <c>if</c>. When the 0/1
/// value has no other use, the block's branch tests the comparison itself.
/// </summary>
internal static class BranchFusion
{
    public static void Run(IrFunction fn)
    {
        var (useCount, defCount) = RegisterAllocator.CountUsesAndDefs(fn);

        foreach (var block in fn.Blocks)
        {
            if (block.Terminator != TerminatorKind.Branch || !block.CompareImmediate || block.CompareValue != 0
                || block.Condition is not (JumpOperation.Jeq or JumpOperation.Jne))
            {
                continue;
            }

            var flag = block.CompareA;
            if (!SingleUseTemporary(flag, useCount, defCount))
            {
                continue;
            }

            var list = block.Instructions;
            var at = LastDefinition(list, flag, list.Count);
            if (at < 0)
            {
                continue;
            }

            var move = -1;
            if (list[at].Op is IrOp.Mov or IrOp.Mov32 && list[at].A >= 0 && SingleUseTemporary(list[at].A, useCount, defCount))
            {
                move = at;
                at = LastDefinition(list, list[move].A, move);
                if (at < 0)
                {
                    continue;
                }
            }

            var compare = list[at];
            if (compare.Op != IrOp.SetCondition || compare.Condition == JumpOperation.Jset || OperandsChangeAfter(list, compare, at))
            {
                continue;
            }

            block.Condition = block.Condition == JumpOperation.Jeq ? JumpConditions.Invert(compare.Condition) : compare.Condition;
            block.Compare32 = !compare.Is64;
            block.CompareA = compare.A;
            block.CompareImmediate = compare.HasImmediate;
            block.CompareValue = compare.Immediate;
            block.CompareB = compare.HasImmediate ? -1 : compare.B;
            if (move >= 0)
            {
                list.RemoveAt(move);
            }

            list.RemoveAt(at);
        }
    }

    /// <summary>A virtual register written once and read once (physical registers are never candidates).</summary>
    private static bool SingleUseTemporary(int r, int[] useCount, int[] defCount) =>
        r >= IrFunction.PhysicalRegisters && useCount[r] == 1 && defCount[r] == 1;

    /// <summary>The index of the last instruction before <paramref name="before"/> that writes <paramref name="register"/>, or -1.</summary>
    internal static int LastDefinition(List<IrInstruction> list, int register, int before)
    {
        if (register < 0)
        {
            return -1;
        }

        var defs = new List<int>();
        for (var k = before - 1; k >= 0; k--)
        {
            RegisterAllocator.Defs(list[k], defs);
            if (defs.Contains(register))
            {
                return k;
            }
        }

        return -1;
    }

    /// <summary>True if an operand of the comparison is written between it and the end of the block.</summary>
    internal static bool OperandsChangeAfter(List<IrInstruction> list, IrInstruction compare, int at)
    {
        var defs = new List<int>();
        for (var k = at + 1; k < list.Count; k++)
        {
            RegisterAllocator.Defs(list[k], defs);
            if (defs.Contains(compare.A) || (!compare.HasImmediate && defs.Contains(compare.B)))
            {
                return true;
            }
        }

        return false;
    }
}
