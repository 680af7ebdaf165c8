using BpfSharp.Compiler.Ir;

namespace BpfSharp.Compiler.Backend;

/// <summary>
/// A return jumps to the function's one exit block (<c>r0 = result; exit</c>); clang instead ends each returning
/// path with its own copy of that small block. The copy costs nothing in size (an <c>exit</c> replaces the
/// <c>goto</c>) and saves the verifier one instruction on every path that returns early, and a conditional return
/// becomes a branch straight to <c>r0 = 0; exit</c>.
/// </summary>
internal static class ReturnDuplication
{
    // The exit block's instructions at most: the move of the result into r0.
    private const int MaxCopied = 1;

    public static void Run(IrFunction fn)
    {
        for (var b = 0; b < fn.Blocks.Count; b++)
        {
            var block = fn.Blocks[b];
            // An empty block is a forwarder: branches reach the exit block through it at no cost already.
            if (block.Terminator != TerminatorKind.Jump || block.Target is null || block.Instructions.Count == 0)
            {
                continue;
            }

            var target = block.Target;
            for (var hops = 0; hops < 64 && target.Terminator == TerminatorKind.Jump && target.Instructions.Count == 0 && target.Target is not null && target.Target != target; hops++)
            {
                target = target.Target; // through empty forwarding blocks
            }

            if (target == block || target.Terminator != TerminatorKind.Exit || target.Instructions.Count > MaxCopied
                || NextPlaced(fn, b) == target)
            {
                continue; // not an exit block, or one this block falls into anyway
            }

            foreach (var i in target.Instructions)
            {
                block.Instructions.Add(i.Copy());
            }

            block.Terminator = TerminatorKind.Exit;
            block.Target = null;
            block.TerminatorLine = target.TerminatorLine;
        }
    }

    /// <summary>The block laid out after block <paramref name="index"/> (the emitter skips empty forwarders).</summary>
    private static IrBlock? NextPlaced(IrFunction fn, int index)
    {
        for (var n = index + 1; n < fn.Blocks.Count; n++)
        {
            var next = fn.Blocks[n];
            if (!(next.Instructions.Count == 0 && next.Terminator == TerminatorKind.Jump && next.Target != next))
            {
                return next;
            }
        }

        return null;
    }
}
