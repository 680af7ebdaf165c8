using BpfSharp.Compiler.Ir;

namespace BpfSharp.Compiler.Backend;

/// <summary>
/// A program that only reads fields of its context (<c>ctx-&gt;Parm3</c> after a helper call and a filter) keeps
/// the context pointer in a callee-saved register (<c>r6 = r1</c>) and loads later. clang loads such fields at entry,
/// where r1 still holds the context, as <c>BPF_KPROBE</c>'s argument macros do. When the context register is
/// written once, at entry from r1, and read only by a few loads into registers of their own, those loads move to
/// the entry: the copy of r1 disappears, and a load cannot fault or change meaning by moving (the verifier checks
/// context accesses by offset; no helper is handed the context, so none can change what it holds).
/// </summary>
internal static class ContextLoadHoisting
{
    // More hoisted loads than this would each hold a callee-saved register where the context took one.
    private const int MaxLoads = 2;

    public static void Run(IrFunction fn)
    {
        if (fn.Blocks.Count == 0)
        {
            return;
        }

        var entry = fn.Blocks[0];
        var at = entry.Instructions.FindIndex(i => i.Op == IrOp.Mov && !i.HasImmediate && i.A == 1);
        if (at < 0 || entry.Instructions.Take(at).Any(i => Writes(i, 1)))
        {
            return;
        }

        var context = entry.Instructions[at].Dst;
        if (context < IrFunction.PhysicalRegisters)
        {
            return;
        }

        var defs = new int[fn.RegisterCount];
        var scratch = new List<int>();
        var loads = new List<(IrBlock Block, IrInstruction Load)>();
        foreach (var block in fn.Blocks)
        {
            foreach (var i in block.Instructions)
            {
                RegisterAllocator.Defs(i, scratch);
                foreach (var r in scratch) defs[r]++;
                RegisterAllocator.Uses(i, scratch);
                if (!scratch.Contains(context))
                {
                    continue;
                }

                if (i.Op != IrOp.Load || i.A != context || i.Slot >= 0 || i.Dst < IrFunction.PhysicalRegisters)
                {
                    return; // the context escapes (a helper argument, a copy, a store): it stays where it is
                }

                loads.Add((block, i));
            }

            RegisterAllocator.TerminatorUses(block, scratch);
            if (scratch.Contains(context))
            {
                return;
            }
        }

        if (defs[context] != 1 || loads.Count == 0 || loads.Count > MaxLoads || loads.All(l => l.Block == entry)
            || loads.Any(l => defs[l.Load.Dst] != 1))
        {
            return;
        }

        // The loads read r1 directly, right where the context arrives; the copy is left unread (DeadDefinitions).
        var hoisted = new List<IrInstruction>();
        foreach (var (block, load) in loads)
        {
            block.Instructions.Remove(load);
            load.A = 1;
            hoisted.Add(load);
        }

        entry.Instructions.InsertRange(at, hoisted);
    }

    private static bool Writes(IrInstruction i, int register)
    {
        var defs = new List<int>();
        RegisterAllocator.Defs(i, defs);
        return defs.Contains(register);
    }
}
