using System.Runtime.InteropServices;
using System.Text;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Links;

/// <summary>
/// A BPF iterator (<c>BPF_LINK_CREATE</c> with <c>BPF_TRACE_ITER</c>, Linux 5.8+): a tracing program loaded for
/// <see cref="BpfAttachType.TraceIter"/> against a <c>bpf_iter_*</c> target (sections <c>iter/task</c>,
/// <c>iter/bpf_map</c>, ...). Each <see cref="Open"/> starts a fresh walk whose text (what the program wrote with
/// <c>bpf_seq_printf</c>/<c>bpf_seq_write</c>) is read like a file; pinning the link in bpffs makes that file
/// readable by anyone with <c>cat</c>.
/// </summary>
public sealed class IterLink : BpfLink
{
    private IterLink(BpfFileDescriptor fd) : base(fd) { }

    /// <summary>Creates the iterator link, optionally for one map, cgroup or task (<paramref name="target"/>).</summary>
    /// <exception cref="BpfAttachException">The cgroup directory cannot be opened.</exception>
    /// <exception cref="BpfSyscallException">The kernel refused.</exception>
    public static unsafe IterLink Attach(BpfProgram program, IterTarget? target = null)
    {
        ArgumentNullException.ThrowIfNull(program);
        BpfFileDescriptor Create(ulong info, uint length)
        {
            using var lease = program.FileDescriptor.Borrow();
            var attr = new LinkCreateAttr { ProgFd = (uint)lease.Fd, AttachType = (uint)BpfAttachType.TraceIter, IterInfo = info, IterInfoLen = length };
            return BpfSyscall.BpfCreate(BpfCommand.LinkCreate, ref attr);
        }
        var fd = target is null ? Create(0, 0) : target.With(Create);
        try
        {
            return new IterLink(fd);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts a walk (<c>BPF_ITER_CREATE</c>) and returns its output as a read-only, non-seekable stream; dispose
    /// it to end the walk.
    /// </summary>
    /// <exception cref="BpfSyscallException">The kernel refused.</exception>
    public Stream Open()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        using var lease = FileDescriptor!.Borrow();
        var attr = new IterCreateAttr { LinkFd = (uint)lease.Fd };
        return new IterStream(BpfSyscall.BpfCreate(BpfCommand.IterCreate, ref attr));
    }

    /// <summary>Runs one whole walk and returns its output.</summary>
    /// <param name="maxBytes">Stop with an error beyond this many bytes (an iterator's output has no natural bound).</param>
    /// <exception cref="InvalidDataException">The output is longer than <paramref name="maxBytes"/>.</exception>
    /// <exception cref="IOException">read() failed (e.g. the program returned an error).</exception>
    public byte[] ReadAll(int maxBytes = 64 << 20)
    {
        using var stream = Open();
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int n;
        while ((n = stream.Read(chunk)) > 0)
        {
            if (buffer.Length + n > maxBytes) throw new InvalidDataException($"iterator link {Id}: output exceeds {maxBytes} bytes");
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    /// <summary>Runs one whole walk and returns its output as UTF-8 text.</summary>
    /// <exception cref="InvalidDataException">The output is longer than <paramref name="maxBytes"/>.</exception>
    /// <exception cref="IOException">read() failed.</exception>
    public string ReadAllText(int maxBytes = 64 << 20) => Encoding.UTF8.GetString(ReadAll(maxBytes));

    /// <summary>The read side of an iterator fd: each read() runs the program over the next elements.</summary>
    private sealed unsafe class IterStream(BpfFileDescriptor fd) : Stream
    {
        public override bool CanRead => !fd.IsClosed;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            ObjectDisposedException.ThrowIf(fd.IsClosed, this);
            if (buffer.IsEmpty) return 0;
            using var lease = fd.Borrow();
            while (true)
            {
                nint n;
                fixed (byte* p = buffer) n = LibC.Read(lease.Fd, p, (nuint)buffer.Length);
                if (n >= 0) return (int)n;
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR) continue;
                throw new IOException($"read from BPF iterator failed: {Errno.Name(errno)} ({Marshal.GetPInvokeErrorMessage(errno)})", errno);
            }
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) fd.Dispose();
            base.Dispose(disposing);
        }
    }
}
