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

    /// <summary>Detaches as <see cref="Detach"/> does, for disposal: false where the kernel refused (the target may be gone already).</summary>
    internal static bool TryDetach(BpfFileDescriptor? target, BpfFileDescriptor program, BpfAttachType type) =>
        Issue(BpfCommand.ProgDetach, target, program, type, 0, throwOnError: false);

    private static bool Issue(BpfCommand command, BpfFileDescriptor? target, BpfFileDescriptor program, BpfAttachType type, uint flags,
        bool throwOnError = true)
    {
        ArgumentNullException.ThrowIfNull(program);
        using var programLease = program.Borrow();
        if (target is null) return Issue(command, 0, programLease.Fd, type, flags, throwOnError);
        using var targetLease = target.Borrow();
        return Issue(command, targetLease.Fd, programLease.Fd, type, flags, throwOnError);
    }

    private static bool Issue(BpfCommand command, int targetFd, int programFd, BpfAttachType type, uint flags, bool throwOnError)
    {
        var attr = new ProgAttachAttr { TargetFd = (uint)targetFd, AttachBpfFd = (uint)programFd, AttachType = (uint)type, AttachFlags = flags };
        if (!throwOnError) return BpfSyscall.TryBpf(command, ref attr) >= 0;
        BpfSyscall.Bpf(command, ref attr);
        return true;
    }
}
