using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Ir;

/// <summary>Rewrites of jump conditions shared by the translator and the emitter.</summary>
internal static class JumpConditions
{
    /// <summary>The condition that is true exactly when <paramref name="c"/> is false.</summary>
    public static JumpOperation Invert(JumpOperation c) => c switch
    {
        JumpOperation.Jeq => JumpOperation.Jne,
        JumpOperation.Jne => JumpOperation.Jeq,
        JumpOperation.Jgt => JumpOperation.Jle,
        JumpOperation.Jle => JumpOperation.Jgt,
        JumpOperation.Jge => JumpOperation.Jlt,
        JumpOperation.Jlt => JumpOperation.Jge,
        JumpOperation.Jsgt => JumpOperation.Jsle,
        JumpOperation.Jsle => JumpOperation.Jsgt,
        JumpOperation.Jsge => JumpOperation.Jslt,
        JumpOperation.Jslt => JumpOperation.Jsge,
        _ => throw new InvalidOperationException($"{c} cannot be inverted"),
    };

    /// <summary>The condition with its operands swapped (a &lt; b ⇔ b &gt; a).</summary>
    public static JumpOperation Mirror(JumpOperation c) => c switch
    {
        JumpOperation.Jgt => JumpOperation.Jlt,
        JumpOperation.Jlt => JumpOperation.Jgt,
        JumpOperation.Jge => JumpOperation.Jle,
        JumpOperation.Jle => JumpOperation.Jge,
        JumpOperation.Jsgt => JumpOperation.Jslt,
        JumpOperation.Jslt => JumpOperation.Jsgt,
        JumpOperation.Jsge => JumpOperation.Jsle,
        JumpOperation.Jsle => JumpOperation.Jsge,
        _ => c,
    };
}
