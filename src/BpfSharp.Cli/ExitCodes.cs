namespace BpfSharp.Cli;

/// <summary>
/// What <c>bpfsharp</c>'s exit status means (docs/cli.md): a script can tell a mistyped command line from a bad
/// file, from the kernel saying no, from a bug in the tool.
/// </summary>
internal static class ExitCodes
{
    /// <summary>The verb did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The input was refused: a file missing, unreadable or malformed, a program that does not compile, a relocation that fails.</summary>
    public const int BadInput = 1;

    /// <summary><c>core check</c> ran and some object fails on some kernel: a verdict, not an error.</summary>
    public const int CheckFails = 2;

    /// <summary>The kernel refused: a bpf() or netlink call failed (EPERM, ENOENT for an id, the verifier said no, attach failed).</summary>
    public const int KernelRefused = 3;

    /// <summary>The command line is wrong: unknown verb, option or keyword, a missing or malformed argument (sysexits' EX_USAGE).</summary>
    public const int Usage = 64;

    /// <summary>A bug in bpfsharp, not in the input (sysexits' EX_SOFTWARE).</summary>
    public const int Internal = 70;

    /// <summary>Interrupted (Ctrl+C), as a shell reports SIGINT.</summary>
    public const int Interrupted = 130;
}
