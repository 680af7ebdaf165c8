using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Links;

/// <summary>
/// A BPF trampoline attachment (<c>BPF_LINK_CREATE</c>): fentry, fexit and fmod_ret programs on the kernel (or BPF)
/// function their <c>attach_btf_id</c> names, LSM programs on their hook, and freplace (<see cref="BpfProgramType.Ext"/>)
/// programs replacing a global function of another BPF program. As libbpf's <c>bpf_program__attach_trace</c>,
/// <c>bpf_program__attach_lsm</c> and <c>bpf_program__attach_freplace</c>, including libbpf's fallback to
/// <c>BPF_RAW_TRACEPOINT_OPEN</c> where the kernel (before 5.10) has no tracing links.
/// </summary>
public sealed class TracingLink : BpfLink
{
    private TracingLink(BpfFileDescriptor fd) : base(fd) { }

    /// <summary>
    /// Attaches a program to the target chosen when it was loaded (its <c>attach_btf_id</c> and, for freplace or a
    /// program tracing a BPF program, its <c>attach_prog_fd</c>).
    /// </summary>
    /// <param name="program">A tracing (fentry/fexit/fmod_ret/tp_btf), LSM or freplace program.</param>
    /// <param name="cookie">The value <c>bpf_get_attach_cookie()</c> returns in the program (5.19+), or 0.</param>
    /// <param name="attachType">The attach type; default: the program's <see cref="BpfProgram.ExpectedAttachType"/>.</param>
    /// <exception cref="BpfSyscallException">The kernel refused.</exception>
    public static TracingLink Attach(BpfProgram program, ulong cookie = 0, BpfAttachType? attachType = null)
    {
        ArgumentNullException.ThrowIfNull(program);
        var type = attachType ?? program.ExpectedAttachType;
        using var lease = program.FileDescriptor.Borrow();
        var attr = new LinkCreateAttr { ProgFd = (uint)lease.Fd, AttachType = (uint)type, TracingCookie = cookie };
        var fd = BpfSyscall.TryBpf(BpfCommand.LinkCreate, ref attr);
        // libbpf's bpf_link_create: EINVAL from a kernel without tracing links, for a request without a cookie or
        // target, retries the raw tracepoint way (which these program types accept since 5.5).
        if (fd == -Errno.EINVAL && cookie == 0 && UsesRawTracepointFallback(type))
        {
            var raw = new RawTracepointOpenAttr { ProgFd = (uint)lease.Fd };
            fd = BpfSyscall.TryBpf(BpfCommand.RawTracepointOpen, ref raw);
            if (fd < 0) BpfSyscall.ThrowFailed(BpfCommand.RawTracepointOpen, -fd);
        }
        else if (fd < 0) BpfSyscall.ThrowFailed(BpfCommand.LinkCreate, -fd);
        return Wrap(new BpfFileDescriptor(fd));
    }

    /// <summary>
    /// Attaches a freplace program in place of the global function <paramref name="functionName"/> of
    /// <paramref name="target"/> (libbpf's <c>bpf_program__attach_freplace</c> with a target): the target may be
    /// another program than the one given at load, as long as the function's prototype matches. Disposing the link
    /// restores the original function.
    /// </summary>
    /// <exception cref="InvalidOperationException">The target has no BTF or no such function.</exception>
    /// <exception cref="BpfSyscallException">The kernel refused (e.g. prototypes differ: EINVAL).</exception>
    public static TracingLink AttachFreplace(BpfProgram program, BpfProgram target, string functionName)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(target);
        if (program.Type != BpfProgramType.Ext)
            throw new ArgumentException($"{program}: only BPF_PROG_TYPE_EXT programs attach as freplace", nameof(program));
        var btfId = target.FindFunctionBtfId(functionName);
        using var lease = program.FileDescriptor.Borrow();
        using var targetLease = target.FileDescriptor.Borrow();
        var attr = new LinkCreateAttr
        {
            ProgFd = (uint)lease.Fd, TargetFd = (uint)targetLease.Fd, AttachType = (uint)program.ExpectedAttachType, TargetBtfId = (uint)btfId,
        };
        return Wrap(BpfSyscall.BpfCreate(BpfCommand.LinkCreate, ref attr));
    }

    private static bool UsesRawTracepointFallback(BpfAttachType type) =>
        type is BpfAttachType.TraceRawTp or BpfAttachType.LsmMac or BpfAttachType.TraceFentry or BpfAttachType.TraceFexit or BpfAttachType.ModifyReturn;

    private static TracingLink Wrap(BpfFileDescriptor fd)
    {
        try
        {
            return new TracingLink(fd);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }
}
