using BpfSharp.Compiler.Ir;
using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Backend;

/// <summary>
/// An <c>int</c> index scaled to a byte offset (<c>p[i]</c>, <c>&amp;argv[i]</c>) is sign-extended
/// (<c>r &lt;&lt;= 32; r s&gt;&gt;= 32</c>) and then shifted left by the element size's log2. When the extended
/// value has no other use, the two right-then-left shifts are one: <c>r &lt;&lt;= 32; r s&gt;&gt;= 32 - k</c> is
/// exactly <c>(s64)(s32)r &lt;&lt; k</c> for 0 &lt; k &lt; 32, one instruction less (in a loop, one per iteration).
/// </summary>
internal static class SignExtendShift
{
    public static void Run(IrFunction fn)
    {
        var (uses, defs) = RegisterAllocator.CountUsesAndDefs(fn);
        var scratch = new List<int>();

        foreach (var block in fn.Blocks)
        {
            var list = block.Instructions;
            for (var n = 0; n < list.Count; n++)
            {
                var extend = list[n];
                if (extend.Op != IrOp.SignExtend32 || extend.Dst < IrFunction.PhysicalRegisters
                    || defs[extend.Dst] != 1 || uses[extend.Dst] != 1)
                {
                    continue;
                }

                for (var k = n + 1; k < list.Count; k++)
                {
                    var shift = list[k];
                    if (shift.Op == IrOp.Binary && shift.Alu == AluOperation.Lsh && shift.Is64 && shift.HasImmediate
                        && shift.A == extend.Dst && shift.Immediate is > 0 and < 32)
                    {
                        list[n] = new IrInstruction { Op = IrOp.Binary, Alu = AluOperation.Lsh, Dst = extend.Dst, A = extend.A, HasImmediate = true, Immediate = 32, Line = extend.Line };
                        list[k] = new IrInstruction { Op = IrOp.Binary, Alu = AluOperation.Arsh, Dst = shift.Dst, A = shift.A, HasImmediate = true, Immediate = 32 - shift.Immediate, Line = shift.Line };
                        break;
                    }

                    // The one use is elsewhere; or the source changes before it (the extension read it earlier).
                    RegisterAllocator.Uses(shift, scratch);
                    if (scratch.Contains(extend.Dst))
                    {
                        break;
                    }
                }
            }
        }
    }
}
