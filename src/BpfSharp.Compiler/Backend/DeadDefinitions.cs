using BpfSharp.Compiler.Ir;
using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Backend;

/// <summary>
/// Removes computations whose result no path reads: the 0/1 moves <see cref="BranchThreading"/> leaves behind, the
/// value of an <c>Interlocked.Add</c> the program drops (<c>pop</c>), copies into registers that are never read. An
/// atomic whose fetched old value is dead becomes the plain form (<c>lock *(u64 *)(r + off) += r</c>), as clang
/// emits for <c>__sync_fetch_and_add</c> whose result is unused. Only side-effect-free definitions of virtual
/// registers go; loads stay (a load can be the access the verifier checks a pointer with).
/// </summary>
internal static class DeadDefinitions
{
    public static void Run(IrFunction fn)
    {
        var uses = new List<int>();
        var defs = new List<int>();
        for (var round = 0; round < 16; round++)
        {
            var changed = false;
            var liveOut = Liveness.Compute(fn);
            foreach (var block in fn.Blocks)
            {
                var live = new HashSet<int>(liveOut[block.Id]);
                RegisterAllocator.TerminatorUses(block, uses);
                live.UnionWith(uses);
                var list = block.Instructions;
                for (var k = list.Count - 1; k >= 0; k--)
                {
                    var i = list[k];
                    if (IsPure(i) && i.Dst >= IrFunction.PhysicalRegisters && !live.Contains(i.Dst))
                    {
                        list.RemoveAt(k);
                        changed = true;
                        continue;
                    }

                    if (i.Op == IrOp.Atomic && IsFetchingArithmetic(i.AtomicOp) && i.B >= IrFunction.PhysicalRegisters && !live.Contains(i.B))
                    {
                        i.AtomicOp &= ~AtomicOperation.Fetch; // the operand register is only read now
                        changed = true;
                    }

                    RegisterAllocator.Defs(i, defs);
                    RegisterAllocator.Uses(i, uses);
                    live.ExceptWith(defs);
                    live.UnionWith(uses);
                }
            }

            if (!changed)
            {
                return;
            }
        }
    }

    /// <summary>Definitions with no effect but their destination register (CO-RE-relocated ones stay: their record
    /// is part of the object).</summary>
    private static bool IsPure(IrInstruction i) => i.CoRe is null && i.Op switch
    {
        IrOp.Mov or IrOp.Mov32 or IrOp.SignExtend32 or IrOp.Binary or IrOp.Negate or IrOp.LoadImm64 or IrOp.LoadMap
            or IrOp.LoadGlobal or IrOp.FrameAddress or IrOp.SetCondition => true,
        _ => false,
    };

    private static bool IsFetchingArithmetic(AtomicOperation op) =>
        op is AtomicOperation.FetchAdd or AtomicOperation.FetchAnd or AtomicOperation.FetchOr or AtomicOperation.FetchXor;
}
