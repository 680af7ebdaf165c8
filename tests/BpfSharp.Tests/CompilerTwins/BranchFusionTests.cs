using BpfSharp.Instructions;

namespace BpfSharp.Tests.CompilerTwins;

/// <summary>
/// The test programs are built as Debug IL, where every <c>if</c> stores its condition in a bool local first. The
/// compiler must still branch on the comparison itself rather than materialise 0/1 and test it.
/// </summary>
public sealed class BranchFusionTests
{
    [Fact]
    public void NoTwinBranchesOnAMaterialisedComparison()
    {
        var found = new List<string>();
        foreach (var twin in Twin.All)
        {
            var code = twin.CSharpProgramSpec.Instructions.Span;
            for (int k = 0; k + 3 < code.Length; k++)
            {
                // wX = 1; if (cond) goto +1; wX = 0; if wX ==/!= 0 goto ...
                var set1 = code[k];
                var jump = code[k + 1];
                var set0 = code[k + 2];
                var test = code[k + 3];
                if (IsMoveImmediate(set1, 1) && jump.Class is InstructionClass.Jmp or InstructionClass.Jmp32 && jump.Offset == 1
                    && IsMoveImmediate(set0, 0) && set0.Destination == set1.Destination
                    && test.Class is InstructionClass.Jmp or InstructionClass.Jmp32 && test.Destination == set1.Destination
                    && test.Immediate == 0 && (test.Opcode & 0x08) == 0
                    && ((test.Opcode & 0xf0) == 0x10 || (test.Opcode & 0xf0) == 0x50))
                {
                    found.Add($"{twin.Program} at {k}");
                }
            }
        }

        Assert.True(found.Count == 0, "branch on a materialised comparison: " + string.Join(", ", found));
    }

    private static bool IsMoveImmediate(Instruction i, int value) =>
        i.Class is InstructionClass.Alu or InstructionClass.Alu64 && (i.Opcode & 0xf8) == 0xb0 && i.Immediate == value;
}
