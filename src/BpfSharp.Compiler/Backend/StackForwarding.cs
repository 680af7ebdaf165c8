using BpfSharp.Compiler.Ir;
using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Backend;

/// <summary>
/// Store-to-load and load-to-load forwarding on the stack: a local whose address is taken (a map key, a probe-read
/// destination) is stored and, in C#'s IL, read straight back (<c>stloc; ldloc</c>), or read again for each use.
/// While nothing can have written the slot since (no call, no atomic, no store through a pointer, no other store to
/// it) and the register that holds its value still does, a load of the same bytes becomes a move from that
/// register, which the register allocator usually removes: in clang's code the value stays in its register.
/// Facts flow along blocks with a single predecessor (the tests of <c>a &amp;&amp; b</c>, the body of an <c>if</c>).
/// </summary>
internal static class StackForwarding
{
    public static void Run(IrFunction fn)
    {
        var predecessors = new Dictionary<IrBlock, List<IrBlock>>();
        foreach (var block in fn.Blocks)
        {
            foreach (var s in block.Successors)
            {
                if (!predecessors.TryGetValue(s, out var list))
                {
                    predecessors[s] = list = [];
                }

                list.Add(block);
            }
        }

        var defs = new List<int>();
        var atEnd = new Dictionary<IrBlock, Dictionary<(int Slot, int Offset, MemorySize Size), (int Register, bool Narrow)>>();
        foreach (var block in GlobalAddressReuse.ReversePostOrder(fn))
        {
            var known = new Dictionary<(int Slot, int Offset, MemorySize Size), (int Register, bool Narrow)>();
            if (block != fn.Blocks[0] && predecessors.TryGetValue(block, out var from) && from.Count == 1
                && atEnd.TryGetValue(from[0], out var inherited))
            {
                known = new(inherited);
            }

            var list = block.Instructions;
            for (var n = 0; n < list.Count; n++)
            {
                var i = list[n];
                if (i.Op == IrOp.Load && i.Slot >= 0 && !i.Signed && i.CoRe is null && i.Dst >= IrFunction.PhysicalRegisters
                    && known.TryGetValue((i.Slot, i.Offset, i.Size), out var holder))
                {
                    // A 4-byte store kept the register's upper half, which the load would clear.
                    list[n] = i = new IrInstruction { Op = holder.Narrow ? IrOp.Mov32 : IrOp.Mov, Dst = i.Dst, A = holder.Register, Line = i.Line };
                }

                switch (i.Op)
                {
                    case IrOp.Call or IrOp.LoadPacket or IrOp.Atomic:
                        known.Clear();
                        break;
                    case IrOp.Store when i.Slot < 0:
                        known.Clear(); // through a pointer: may be into the frame
                        break;
                    case IrOp.Store:
                        foreach (var key in known.Keys.Where(k => k.Slot == i.Slot).ToList())
                        {
                            known.Remove(key);
                        }

                        // 1- and 2-byte stores would need a mask: not forwarded.
                        if (!i.HasImmediate && i.CoRe is null && i.B >= IrFunction.PhysicalRegisters && i.Size is MemorySize.Word or MemorySize.DoubleWord)
                        {
                            known[(i.Slot, i.Offset, i.Size)] = (i.B, i.Size == MemorySize.Word);
                        }

                        break;
                }

                RegisterAllocator.Defs(i, defs);
                foreach (var d in defs)
                {
                    foreach (var key in known.Where(k => k.Value.Register == d).Select(k => k.Key).ToList())
                    {
                        known.Remove(key);
                    }
                }

                if (i.Op == IrOp.Load && i.Slot >= 0 && !i.Signed && i.CoRe is null && i.Dst >= IrFunction.PhysicalRegisters
                    && !known.ContainsKey((i.Slot, i.Offset, i.Size)))
                {
                    known[(i.Slot, i.Offset, i.Size)] = (i.Dst, false); // loads zero-extend: the register is the slot's value
                }
            }

            atEnd[block] = known;
        }
    }
}
