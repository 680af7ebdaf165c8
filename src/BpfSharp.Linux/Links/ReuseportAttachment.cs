using System.Net.Sockets;

namespace BpfSharp.Linux.Links;

/// <summary>
/// An sk_reuseport program attached to the <c>SO_REUSEPORT</c> group of a socket with
/// <c>SO_ATTACH_REUSEPORT_EBPF</c> (4.19; <c>sk_reuseport/migrate</c> programs 5.14): it then picks, for every packet
/// or connection the group receives, which of its sockets gets it (typically through a
/// <see cref="BpfMapType.ReuseportSockArray"/> the program selects from). The group holds the program, whichever
/// member it was attached through; this is no BPF link. <see cref="BpfLink.Dispose()"/> detaches it
/// (<c>SO_DETACH_REUSEPORT_BPF</c>), and so does closing the group's last socket.
/// </summary>
public sealed class ReuseportAttachment : BpfLink
{
    private const int SolSocket = 1;
    private const int SoAttachReuseportEbpf = 52;
    private const int SoDetachReuseportBpf = 68;

    private ReuseportAttachment(Socket socket, int programId) : base(programId) => Socket = socket;

    /// <summary>The socket the program was attached through.</summary>
    public Socket Socket { get; }

    /// <summary>
    /// Attaches <paramref name="program"/> (<see cref="BpfProgramType.SkReuseport"/>) to the reuseport group of
    /// <paramref name="socket"/>, which must have <c>SO_REUSEPORT</c> set and be bound; a program already attached
    /// to the group is replaced.
    /// </summary>
    /// <exception cref="BpfAttachException">The kernel refused (EINVAL for a socket outside any group or another program type).</exception>
    public static ReuseportAttachment Attach(Socket socket, BpfProgram program)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(program);
        using var lease = program.FileDescriptor.Borrow();
        Span<byte> fd = stackalloc byte[4];
        BitConverter.TryWriteBytes(fd, lease.Fd);
        try
        {
            socket.SetRawSocketOption(SolSocket, SoAttachReuseportEbpf, fd);
        }
        catch (SocketException e)
        {
            throw new BpfAttachException($"SO_ATTACH_REUSEPORT_EBPF of program {program.Id} failed ({e.SocketErrorCode}: {e.Message})", e.NativeErrorCode, e);
        }
        return new ReuseportAttachment(socket, program.Id);
    }

    /// <summary>Detaches the program from the group (<c>SO_DETACH_REUSEPORT_BPF</c>) unless the socket is already closed.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                Socket.SetRawSocketOption(SolSocket, SoDetachReuseportBpf, stackalloc byte[4]);
            }
            catch (ObjectDisposedException)
            {
                // The socket is gone; the group drops the program with its last socket.
            }
            catch (SocketException)
            {
                // ENOENT: nothing attached any more.
            }
        }
        base.Dispose(disposing);
    }

    /// <inheritdoc />
    public override string ToString() => $"sk_reuseport prog {ProgramId}";
}
