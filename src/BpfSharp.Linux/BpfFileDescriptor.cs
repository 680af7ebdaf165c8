using System.Runtime.InteropServices;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux;

/// <summary>
/// A file descriptor for a kernel BPF object (program, map, BTF, link). Closing it drops this process's reference;
/// the object goes away once nothing else (pins, links, other fds) holds it.
/// </summary>
public sealed class BpfFileDescriptor : SafeHandle
{
    /// <summary>Wraps an fd this process owns; it is closed when the handle is disposed or finalized.</summary>
    public BpfFileDescriptor(int fd) : base(new IntPtr(-1), ownsHandle: true) => SetHandle(new IntPtr(fd));

    /// <inheritdoc />
    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>
    /// The raw fd number. It is only valid while this handle is open; prefer passing the handle around.
    /// </summary>
    public int RawFd => (int)handle.ToInt64();

    /// <inheritdoc />
    protected override bool ReleaseHandle() => LibC.Close((int)handle.ToInt64()) == 0;

    /// <summary>Keeps the fd open (ref-counted) while a syscall uses its number.</summary>
    internal Lease Borrow() => new(this);

    /// <summary>Holds a reference on a <see cref="BpfFileDescriptor"/> for the duration of a syscall.</summary>
    internal readonly ref struct Lease
    {
        private readonly BpfFileDescriptor? _owner;

        /// <summary>The fd number, valid until the lease is disposed.</summary>
        public int Fd { get; }

        public Lease(BpfFileDescriptor owner)
        {
            ObjectDisposedException.ThrowIf(owner.IsClosed, owner);
            var added = false;
            owner.DangerousAddRef(ref added);
            _owner = added ? owner : null;
            Fd = owner.RawFd;
        }

        public void Dispose() => _owner?.DangerousRelease();
    }
}
