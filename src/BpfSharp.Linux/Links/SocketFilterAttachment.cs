using System.Net.Sockets;

namespace BpfSharp.Linux.Links;

/// <summary>
/// A <see cref="BpfProgramType.SocketFilter"/> program attached to one socket with <c>SO_ATTACH_BPF</c>. This is
/// not a BPF link (it cannot be pinned): the socket holds the program until <see cref="Dispose"/> detaches it
/// (<c>SO_DETACH_BPF</c>) or the socket closes.
/// </summary>
public sealed class SocketFilterAttachment : IDisposable
{
    private const int SolSocket = 1;
    private const int SoAttachBpf = 50;
    private const int SoDetachBpf = 27;

    private SocketFilterAttachment(Socket socket) => Socket = socket;

    /// <summary>The socket the filter is attached to.</summary>
    public Socket Socket { get; }

    /// <summary>True once detached.</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>Attaches <paramref name="program"/> to <paramref name="socket"/>; packets the filter drops never reach the socket.</summary>
    /// <exception cref="BpfAttachException">The kernel refused.</exception>
    public static SocketFilterAttachment Attach(Socket socket, BpfProgram program)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(program);
        using var lease = program.FileDescriptor.Borrow();
        Span<byte> fd = stackalloc byte[4];
        BitConverter.TryWriteBytes(fd, lease.Fd);
        try
        {
            socket.SetRawSocketOption(SolSocket, SoAttachBpf, fd);
        }
        catch (SocketException e)
        {
            throw new BpfAttachException($"SO_ATTACH_BPF failed ({e.SocketErrorCode}: {e.Message})", 0, e);
        }
        return new SocketFilterAttachment(socket);
    }

    /// <summary>Detaches the filter (<c>SO_DETACH_BPF</c>) unless the socket is already closed.</summary>
    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        try
        {
            // The kernel wants an int-sized option value even though it ignores it.
            Socket.SetRawSocketOption(SolSocket, SoDetachBpf, stackalloc byte[4]);
        }
        catch (ObjectDisposedException)
        {
            // The socket is gone, and the filter with it.
        }
        catch (SocketException)
        {
            // ENOENT: nothing attached any more.
        }
    }
}
