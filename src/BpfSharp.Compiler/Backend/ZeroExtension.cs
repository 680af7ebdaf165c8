using BpfSharp.Compiler.Ir;

namespace BpfSharp.Compiler.Backend;

/// <summary>
/// Drops 32-bit moves (<c>w1 = w2</c>) whose only effect would be clearing an upper half that is already zero. A
/// virtual register is known zero-extended when every one of its definitions leaves the upper half zero: a 32-bit ALU
/// operation or move, a non-negative immediate, a 1-, 2- or 4-byte load, or a copy of such a register. Such a move
/// then becomes a plain move, which the register allocator coalesces away. Typical case: an <c>int</c> local built
/// with 32-bit arithmetic on several paths and returned, which otherwise ends in <c>w0 = w0</c>.
/// </summary>
internal static class ZeroExtension
{
    public static void Run(IrFunction fn)
    {
        // First the moves whose result is only ever read by 32-bit operations: their upper half does not matter.
        // Done before the analysis below, which then sees them as the plain moves they have become.
        var wideUse = WideUses(fn);
        foreach (var block in fn.Blocks)
        {
            foreach (var i in block.Instructions)
            {
                if (i.Op == IrOp.Mov32 && !i.HasImmediate && i.A >= 0 && i.Dst >= IrFunction.PhysicalRegisters && !wideUse[i.Dst])
                {
                    i.Op = IrOp.Mov;
                }
            }
        }

        var zext = new bool[fn.RegisterCount];
        for (var r = IrFunction.PhysicalRegisters; r < zext.Length; r++) zext[r] = true; // r0-r10: never assumed
        var defs = new List<int>();
        bool changed = true;
        while (changed) // only ever clears flags, so this ends
        {
            changed = false;
            foreach (var block in fn.Blocks)
            {
                foreach (var i in block.Instructions)
                {
                    RegisterAllocator.Defs(i, defs);
                    foreach (var d in defs)
                    {
                        if (zext[d] && !LeavesUpperHalfZero(i, d, zext))
                        {
                            zext[d] = false;
                            changed = true;
                        }
                    }
                }
            }
        }

        foreach (var block in fn.Blocks)
        {
            foreach (var i in block.Instructions)
            {
                if (i.Op == IrOp.Mov32 && !i.HasImmediate && i.A >= 0 && zext[i.A])
                {
                    i.Op = IrOp.Mov;
                }
            }
        }
    }

    /// <summary>Registers some use of which reads the upper half; the others are only ever used by 32-bit
    /// operations, comparisons and stores of at most 4 bytes, so clearing their upper half is wasted.</summary>
    private static bool[] WideUses(IrFunction fn)
    {
        var wide = new bool[fn.RegisterCount];
        var uses = new List<int>();
        foreach (var block in fn.Blocks)
        {
            foreach (var i in block.Instructions)
            {
                RegisterAllocator.Uses(i, uses);
                foreach (var r in uses)
                {
                    var lowHalfOnly = i.Op switch
                    {
                        IrOp.Binary => !i.Is64,
                        IrOp.Mov32 => true,
                        IrOp.Store => r == i.B && r != i.A && i.Size is Instructions.MemorySize.Byte or Instructions.MemorySize.HalfWord or Instructions.MemorySize.Word,
                        _ => false,
                    };
                    wide[r] |= !lowHalfOnly;
                }
            }

            RegisterAllocator.TerminatorUses(block, uses);
            foreach (var r in uses)
            {
                wide[r] |= !(block.Terminator == TerminatorKind.Branch && block.Compare32);
            }
        }

        return wide;
    }

    // Whether this instruction's definition of d leaves d's upper 32 bits zero (CO-RE-patched instructions never
    // count: the loader may change their immediate or load size).
    private static bool LeavesUpperHalfZero(IrInstruction i, int d, bool[] zext)
    {
        if (i.CoRe is not null || d != i.Dst) return false;
        return i.Op switch
        {
            IrOp.Mov32 => true,
            IrOp.Binary => !i.Is64,
            IrOp.Mov => i.HasImmediate ? i.Immediate is >= 0 and <= int.MaxValue : i.A >= 0 && zext[i.A],
            IrOp.Load => !i.Signed && i.Size is Instructions.MemorySize.Byte or Instructions.MemorySize.HalfWord or Instructions.MemorySize.Word,
            _ => false,
        };
    }
}
