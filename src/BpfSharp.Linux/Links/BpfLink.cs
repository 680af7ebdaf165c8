using System.Text;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Links;

/// <summary>
/// An attachment of a program to a hook, held by a BPF link fd. Disposing closes the fd, which detaches the program
/// unless the link is pinned in bpffs (then the pin keeps it alive until <see cref="Unpin"/>).
/// </summary>
public class BpfLink : IDisposable
{
    /// <summary>Wraps a link fd this process owns (null for attachments that have no link object).</summary>
    protected BpfLink(BpfFileDescriptor? fileDescriptor)
    {
        FileDescriptor = fileDescriptor;
        if (fileDescriptor is not null)
        {
            var info = default(LinkInfoPrefix);
            BpfSyscall.GetInfo(fileDescriptor, ref info);
            Id = (int)info.Id;
            ProgramId = (int)info.ProgId;
            KernelLinkType = (int)info.Type;
        }
    }

    /// <summary>An attachment without a link fd (a tc filter, a netlink XDP program, a sockmap program) of program <paramref name="programId"/>.</summary>
    protected BpfLink(int programId) => ProgramId = programId;

    /// <summary>The link fd, or null when the attachment is held another way (e.g. a perf event fd on old kernels).</summary>
    public BpfFileDescriptor? FileDescriptor { get; }

    /// <summary>The kernel's link id (as <c>bpftool link list</c> shows it), or 0 without a link fd.</summary>
    public int Id { get; }

    /// <summary>The id of the attached program.</summary>
    public int ProgramId { get; }

    /// <summary>The kernel's <c>enum bpf_link_type</c> value, or 0 without a link fd.</summary>
    public int KernelLinkType { get; }

    /// <summary>The bpffs path this link was pinned at by <see cref="Pin"/>, or null.</summary>
    public string? PinnedPath { get; private set; }

    /// <summary>True once disposed.</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>
    /// Pins the link at <paramref name="path"/> on a bpffs mount (<c>BPF_OBJ_PIN</c>), so it outlives this process.
    /// </summary>
    /// <exception cref="NotSupportedException">The attachment has no link fd.</exception>
    /// <exception cref="BpfSyscallException">The kernel refused (no bpffs there, path exists, ...).</exception>
    public void Pin(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (FileDescriptor is null) throw new NotSupportedException("This attachment has no BPF link fd (the kernel lacks BPF_LINK_CREATE for it), so it cannot be pinned.");
        ObjectPins.Pin(FileDescriptor, path);
        PinnedPath = path;
    }

    /// <summary>Removes the pin made by <see cref="Pin"/>; the link then lives as long as its fd.</summary>
    public void Unpin()
    {
        if (PinnedPath is null) return;
        File.Delete(PinnedPath);
        PinnedPath = null;
    }

    /// <summary>
    /// Opens a link pinned at <paramref name="path"/> (<c>BPF_OBJ_GET</c>). Disposing the returned object closes
    /// only this fd; the pin stays until removed.
    /// </summary>
    public static BpfLink OpenPinned(string path) => new(ObjectPins.Get(path));

    /// <summary>
    /// Detaches the program now (<c>BPF_LINK_DETACH</c>) even if other fds or pins hold the link; the link then
    /// stays as an empty shell until released.
    /// </summary>
    public void Detach()
    {
        if (FileDescriptor is null) { Dispose(); return; }
        using var lease = FileDescriptor.Borrow();
        var attr = new LinkDetachAttr { LinkFd = (uint)lease.Fd };
        BpfSyscall.Bpf(BpfCommand.LinkDetach, ref attr);
    }

    /// <summary>Closes the link fd (and anything else the attachment holds).</summary>
    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the fds; subclasses release their extra handles and call the base.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing) FileDescriptor?.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"link {Id} prog {ProgramId}";

    /// <summary>Issues <c>BPF_LINK_CREATE</c> and wraps the fd.</summary>
    internal static BpfFileDescriptor Create(BpfProgram program, uint target, BpfAttachType attachType, uint flags = 0, ulong cookie = 0, uint targetBtfId = 0)
    {
        ArgumentNullException.ThrowIfNull(program);
        using var lease = program.FileDescriptor.Borrow();
        var attr = new LinkCreateAttr { ProgFd = (uint)lease.Fd, TargetFd = target, AttachType = (uint)attachType, Flags = flags };
        if (cookie != 0) attr.PerfEventBpfCookie = cookie;
        else if (targetBtfId != 0) attr.TargetBtfId = targetBtfId;
        return BpfSyscall.BpfCreate(BpfCommand.LinkCreate, ref attr);
    }

    /// <summary>The NUL-terminated UTF-8 form of a string for the kernel.</summary>
    internal static byte[] CString(string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }
}
