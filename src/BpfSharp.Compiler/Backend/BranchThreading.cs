using BpfSharp.Compiler.Ir;
using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Backend;

/// <summary>
/// An inlined <c>bool</c> method joins its returns in one block that the caller then tests
/// (<c>v = 0; goto join</c> … <c>v = 1; goto join</c> … <c>join: if v != 0 goto T</c>, or <c>v = a == b</c> as a
/// materialised 0/1). A predecessor that knows what the test will say jumps past it: one that set the register to a
/// constant goes straight to the side the test would take, one that set it from a comparison branches on that
/// comparison itself. The constant moves left behind are dead (<see cref="DeadDefinitions"/> removes them) and so is
/// the join block once no path reaches it: clang's shape, which saves the verifier the move and the test on every
/// path through the call.
/// </summary>
internal static class BranchThreading
{
    // Register copies a join block may hold before its test (Debug IL: `stloc; ldloc; brfalse`); they are copied
    // into each predecessor that skips the block.
    private const int MaxCopies = 2;

    public static void Run(IrFunction fn)
    {
        var changed = false;
        for (var round = 0; round < 8; round++)
        {
            var any = false;
            foreach (var block in fn.Blocks)
            {
                any |= Thread(block);
            }

            if (!any)
            {
                break;
            }

            changed = true;
        }

        if (changed)
        {
            RemoveUnreachable(fn);
        }
    }

    /// <summary>Threads the block's jump (or each edge of its branch) past a join block whose test it can decide.</summary>
    private static bool Thread(IrBlock block)
    {
        if (block.Terminator == TerminatorKind.Jump && block.Target is not null)
        {
            var join = SkipForwarders(block.Target);
            if (join == block || !IsTest(join))
            {
                return false;
            }

            var at = BranchFusion.LastDefinition(block.Instructions, TestedBefore(join), block.Instructions.Count);
            if (at < 0)
            {
                return false;
            }

            var def = block.Instructions[at];
            if (Constant(def) is { } value)
            {
                CopyInto(block, join);
                block.Target = Evaluate(join, value) ? join.Target : join.FalseTarget;
                return true;
            }

            if (def.Op == IrOp.SetCondition && def.Condition != JumpOperation.Jset && join.CompareValue == 0
                && join.Condition is JumpOperation.Jeq or JumpOperation.Jne && !BranchFusion.OperandsChangeAfter(block.Instructions, def, at))
            {
                CopyInto(block, join);
                block.Terminator = TerminatorKind.Branch;
                block.Condition = join.Condition == JumpOperation.Jne ? def.Condition : JumpConditions.Invert(def.Condition);
                block.Compare32 = !def.Is64;
                block.CompareA = def.A;
                block.CompareImmediate = def.HasImmediate;
                block.CompareValue = def.Immediate;
                block.CompareB = def.HasImmediate ? -1 : def.B;
                block.Target = join.Target;
                block.FalseTarget = join.FalseTarget;
                return true;
            }

            return false;
        }

        if (block.Terminator != TerminatorKind.Branch)
        {
            return false;
        }

        // A conditional edge into an empty join: the constant set before the branch decides the join's test too.
        var threaded = false;
        foreach (var onTrue in (bool[])[true, false])
        {
            var edge = onTrue ? block.Target : block.FalseTarget;
            if (edge is null)
            {
                continue;
            }

            var join = SkipForwarders(edge);
            if (join == block || !IsTest(join) || join.Instructions.Count > 0)
            {
                continue;
            }

            var at = BranchFusion.LastDefinition(block.Instructions, join.CompareA, block.Instructions.Count);
            if (at < 0 || Constant(block.Instructions[at]) is not { } value || TerminatorReads(block, join.CompareA))
            {
                continue;
            }

            var next = Evaluate(join, value) ? join.Target : join.FalseTarget;
            if (onTrue)
            {
                block.Target = next;
            }
            else
            {
                block.FalseTarget = next;
            }

            threaded = true;
        }

        return threaded;
    }

    /// <summary>A block that only tests a register against an immediate, after at most a few register copies.</summary>
    private static bool IsTest(IrBlock b) =>
        b.Terminator == TerminatorKind.Branch && b.CompareImmediate && b.Target is not null && b.FalseTarget is not null
        && b.Instructions.Count <= MaxCopies && b.Instructions.All(i => i.Op is IrOp.Mov or IrOp.Mov32 && !i.HasImmediate && i.A >= 0 && i.Dst >= 0);

    /// <summary>The register whose value, on entry to the join, decides its test (through its copies).</summary>
    private static int TestedBefore(IrBlock join)
    {
        var r = join.CompareA;
        for (var k = join.Instructions.Count - 1; k >= 0; k--)
        {
            var copy = join.Instructions[k];
            if (copy.Dst == r)
            {
                if (copy.Op == IrOp.Mov32 && !join.Compare32)
                {
                    return -1; // a 32-bit copy tested as 64 bits: the constant would need truncating; not worth it
                }

                r = copy.A;
            }
        }

        return r;
    }

    private static void CopyInto(IrBlock block, IrBlock join)
    {
        foreach (var i in join.Instructions)
        {
            block.Instructions.Add(i.Copy());
        }
    }

    private static long? Constant(IrInstruction i) => i.Op switch
    {
        IrOp.Mov when i.HasImmediate => i.Immediate,
        IrOp.Mov32 when i.HasImmediate => (uint)i.Immediate,
        IrOp.LoadImm64 when i.CoRe is null => i.Immediate,
        _ => null,
    };

    /// <summary>The outcome of the join's test for a known register value.</summary>
    private static bool Evaluate(IrBlock join, long value)
    {
        var b = join.CompareValue;
        if (join.Compare32)
        {
            value = (int)value;
            b = (int)b;
        }

        ulong ua = join.Compare32 ? (uint)value : (ulong)value, ub = join.Compare32 ? (uint)b : (ulong)b;
        return join.Condition switch
        {
            JumpOperation.Jeq => ua == ub,
            JumpOperation.Jne => ua != ub,
            JumpOperation.Jgt => ua > ub,
            JumpOperation.Jge => ua >= ub,
            JumpOperation.Jlt => ua < ub,
            JumpOperation.Jle => ua <= ub,
            JumpOperation.Jsgt => value > b,
            JumpOperation.Jsge => value >= b,
            JumpOperation.Jslt => value < b,
            JumpOperation.Jsle => value <= b,
            JumpOperation.Jset => (ua & ub) != 0,
            _ => throw new InvalidOperationException($"jump condition {join.Condition} cannot be evaluated"),
        };
    }

    private static IrBlock SkipForwarders(IrBlock b)
    {
        for (var hops = 0; hops < 64 && b.Terminator == TerminatorKind.Jump && b.Instructions.Count == 0 && b.Target is not null && b.Target != b; hops++)
        {
            b = b.Target;
        }

        return b;
    }

    private static bool TerminatorReads(IrBlock b, int register) =>
        b.CompareA == register || (!b.CompareImmediate && b.CompareB == register);

    /// <summary>Drops the blocks no path from the entry reaches any more (the joins every predecessor now skips).</summary>
    internal static void RemoveUnreachable(IrFunction fn)
    {
        var seen = new HashSet<IrBlock>();
        var work = new Stack<IrBlock>();
        work.Push(fn.Blocks[0]);
        while (work.Count > 0)
        {
            var b = work.Pop();
            if (seen.Add(b))
            {
                foreach (var s in b.Successors)
                {
                    work.Push(s);
                }
            }
        }

        fn.Blocks.RemoveAll(b => !seen.Contains(b));
    }
}
