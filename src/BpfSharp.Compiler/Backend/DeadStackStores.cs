using System.Collections;
using BpfSharp.Compiler.Ir;

namespace BpfSharp.Compiler.Backend;

/// <summary>
/// Removes stores to stack slots whose bytes are all written again before anything can read them: C# zeroes a struct
/// local (<c>T x = default</c>, <c>initobj</c>, zero-initialised locals whose address is taken) and then usually
/// writes every field, where clang writes the fields only. A backward must-analysis over the frame's bytes: a byte
/// is <em>overwritten</em> at a point when every path from there stores to it before any read of it. A load of the
/// slot reads its bytes; once a slot's address may have been taken on the way there (a map key or value, a
/// probe-read destination), every call and every load or atomic through a pointer that may point into the frame may
/// read all of it (helpers read map keys and values with their padding, and the verifier refuses a helper that reads
/// uninitialised stack), and so does taking the address itself. At the exit nothing reads the frame any more. Spill
/// slots do not exist yet (the register allocator adds them later).
/// </summary>
internal static class DeadStackStores
{
    public static void Run(IrFunction fn)
    {
        // Each slot's bytes at [base, base + size) of one bit set over the whole frame.
        var slotBase = new int[fn.Slots.Count];
        var total = 0;
        for (var s = 0; s < fn.Slots.Count; s++)
        {
            slotBase[s] = total;
            total += fn.Slots[s].Size;
        }

        if (total == 0)
        {
            return;
        }

        // Which slots' addresses may have been taken at a block's entry (a forward may-analysis): only those can a
        // helper or a load through a pointer read. A key zeroed before an unrelated helper call and filled after it
        // is still dead there.
        var takenAtEntry = new Dictionary<IrBlock, BitArray>();
        foreach (var block in fn.Blocks)
        {
            takenAtEntry[block] = new BitArray(total);
        }

        var spreading = true;
        while (spreading)
        {
            spreading = false;
            foreach (var block in fn.Blocks)
            {
                var taken = new BitArray(takenAtEntry[block]);
                foreach (var i in block.Instructions)
                {
                    if (i.Op == IrOp.FrameAddress && i.Slot >= 0)
                    {
                        SetRange(taken, slotBase[i.Slot], fn.Slots[i.Slot].Size, true);
                    }
                }

                foreach (var s in block.Successors)
                {
                    var before = new BitArray(takenAtEntry[s]);
                    takenAtEntry[s].Or(taken);
                    spreading |= !SameBits(before, takenAtEntry[s]);
                }
            }
        }

        // Per instruction: the bytes of slots whose address cannot have been taken yet.
        var untaken = new Dictionary<IrBlock, BitArray[]>();
        foreach (var block in fn.Blocks)
        {
            var taken = new BitArray(takenAtEntry[block]);
            var perInstruction = new BitArray[block.Instructions.Count];
            for (var k = 0; k < block.Instructions.Count; k++)
            {
                perInstruction[k] = new BitArray(taken).Not();
                var i = block.Instructions[k];
                if (i.Op == IrOp.FrameAddress && i.Slot >= 0)
                {
                    SetRange(taken, slotBase[i.Slot], fn.Slots[i.Slot].Size, true);
                }
            }

            untaken[block] = perInstruction;
        }

        var frameDerived = FrameDerived(fn);

        // Overwritten-at-entry of each block, starting from "everything" (the greatest fixed point: a loop that
        // only stores keeps its stores dead) and shrinking.
        var atEntry = new Dictionary<IrBlock, BitArray>();
        foreach (var block in fn.Blocks)
        {
            atEntry[block] = new BitArray(total, true);
        }

        var changed = true;
        while (changed)
        {
            changed = false;
            for (var idx = fn.Blocks.Count - 1; idx >= 0; idx--)
            {
                var block = fn.Blocks[idx];
                var state = AtExit(block, atEntry, total);
                for (var k = block.Instructions.Count - 1; k >= 0; k--)
                {
                    Transfer(fn, block.Instructions[k], state, slotBase, untaken[block][k], frameDerived, out _);
                }

                if (!SameBits(state, atEntry[block]))
                {
                    atEntry[block] = state;
                    changed = true;
                }
            }
        }

        foreach (var block in fn.Blocks)
        {
            var state = AtExit(block, atEntry, total);
            for (var k = block.Instructions.Count - 1; k >= 0; k--)
            {
                Transfer(fn, block.Instructions[k], state, slotBase, untaken[block][k], frameDerived, out var dead);
                if (dead)
                {
                    block.Instructions.RemoveAt(k);
                }
            }
        }
    }

    // Bytes overwritten before any read on every path out of the block: the intersection over the successors; at
    // the exit (or a block the translator left open) the whole frame is dead.
    private static BitArray AtExit(IrBlock block, Dictionary<IrBlock, BitArray> atEntry, int total)
    {
        BitArray? state = null;
        foreach (var s in block.Successors)
        {
            if (state is null)
            {
                state = new BitArray(atEntry[s]);
            }
            else
            {
                state.And(atEntry[s]);
            }
        }

        return state ?? new BitArray(total, true);
    }

    // Moves the state from after the instruction to before it; dead: a stack store whose bytes are all overwritten
    // later (it then changes nothing).
    private static void Transfer(IrFunction fn, IrInstruction i, BitArray state, int[] slotBase, BitArray untaken, bool[] frameDerived, out bool dead)
    {
        dead = false;
        switch (i.Op)
        {
            case IrOp.Store when i.Slot >= 0:
                if (InSlot(fn, i.Slot, i.Offset, SizeOf(i.Size)) && i.CoRe is null)
                {
                    var start = slotBase[i.Slot] + i.Offset;
                    dead = AllSet(state, start, SizeOf(i.Size));
                    SetRange(state, start, SizeOf(i.Size), true);
                }

                break;
            case IrOp.Load when i.Slot >= 0:
                if (InSlot(fn, i.Slot, i.Offset, SizeOf(i.Size)))
                {
                    SetRange(state, slotBase[i.Slot] + i.Offset, SizeOf(i.Size), false);
                }
                else
                {
                    SetRange(state, slotBase[i.Slot], fn.Slots[i.Slot].Size, false);
                }

                break;
            case IrOp.FrameAddress when i.Slot >= 0:
                SetRange(state, slotBase[i.Slot], fn.Slots[i.Slot].Size, false);
                break;
            case IrOp.Call:
                // A helper may read any slot whose address has been taken by now.
                state.And(untaken);
                break;
            case IrOp.Atomic or IrOp.KernelLoad or IrOp.Load when i.A < 0 || frameDerived[i.A]:
                // Through a pointer that may point into the frame: so may this.
                state.And(untaken);
                break;
        }
    }

    /// <summary>Registers that may hold an address in the frame: r10, frame addresses and what is computed or
    /// copied from them, and (once such an address has been stored to memory) any 8-byte load.</summary>
    private static bool[] FrameDerived(IrFunction fn)
    {
        var derived = new bool[fn.RegisterCount];
        derived[10] = true;
        var storedToMemory = false;
        var changed = true;
        while (changed)
        {
            changed = false;
            foreach (var block in fn.Blocks)
            {
                foreach (var i in block.Instructions)
                {
                    if (i.Op == IrOp.Store && !i.HasImmediate && i.B >= 0 && derived[i.B] && !storedToMemory)
                    {
                        storedToMemory = changed = true;
                    }

                    var from = i.Op switch
                    {
                        IrOp.FrameAddress => true,
                        IrOp.Mov or IrOp.Mov32 or IrOp.SignExtend32 or IrOp.Negate => i.A >= 0 && derived[i.A],
                        IrOp.Binary => (i.A >= 0 && derived[i.A]) || (!i.HasImmediate && i.B >= 0 && derived[i.B]),
                        IrOp.Load or IrOp.KernelLoad => storedToMemory && i.Size == Instructions.MemorySize.DoubleWord,
                        IrOp.Atomic => storedToMemory,
                        _ => false,
                    };
                    if (from && i.Dst >= 0 && !derived[i.Dst])
                    {
                        derived[i.Dst] = changed = true;
                    }

                    if (i.Op == IrOp.Atomic && storedToMemory && i.B >= 0 && !derived[i.B])
                    {
                        derived[i.B] = changed = true;
                    }
                }
            }
        }

        return derived;
    }

    private static bool InSlot(IrFunction fn, int slot, int offset, int size) =>
        offset >= 0 && offset + size <= fn.Slots[slot].Size;

    private static int SizeOf(Instructions.MemorySize size) => size switch
    {
        Instructions.MemorySize.Byte => 1,
        Instructions.MemorySize.HalfWord => 2,
        Instructions.MemorySize.Word => 4,
        _ => 8,
    };

    private static void SetRange(BitArray bits, int start, int count, bool value)
    {
        for (var b = start; b < start + count; b++)
        {
            bits[b] = value;
        }
    }

    private static bool AllSet(BitArray bits, int start, int count)
    {
        for (var b = start; b < start + count; b++)
        {
            if (!bits[b])
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameBits(BitArray a, BitArray b)
    {
        for (var k = 0; k < a.Length; k++)
        {
            if (a[k] != b[k])
            {
                return false;
            }
        }

        return true;
    }
}
