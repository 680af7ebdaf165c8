using BpfSharp.Compiler.Ir;

namespace BpfSharp.Compiler.Backend;

/// <summary>
/// The translator keeps a global's address (<c>ld_imm64</c>) in a register within a block; this pass carries it on
/// into the blocks that can only be entered from there (the tests of <c>a &amp;&amp; b</c>, the body of an
/// <c>if</c>) as clang does, until a call clobbers the caller-saved registers: later loads of the same address
/// use the first register instead of another two-slot <c>ld_imm64</c>.
/// </summary>
internal static class GlobalAddressReuse
{
    public static void Run(IrFunction fn)
    {
        var defCount = new int[fn.RegisterCount];
        var scratch = new List<int>();
        var predecessors = new Dictionary<IrBlock, int>();
        foreach (var block in fn.Blocks)
        {
            foreach (var i in block.Instructions)
            {
                RegisterAllocator.Defs(i, scratch);
                foreach (var r in scratch) defCount[r]++;
            }

            foreach (var s in block.Successors)
            {
                predecessors[s] = predecessors.GetValueOrDefault(s) + 1;
            }
        }

        var rename = new Dictionary<int, int>();
        var availableAtEnd = new Dictionary<IrBlock, Dictionary<(int Symbol, long Offset), int>>();
        foreach (var block in ReversePostOrder(fn))
        {
            var available = new Dictionary<(int Symbol, long Offset), int>();
            if (block != fn.Blocks[0] && predecessors.GetValueOrDefault(block) == 1)
            {
                var from = fn.Blocks.FirstOrDefault(p => p.Successors.Contains(block));
                if (from is not null && availableAtEnd.TryGetValue(from, out var inherited))
                {
                    available = new(inherited);
                }
            }

            for (var n = 0; n < block.Instructions.Count; n++)
            {
                var i = block.Instructions[n];
                if (i.Op is IrOp.Call or IrOp.LoadPacket)
                {
                    available.Clear();
                }
                else if (i.Op == IrOp.LoadGlobal && i.Dst >= IrFunction.PhysicalRegisters && defCount[i.Dst] == 1)
                {
                    if (available.TryGetValue((i.Symbol, i.Immediate), out var earlier))
                    {
                        rename[i.Dst] = earlier;
                        block.Instructions.RemoveAt(n--);
                    }
                    else
                    {
                        available[(i.Symbol, i.Immediate)] = i.Dst;
                    }
                }
            }

            availableAtEnd[block] = available;
        }

        if (rename.Count == 0)
        {
            return;
        }

        foreach (var block in fn.Blocks)
        {
            foreach (var i in block.Instructions)
            {
                i.A = rename.GetValueOrDefault(i.A, i.A);
                i.B = rename.GetValueOrDefault(i.B, i.B);
            }

            block.CompareA = rename.GetValueOrDefault(block.CompareA, block.CompareA);
            block.CompareB = rename.GetValueOrDefault(block.CompareB, block.CompareB);
        }
    }

    internal static List<IrBlock> ReversePostOrder(IrFunction fn)
    {
        var order = new List<IrBlock>();
        var seen = new HashSet<IrBlock>();
        var stack = new Stack<(IrBlock Block, IEnumerator<IrBlock> Next)>();
        seen.Add(fn.Blocks[0]);
        stack.Push((fn.Blocks[0], fn.Blocks[0].Successors.GetEnumerator()));
        while (stack.Count > 0)
        {
            var (block, next) = stack.Peek();
            if (next.MoveNext())
            {
                if (seen.Add(next.Current))
                {
                    stack.Push((next.Current, next.Current.Successors.GetEnumerator()));
                }
            }
            else
            {
                stack.Pop();
                order.Add(block);
            }
        }

        order.Reverse();
        return order;
    }
}
