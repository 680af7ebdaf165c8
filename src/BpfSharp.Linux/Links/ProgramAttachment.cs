using System.Runtime.InteropServices;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Links;

/// <summary>
/// Attachments made with <c>BPF_PROG_ATTACH</c>/<c>BPF_PROG_DETACH</c> instead of a link: a program attached to a
/// map (sockmap and sockhash verdict and parser programs) or to the current network namespace (flow dissector).
/// Such an attachment has no fd of its own; it lasts until detached.
/// </summary>
public static class ProgramAttachment
{
    /// <summary>Attaches <paramref name="program"/> to <paramref name="target"/> (a map fd, or null for the netns).</summary>
    /// <exception cref="BpfSyscallException">The kernel refused.</exception>
    public static void Attach(BpfFileDescriptor? target, BpfFileDescriptor program, BpfAttachType type, uint flags = 0) =>
        Issue(BpfCommand.ProgAttach, target, program, type, flags);

    /// <summary>Detaches <paramref name="program"/> from <paramref name="target"/> (a map fd, or null for the netns).</summary>
    /// <exception cref="BpfSyscallException">The kernel refused (ENOENT when it is not attached there).</exception>
    public static void Detach(BpfFileDescriptor? target, BpfFileDescriptor program, BpfAttachType type) =>
        Issue(BpfCommand.ProgDetach, target, program, type, 0);

    private static void Issue(BpfCommand command, BpfFileDescriptor? target, BpfFileDescriptor program, BpfAttachType type, uint flags)
    {
        ArgumentNullException.ThrowIfNull(program);
        using var programLease = program.Borrow();
        if (target is null)
        {
            var attr = new ProgAttachAttr { AttachBpfFd = (uint)programLease.Fd, AttachType = (uint)type, AttachFlags = flags };
            BpfSyscall.Bpf(command, ref attr);
            return;
        }
        using var targetLease = target.Borrow();
        var withTarget = new ProgAttachAttr
        {
            TargetFd = (uint)targetLease.Fd, AttachBpfFd = (uint)programLease.Fd, AttachType = (uint)type, AttachFlags = flags,
        };
        BpfSyscall.Bpf(command, ref withTarget);
    }

    /// <summary><c>BPF_PROG_ATTACH</c>/<c>BPF_PROG_DETACH</c> attributes (up to <c>replace_bpf_fd</c>).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 20)]
    private struct ProgAttachAttr
    {
        [FieldOffset(0)] public uint TargetFd;
        [FieldOffset(4)] public uint AttachBpfFd;
        [FieldOffset(8)] public uint AttachType;
        [FieldOffset(12)] public uint AttachFlags;
        [FieldOffset(16)] public uint ReplaceBpfFd;
    }
}
