using System.Runtime.InteropServices;

namespace BpfSharp.Linux.Tools;

/// <summary>The instruction sets whose system call numbers <see cref="SyscallNames"/> knows.</summary>
public enum SyscallArchitecture
{
    /// <summary>x86-64 (<c>asm/unistd_64.h</c>).</summary>
    X86_64,
    /// <summary>arm64 (the generic table, <c>asm-generic/unistd.h</c>).</summary>
    Arm64,
}

/// <summary>
/// System call numbers to names and back, for x86-64 and arm64, as the running kernel's raw syscall tracepoints
/// report them (<c>sys_enter</c>'s <c>id</c>). The tables are generated from the kernel's UAPI headers by
/// scripts/gen-syscall-names.sh (what <c>ausyscall --dump</c> prints).
/// </summary>
public static partial class SyscallNames
{
    /// <summary>The table of the machine this process runs on (x86-64 unless it is arm64).</summary>
    public static SyscallArchitecture Current =>
        RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? SyscallArchitecture.Arm64 : SyscallArchitecture.X86_64;

    /// <summary>The name of system call <paramref name="number"/> (<c>openat</c>), or null if the table has none.</summary>
    public static string? Name(long number, SyscallArchitecture architecture)
    {
        var names = Table(architecture);
        return number >= 0 && number < names.Length ? names[number] : null;
    }

    /// <summary>The name of system call <paramref name="number"/> on this machine, or null.</summary>
    public static string? Name(long number) => Name(number, Current);

    /// <summary>bcc's spelling for any number: the name, or <c>[unknown: N]</c>.</summary>
    public static string NameOrNumber(long number, SyscallArchitecture architecture) =>
        Name(number, architecture) ?? $"[unknown: {number}]";

    /// <summary>The number of system call <paramref name="name"/>, or -1 if the table has none.</summary>
    public static int Number(string name, SyscallArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Array.IndexOf(Table(architecture), name);
    }

    /// <summary>The number of system call <paramref name="name"/> on this machine, or -1.</summary>
    public static int Number(string name) => Number(name, Current);

    /// <summary>One past the highest number the table knows.</summary>
    public static int Count(SyscallArchitecture architecture) => Table(architecture).Length;

    private static string?[] Table(SyscallArchitecture architecture) => architecture switch
    {
        SyscallArchitecture.X86_64 => X86_64Names,
        SyscallArchitecture.Arm64 => Arm64Names,
        _ => throw new ArgumentOutOfRangeException(nameof(architecture)),
    };
}
