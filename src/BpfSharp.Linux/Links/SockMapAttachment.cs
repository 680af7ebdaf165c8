using System.Runtime.InteropServices;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Links;

/// <summary>
/// An sk_msg or sk_skb program attached to a sockmap or sockhash (<c>BPF_PROG_ATTACH</c> with the map as target):
/// it then runs for the sockets in the map. This is no BPF link: <see cref="BpfLink.Dispose()"/> detaches it
/// (<c>BPF_PROG_DETACH</c>), for which the attachment keeps its own fd of the program.
/// </summary>
public sealed class SockMapAttachment : BpfLink
{
    private readonly BpfFileDescriptor _map;
    private readonly BpfFileDescriptor _program;

    private SockMapAttachment(BpfFileDescriptor map, BpfFileDescriptor program, BpfAttachType attachType, int programId) : base(programId)
    {
        _map = map;
        _program = program;
        AttachType = attachType;
    }

    /// <summary>
    /// The hook: <see cref="BpfAttachType.SkMsgVerdict"/>, <see cref="BpfAttachType.SkSkbStreamParser"/>,
    /// <see cref="BpfAttachType.SkSkbStreamVerdict"/> or <see cref="BpfAttachType.SkSkbVerdict"/>.
    /// </summary>
    public BpfAttachType AttachType { get; }

    /// <summary>Attaches <paramref name="program"/> to <paramref name="map"/> (a sockmap or sockhash) at <paramref name="attachType"/>.</summary>
    /// <exception cref="BpfSyscallException">The kernel refused (EINVAL for another map type or attach type, EBUSY when that hook is taken).</exception>
    public static SockMapAttachment Attach(BpfProgram program, BpfMap map, BpfAttachType attachType)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(map);
        var mapFd = Duplicate(map.FileDescriptor);
        BpfFileDescriptor? programFd = null;
        try
        {
            programFd = Duplicate(program.FileDescriptor);
            ProgramAttachment.Attach(mapFd, programFd, attachType);
            return new SockMapAttachment(mapFd, programFd, attachType, program.Id);
        }
        catch
        {
            programFd?.Dispose();
            mapFd.Dispose();
            throw;
        }
    }

    /// <summary>Detaches the program (best effort: closing the map's last fd detaches it too) and closes the fds.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ProgramAttachment.TryDetach(_map, _program, AttachType);
            _program.Dispose();
            _map.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <inheritdoc />
    public override string ToString() => $"{AttachType} prog {ProgramId}";

    internal static BpfFileDescriptor Duplicate(BpfFileDescriptor fd)
    {
        using var lease = fd.Borrow();
        var copy = LibC.Fcntl(lease.Fd, LibC.DuplicateCloseOnExec, 0);
        if (copy < 0) throw new BpfAttachException("cannot duplicate an fd", Marshal.GetLastPInvokeError());
        return new BpfFileDescriptor(copy);
    }
}
