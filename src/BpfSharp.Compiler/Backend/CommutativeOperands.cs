using BpfSharp.Compiler.Ir;
using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Backend;

/// <summary>
/// BPF arithmetic is two-address (<c>dst op= src</c>), so <c>d = a + b</c> is emitted as <c>d = a; d += b</c> unless
/// the register allocator gives <c>d</c> the register of <c>a</c>, which it can only do when <c>a</c> dies there. For
/// a commutative operation whose first operand stays live and whose second dies, the operands are swapped, so that
/// <c>r3 = argv + (i &lt;&lt; 3)</c> becomes <c>r0 &lt;&lt;= 3; r0 += r8</c> rather than
/// <c>r3 = r8; r3 += r0</c>. (The verifier accepts <c>scalar += pointer</c> as it does <c>pointer += scalar</c>.)
/// </summary>
internal static class CommutativeOperands
{
    public static void Run(IrFunction fn)
    {
        var liveOut = Liveness.Compute(fn);
        var uses = new List<int>();
        var defs = new List<int>();
        foreach (var block in fn.Blocks)
        {
            var live = new HashSet<int>(liveOut[block.Id]);
            RegisterAllocator.TerminatorUses(block, uses);
            live.UnionWith(uses);
            for (var k = block.Instructions.Count - 1; k >= 0; k--)
            {
                var i = block.Instructions[k];
                if (i.Op == IrOp.Binary && !i.HasImmediate && i.CoRe is null && i.A >= 0 && i.B >= 0 && i.A != i.B
                    && i.Dst != i.A && i.Dst != i.B && i.Alu is AluOperation.Add or AluOperation.Mul or AluOperation.And
                        or AluOperation.Or or AluOperation.Xor
                    && live.Contains(i.A) && !live.Contains(i.B))
                {
                    (i.A, i.B) = (i.B, i.A);
                }

                RegisterAllocator.Defs(i, defs);
                foreach (var d in defs)
                {
                    live.Remove(d);
                }

                RegisterAllocator.Uses(i, uses);
                live.UnionWith(uses);
            }
        }
    }
}
