using System.Runtime.InteropServices;

namespace BpfSharp.Kernel;

/// <summary>
/// The x86-64 <c>struct pt_regs</c>: the registers saved at a kprobe, uprobe or perf event, in kernel order. Use
/// <see cref="Parm1"/>…<see cref="Parm6"/> for the probed function's arguments (System V calling convention) and
/// <see cref="Rc"/> for its return value in a return probe. <see cref="Cs"/> and <see cref="Ss"/> are the
/// kernel's <c>cs</c>/<c>ss</c> (in 6.9+ the first member of a union that also holds <c>csx</c>/<c>ssx</c>).
/// </summary>
[BtfName("pt_regs")]
[StructLayout(LayoutKind.Sequential)]
public struct PtRegs
{
    /// <summary>Register <c>r15</c>.</summary>
    [BtfName("r15")] public ulong R15;
    /// <summary>Register <c>r14</c>.</summary>
    [BtfName("r14")] public ulong R14;
    /// <summary>Register <c>r13</c>.</summary>
    [BtfName("r13")] public ulong R13;
    /// <summary>Register <c>r12</c>.</summary>
    [BtfName("r12")] public ulong R12;
    /// <summary>Register <c>bp</c>.</summary>
    [BtfName("bp")] public ulong Bp;
    /// <summary>Register <c>bx</c>.</summary>
    [BtfName("bx")] public ulong Bx;
    /// <summary>Register <c>r11</c>.</summary>
    [BtfName("r11")] public ulong R11;
    /// <summary>Register <c>r10</c>.</summary>
    [BtfName("r10")] public ulong R10;
    /// <summary>Register <c>r9</c>.</summary>
    [BtfName("r9")] public ulong R9;
    /// <summary>Register <c>r8</c>.</summary>
    [BtfName("r8")] public ulong R8;
    /// <summary>Register <c>ax</c>.</summary>
    [BtfName("ax")] public ulong Ax;
    /// <summary>Register <c>cx</c>.</summary>
    [BtfName("cx")] public ulong Cx;
    /// <summary>Register <c>dx</c>.</summary>
    [BtfName("dx")] public ulong Dx;
    /// <summary>Register <c>si</c>.</summary>
    [BtfName("si")] public ulong Si;
    /// <summary>Register <c>di</c>.</summary>
    [BtfName("di")] public ulong Di;
    /// <summary>The system call number on syscall entry (<c>orig_ax</c>).</summary>
    [BtfName("orig_ax")] public ulong OrigAx;
    /// <summary>The instruction pointer (<c>ip</c>).</summary>
    [BtfName("ip")] public ulong Ip;
    /// <summary>The code segment selector (<c>cs</c>; only the low 16 bits are the selector).</summary>
    [BtfName("cs")] public ulong Cs;
    /// <summary>The flags register (<c>flags</c>).</summary>
    [BtfName("flags")] public ulong Flags;
    /// <summary>The stack pointer (<c>sp</c>).</summary>
    [BtfName("sp")] public ulong Sp;
    /// <summary>The stack segment selector (<c>ss</c>; only the low 16 bits are the selector).</summary>
    [BtfName("ss")] public ulong Ss;

    /// <summary>The probed function's first argument (<c>di</c>).</summary>
    public readonly ulong Parm1 => Di;

    /// <summary>The second argument (<c>si</c>).</summary>
    public readonly ulong Parm2 => Si;

    /// <summary>The third argument (<c>dx</c>).</summary>
    public readonly ulong Parm3 => Dx;

    /// <summary>The fourth argument (<c>cx</c>; for a system call's own arguments the kernel uses <c>r10</c>).</summary>
    public readonly ulong Parm4 => Cx;

    /// <summary>The fifth argument (<c>r8</c>).</summary>
    public readonly ulong Parm5 => R8;

    /// <summary>The sixth argument (<c>r9</c>).</summary>
    public readonly ulong Parm6 => R9;

    /// <summary>The return value in a return probe (<c>ax</c>).</summary>
    public readonly ulong Rc => Ax;

    /// <summary>The stack pointer (<c>sp</c>).</summary>
    public readonly ulong StackPointer => Sp;

    /// <summary>The instruction pointer (<c>ip</c>).</summary>
    public readonly ulong InstructionPointer => Ip;
}
