using System.Runtime.InteropServices;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Links;

/// <summary>A cgroup program attached to a cgroup v2 directory through a BPF link (<c>BPF_LINK_CREATE</c> on the cgroup fd).</summary>
public sealed class CgroupLink : BpfLink
{
    private CgroupLink(BpfFileDescriptor fd, string cgroupPath, BpfAttachType attachType) : base(fd)
    {
        CgroupPath = cgroupPath;
        AttachType = attachType;
    }

    /// <summary>The cgroup directory.</summary>
    public string CgroupPath { get; }

    /// <summary>The hook (e.g. <see cref="BpfAttachType.CgroupInetIngress"/>).</summary>
    public BpfAttachType AttachType { get; }

    /// <summary>Attaches <paramref name="program"/> to the cgroup v2 directory <paramref name="cgroupPath"/> at <paramref name="attachType"/>.</summary>
    /// <exception cref="BpfAttachException">The cgroup directory cannot be opened.</exception>
    /// <exception cref="BpfSyscallException">The kernel refused.</exception>
    public static CgroupLink Attach(BpfProgram program, string cgroupPath, BpfAttachType attachType)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentException.ThrowIfNullOrEmpty(cgroupPath);
        var raw = LibC.Open(cgroupPath, LibC.OReadOnly | LibC.ODirectory | LibC.OCloexec);
        if (raw < 0) throw new BpfAttachException($"cannot open cgroup directory {cgroupPath}", Marshal.GetLastPInvokeError());
        using var cgroup = new BpfFileDescriptor(raw);
        using var lease = cgroup.Borrow();
        var fd = Create(program, (uint)lease.Fd, attachType);
        try
        {
            return new CgroupLink(fd, cgroupPath, attachType);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }
}
