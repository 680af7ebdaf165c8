using BpfSharp.Compiler.Ir;
using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Backend;

/// <summary>
/// A flag test kept as a value (<c>(options &amp; 4) != 0 ? 1 : 0</c>, <c>(flags &amp; 2) == 0</c>) is materialised
/// as <c>w = 1; if cond goto +1; w = 0</c>: a branch, and the verifier walks the rest of the program once per side
/// when it does not know the bit. When the masked value is read only by such tests against zero and the mask is one
/// bit, the bit itself is the answer: <c>t = x &gt;&gt; k; t &amp;= 1</c>, and the test becomes a copy of
/// <c>t</c> (<c>!= 0</c>) or <c>t ^ 1</c> (<c>== 0</c>), straight-line code as clang emits it.
/// </summary>
internal static class SingleBitTest
{
    public static void Run(IrFunction fn)
    {
        var (uses, defs) = RegisterAllocator.CountUsesAndDefs(fn);

        // The single-use masked values and the tests that read them.
        var tests = new Dictionary<int, IrInstruction>();
        foreach (var block in fn.Blocks)
        {
            foreach (var i in block.Instructions)
            {
                // Unsigned `> 0` (cgt.un) is `!= 0`, unsigned `<= 0` is `== 0`.
                if (i.Op == IrOp.SetCondition && i.HasImmediate && i.Immediate == 0
                    && i.Condition is JumpOperation.Jeq or JumpOperation.Jne or JumpOperation.Jgt or JumpOperation.Jle
                    && i.A >= IrFunction.PhysicalRegisters && i.Dst >= IrFunction.PhysicalRegisters && i.Dst != i.A
                    && uses[i.A] == 1 && defs[i.A] == 1)
                {
                    tests[i.A] = i;
                }
            }
        }

        if (tests.Count == 0)
        {
            return;
        }

        foreach (var block in fn.Blocks)
        {
            var list = block.Instructions;
            for (var n = 0; n < list.Count; n++)
            {
                var mask = list[n];
                if (mask.Op != IrOp.Binary || mask.Alu != AluOperation.And || !mask.HasImmediate || mask.CoRe is not null
                    || !tests.TryGetValue(mask.Dst, out var test) || mask.A == mask.Dst || Bit(mask.Immediate) is not { } k)
                {
                    continue;
                }

                // t = x & (1 << k)  →  t = x >> k; t &= 1   (t is 0 or 1, zero exactly when the bit is clear)
                var t = mask.Dst;
                var replaced = new List<IrInstruction>();
                if (k > 0)
                {
                    replaced.Add(new IrInstruction { Op = IrOp.Binary, Alu = AluOperation.Rsh, Dst = t, A = mask.A, HasImmediate = true, Immediate = k, Is64 = mask.Is64, Line = mask.Line });
                }

                replaced.Add(new IrInstruction { Op = IrOp.Binary, Alu = AluOperation.And, Dst = t, A = k > 0 ? t : mask.A, HasImmediate = true, Immediate = 1, Is64 = mask.Is64, Line = mask.Line });
                list.RemoveAt(n);
                list.InsertRange(n, replaced);
                n += replaced.Count - 1;

                // The test: v = t != 0 is t itself, v = t == 0 is t ^ 1.
                var notZero = test.Condition is JumpOperation.Jne or JumpOperation.Jgt;
                test.Op = notZero ? IrOp.Mov : IrOp.Binary;
                test.Alu = AluOperation.Xor;
                test.HasImmediate = !notZero;
                test.Immediate = notZero ? 0 : 1;
                test.Is64 = true;
                test.B = -1;
            }
        }
    }

    /// <summary>k when <paramref name="mask"/> is 1 &lt;&lt; k (an immediate the ALU takes as it is: below 2^31).</summary>
    private static int? Bit(long mask) =>
        mask > 0 && mask <= int.MaxValue && (mask & (mask - 1)) == 0 ? System.Numerics.BitOperations.Log2((ulong)mask) : null;
}
