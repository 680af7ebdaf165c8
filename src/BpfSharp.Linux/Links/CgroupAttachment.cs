using System.Runtime.InteropServices;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Links;

/// <summary>
/// A cgroup program attached with <c>BPF_PROG_ATTACH</c> (kernel 4.10+), for kernels before cgroup BPF links (5.7;
/// use <see cref="CgroupLink"/> there). This is no BPF link: <see cref="BpfLink.Dispose()"/> detaches it
/// (<c>BPF_PROG_DETACH</c>), for which the attachment keeps its own fds of the cgroup and the program.
/// </summary>
public sealed class CgroupAttachment : BpfLink
{
    private readonly BpfFileDescriptor _cgroup;
    private readonly BpfFileDescriptor _program;

    private CgroupAttachment(BpfFileDescriptor cgroup, BpfFileDescriptor program, string cgroupPath, BpfAttachType attachType, int programId)
        : base(programId)
    {
        _cgroup = cgroup;
        _program = program;
        CgroupPath = cgroupPath;
        AttachType = attachType;
    }

    /// <summary>The cgroup directory.</summary>
    public string CgroupPath { get; }

    /// <summary>The hook.</summary>
    public BpfAttachType AttachType { get; }

    /// <summary>Attaches <paramref name="program"/> to the cgroup v2 directory <paramref name="cgroupPath"/> at <paramref name="attachType"/>.</summary>
    /// <param name="program">The program.</param>
    /// <param name="cgroupPath">The cgroup directory.</param>
    /// <param name="attachType">The hook.</param>
    /// <param name="flags">
    /// <see cref="CgroupAttachFlags.Multi"/> (the default, as libbpf's users mostly pick) runs it beside the
    /// cgroup's other programs; without flags it is the only one and descendants cannot attach their own.
    /// </param>
    /// <exception cref="BpfAttachException">The cgroup directory cannot be opened.</exception>
    /// <exception cref="BpfSyscallException">The kernel refused (EPERM when the flags clash with what is attached).</exception>
    public static CgroupAttachment Attach(BpfProgram program, string cgroupPath, BpfAttachType attachType, CgroupAttachFlags flags = CgroupAttachFlags.Multi)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentException.ThrowIfNullOrEmpty(cgroupPath);
        var raw = LibC.Open(cgroupPath, LibC.OReadOnly | LibC.ODirectory | LibC.OCloexec);
        if (raw < 0) throw new BpfAttachException($"cannot open cgroup directory {cgroupPath}", Marshal.GetLastPInvokeError());
        var cgroup = new BpfFileDescriptor(raw);
        BpfFileDescriptor? programFd = null;
        try
        {
            programFd = SockMapAttachment.Duplicate(program.FileDescriptor);
            ProgramAttachment.Attach(cgroup, programFd, attachType, (uint)flags);
            return new CgroupAttachment(cgroup, programFd, cgroupPath, attachType, program.Id);
        }
        catch
        {
            programFd?.Dispose();
            cgroup.Dispose();
            throw;
        }
    }

    /// <summary>Detaches the program (best effort: a removed cgroup took it along) and closes the fds.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ProgramAttachment.TryDetach(_cgroup, _program, AttachType);
            _program.Dispose();
            _cgroup.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <inheritdoc />
    public override string ToString() => $"cgroup {CgroupPath} {AttachType} prog {ProgramId}";
}

/// <summary>Flags of <c>BPF_PROG_ATTACH</c> on a cgroup (<c>BPF_F_ALLOW_*</c>).</summary>
[Flags]
public enum CgroupAttachFlags
{
    /// <summary>The only program at this hook; descendants cannot attach.</summary>
    None = 0,
    /// <summary><c>BPF_F_ALLOW_OVERRIDE</c>: descendants may attach one that replaces this for them.</summary>
    Override = 1,
    /// <summary><c>BPF_F_ALLOW_MULTI</c>: several programs run in order, descendants' too.</summary>
    Multi = 2,
}
