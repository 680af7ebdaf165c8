using BpfSharp.Compiler.Ir;
using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Backend;

/// <summary>
/// <c>x == c1 || x == c2</c> where the two constants differ in one bit (<c>family == AF_INET || family ==
/// AF_INET6</c>: 2 and 10) is one test with that bit masked off: <c>t = x &amp; ~bit; if t == c1 &amp; ~bit</c>, as
/// clang folds it. Besides the instruction, the verifier then walks what follows once instead of once per constant
/// (the two exact values of <c>x</c> make two states that never prune each other).
/// </summary>
internal static class MaskedEquality
{
    public static void Run(IrFunction fn)
    {
        var changed = false;
        foreach (var first in fn.Blocks)
        {
            if (!IsEqualityTest(first, out var equal, out var other))
            {
                continue;
            }

            var second = SkipForwarders(other);
            if (second == first || second.Instructions.Count > 0 || !IsEqualityTest(second, out var equal2, out var other2)
                || second.CompareA != first.CompareA || second.Compare32 != first.Compare32
                || SkipForwarders(equal) != SkipForwarders(equal2) || SkipForwarders(other2) == second)
            {
                continue;
            }

            long c1 = first.CompareValue, c2 = second.CompareValue;
            if (first.Compare32)
            {
                c1 = (uint)c1;
                c2 = (uint)c2;
            }

            var bit = c1 ^ c2;
            if (bit <= 0 || bit > int.MaxValue || (bit & (bit - 1)) != 0)
            {
                continue;
            }

            var masked = fn.NewRegister();
            first.Instructions.Add(new IrInstruction
            {
                Op = IrOp.Binary, Alu = AluOperation.And, Dst = masked, A = first.CompareA, HasImmediate = true,
                Immediate = ~bit, Is64 = !first.Compare32, Line = first.TerminatorLine,
            });
            first.Condition = JumpOperation.Jeq;
            first.CompareA = masked;
            first.CompareValue = c1 & ~bit;
            first.Target = equal;
            first.FalseTarget = other2;
            changed = true;
        }

        if (changed)
        {
            BranchThreading.RemoveUnreachable(fn);
        }
    }

    /// <summary>A branch comparing a register with an immediate for equality: which edge is taken when equal.</summary>
    private static bool IsEqualityTest(IrBlock b, out IrBlock equal, out IrBlock other)
    {
        equal = other = null!;
        if (b.Terminator != TerminatorKind.Branch || !b.CompareImmediate || b.Target is null || b.FalseTarget is null
            || b.Condition is not (JumpOperation.Jeq or JumpOperation.Jne))
        {
            return false;
        }

        (equal, other) = b.Condition == JumpOperation.Jeq ? (b.Target, b.FalseTarget) : (b.FalseTarget, b.Target);
        return true;
    }

    private static IrBlock SkipForwarders(IrBlock b)
    {
        for (var hops = 0; hops < 64 && b.Terminator == TerminatorKind.Jump && b.Instructions.Count == 0 && b.Target is not null && b.Target != b; hops++)
        {
            b = b.Target;
        }

        return b;
    }
}
