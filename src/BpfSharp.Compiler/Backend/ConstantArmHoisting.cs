using BpfSharp.Compiler.Ir;

namespace BpfSharp.Compiler.Backend;

/// <summary>
/// A conditional whose one arm only sets a constant (<c>x = flags != 0 ? -1 : f()</c>: <c>if c goto A; v = f();
/// goto J; A: v = -1; J: ...</c>) sets the constant before the branch and lets that side go straight to the join
/// (<c>v = -1; if c goto J; v = f(); J: ...</c>), as clang lowers such a select: one jump less, and the join is
/// reached by a branch edge, where the verifier compares the two states (the constant is within the other side's
/// unknown value) and stops walking the second one.
/// </summary>
internal static class ConstantArmHoisting
{
    public static void Run(IrFunction fn)
    {
        for (var round = 0; round < 64; round++)
        {
            if (!HoistOne(fn))
            {
                return;
            }
        }
    }

    private static bool HoistOne(IrFunction fn)
    {
        var liveOut = Liveness.Compute(fn);
        foreach (var block in fn.Blocks)
        {
            if (block.Terminator != TerminatorKind.Branch || block.Target is null || block.FalseTarget is null)
            {
                continue;
            }

            foreach (var onTrue in (bool[])[true, false])
            {
                var arm = onTrue ? block.Target : block.FalseTarget;
                var other = onTrue ? block.FalseTarget : block.Target;
                if (arm == block || arm.Terminator != TerminatorKind.Jump || arm.Target is null || arm.Target == arm
                    || arm.Instructions.Count != 1 || arm == other || !JumpsTo(other, arm.Target))
                {
                    continue; // not the two sides of one conditional value (early returns keep their shape)
                }

                var set = arm.Instructions[0];
                var v = set.Dst;
                // The constant may be set early only where the other side does not read the register before
                // writing it (it is not live out of the branch block) and the branch itself does not test it.
                if (!IsConstant(set) || v < IrFunction.PhysicalRegisters || liveOut[block.Id].Contains(v)
                    || block.CompareA == v || (!block.CompareImmediate && block.CompareB == v))
                {
                    continue;
                }

                block.Instructions.Add(set.Copy());
                if (onTrue)
                {
                    block.Target = arm.Target;
                }
                else
                {
                    block.FalseTarget = arm.Target;
                }

                return true;
            }
        }

        return false;
    }

    /// <summary>The other side runs straight (through the blocks an inlined call leaves) into the same join: a
    /// diamond, not an early exit.</summary>
    private static bool JumpsTo(IrBlock side, IrBlock join)
    {
        join = Resolve(join);
        if (join.Terminator == TerminatorKind.Exit)
        {
            return false; // two ways to return: ReturnDuplication gives each its own exit instead
        }

        for (var hops = 0; hops < 16 && side.Terminator == TerminatorKind.Jump && side.Target is not null; hops++)
        {
            if (Resolve(side.Target) == join)
            {
                return true;
            }

            side = side.Target;
        }

        return false;
    }

    private static IrBlock Resolve(IrBlock b)
    {
        for (var hops = 0; hops < 64 && b.Terminator == TerminatorKind.Jump && b.Instructions.Count == 0 && b.Target is not null && b.Target != b; hops++)
        {
            b = b.Target;
        }

        return b;
    }

    private static bool IsConstant(IrInstruction i) =>
        i.CoRe is null && (i.Op is IrOp.Mov or IrOp.Mov32 && i.HasImmediate && i.A < 0 || i.Op == IrOp.LoadImm64);
}
