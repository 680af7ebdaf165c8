using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Links;

/// <summary>
/// A raw tracepoint attachment (<c>BPF_RAW_TRACEPOINT_OPEN</c>): a <see cref="BpfProgramType.RawTracepoint"/> or
/// <see cref="BpfProgramType.RawTracepointWritable"/> program on a tracepoint by name, or a BTF-typed tracepoint program (<c>tp_btf</c>, a
/// <see cref="BpfProgramType.Tracing"/> program loaded with <see cref="BpfAttachType.TraceRawTp"/> and an
/// <c>attach_btf_id</c>). Neither needs tracefs.
/// </summary>
public sealed class RawTracepointLink : BpfLink
{
    private RawTracepointLink(BpfFileDescriptor fd) : base(fd) { }

    /// <summary>Attaches a raw_tp (or raw_tp.w) program to the tracepoint <paramref name="name"/> (e.g. "sys_enter", "sched_process_exec").</summary>
    /// <remarks>
    /// A writable program attaches only where it reads no more of the tracepoint's buffer (args[0]) than the
    /// tracepoint lets it write (the verifier's max_tp_access against the tracepoint's writable size, 0 for all but
    /// a few): EINVAL otherwise.
    /// </remarks>
    /// <exception cref="BpfSyscallException">The kernel refused (unknown tracepoint: ENOENT; a writable program
    /// reading past the tracepoint's writable size: EINVAL).</exception>
    public static unsafe RawTracepointLink Attach(BpfProgram program, string name, ulong cookie = 0)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var bytes = CString(name);
        using var lease = program.FileDescriptor.Borrow();
        fixed (byte* p = bytes)
        {
            var attr = new RawTracepointOpenAttr { Name = (ulong)p, ProgFd = (uint)lease.Fd, Cookie = cookie };
            return Wrap(BpfSyscall.BpfCreate(BpfCommand.RawTracepointOpen, ref attr));
        }
    }

    /// <summary>
    /// Attaches a BTF-typed tracepoint (<c>tp_btf</c>) program: the tracepoint is the one named by the program's
    /// <c>attach_btf_id</c> (a <c>btf_trace_*</c> typedef in vmlinux BTF) chosen at load time, always with
    /// <c>BPF_RAW_TRACEPOINT_OPEN</c>. libbpf (1.0+) and <see cref="SectionAttach"/> use
    /// <see cref="TracingLink.Attach"/> instead: <c>BPF_LINK_CREATE</c> with <c>BPF_TRACE_RAW_TP</c>, which also
    /// carries a cookie, falling back to this call on kernels without that link.
    /// </summary>
    /// <exception cref="BpfSyscallException">The kernel refused.</exception>
    public static RawTracepointLink AttachBtf(BpfProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        using var lease = program.FileDescriptor.Borrow();
        var attr = new RawTracepointOpenAttr { ProgFd = (uint)lease.Fd };
        return Wrap(BpfSyscall.BpfCreate(BpfCommand.RawTracepointOpen, ref attr));
    }

    private static RawTracepointLink Wrap(BpfFileDescriptor fd)
    {
        try
        {
            return new RawTracepointLink(fd);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }
}
