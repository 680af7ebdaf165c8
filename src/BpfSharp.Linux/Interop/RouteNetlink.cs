using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using BpfSharp.Linux.Links;

namespace BpfSharp.Linux.Interop;

/// <summary>
/// A request to the kernel's rtnetlink: a <c>struct nlmsghdr</c>, the family header (<c>tcmsg</c>,
/// <c>ifinfomsg</c>) and <c>struct nlattr</c> attributes, each padded to 4 bytes as <c>NLA_ALIGN</c> wants.
/// </summary>
internal sealed class NetlinkRequest
{
    internal const ushort FlagRequest = 0x1;
    internal const ushort FlagAck = 0x4;
    internal const ushort FlagEcho = 0x8;
    internal const ushort FlagReplace = 0x100;
    internal const ushort FlagExclusive = 0x200;
    internal const ushort FlagCreate = 0x400;
    private const ushort AttributeNested = 0x8000;

    private readonly List<byte> _bytes = new(128);

    public NetlinkRequest(ushort type, ushort flags, ReadOnlySpan<byte> familyHeader)
    {
        Span<byte> header = stackalloc byte[16];
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], (ushort)(flags | FlagRequest | FlagAck));
        _bytes.AddRange(header);
        Append(familyHeader);
    }

    public void AddString(ushort type, string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        Add(type, bytes);
    }

    public void AddUInt32(ushort type, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        Add(type, b);
    }

    public void AddInt32(ushort type, int value) => AddUInt32(type, unchecked((uint)value));

    public void Add(ushort type, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)(4 + payload.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], type);
        _bytes.AddRange(header);
        Append(payload);
    }

    /// <summary>Opens a nested attribute; pass the result to <see cref="EndNested"/> after its members.</summary>
    public int BeginNested(ushort type)
    {
        var start = _bytes.Count;
        Add((ushort)(type | AttributeNested), []);
        return start;
    }

    public void EndNested(int start)
    {
        var length = (ushort)(_bytes.Count - start);
        _bytes[start] = (byte)length;
        _bytes[start + 1] = (byte)(length >> 8);
    }

    /// <summary>The finished message with its length and sequence number filled in.</summary>
    public byte[] ToArray(uint sequence)
    {
        var message = _bytes.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(8), sequence);
        return message;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        _bytes.AddRange(bytes);
        while (_bytes.Count % 4 != 0) _bytes.Add(0);
    }
}

/// <summary>One message of a netlink reply: its type and the bytes after the 16-byte header.</summary>
internal readonly record struct NetlinkReply(ushort Type, byte[] Payload);

/// <summary>
/// A <c>NETLINK_ROUTE</c> socket in the calling thread's network namespace: sends one request, collects the replies
/// up to the kernel's acknowledgement, and turns a negative acknowledgement into a <see cref="BpfAttachException"/>
/// carrying the errno and the kernel's extended-ack message.
/// </summary>
internal sealed unsafe class RouteNetlink : IDisposable
{
    private const ushort MessageError = 2;
    private const ushort MessageDone = 3;
    private const ushort FlagCapped = 0x100;
    private const ushort FlagAckTlvs = 0x200;
    private const ushort ErrorAttributeMessage = 1;
    private const int ReceiveBufferSize = 64 * 1024;
    // A reply stream longer than this is not what we asked for: stop instead of reading without end.
    private const int MaxReplyMessages = 4096;
    private const int ReplyTimeoutSeconds = 10;

    private readonly BpfFileDescriptor _socket;
    private uint _sequence;

    private RouteNetlink(BpfFileDescriptor socket)
    {
        _socket = socket;
        _sequence = (uint)Environment.TickCount;
    }

    public static RouteNetlink Open()
    {
        var fd = LibC.Socket(LibC.AfNetlink, LibC.SockRaw | LibC.SockCloexec, 0);
        if (fd < 0) throw new BpfAttachException("cannot open an rtnetlink socket", Marshal.GetLastPInvokeError());
        var socket = new BpfFileDescriptor(fd);
        try
        {
            var one = 1;
            // Best effort: extended acks name the reason for a refusal; strict checking filters dumps.
            LibC.SetSocketOption(fd, LibC.SolNetlink, LibC.NetlinkExtAck, &one, 4);
            LibC.SetSocketOption(fd, LibC.SolNetlink, LibC.NetlinkGetStrictChk, &one, 4);
            // The kernel answers at once; a bound on the wait keeps a lost answer from hanging the caller.
            long* timeout = stackalloc long[2] { ReplyTimeoutSeconds, 0 };
            if (LibC.SetSocketOption(fd, LibC.SolSocket, LibC.SoReceiveTimeout, timeout, 16) < 0)
                throw new BpfAttachException("cannot set the rtnetlink receive timeout", Marshal.GetLastPInvokeError());
            Span<byte> address = stackalloc byte[12];
            address.Clear();
            address[0] = LibC.AfNetlink;
            fixed (byte* p = address)
                if (LibC.Bind(fd, p, 12) < 0) throw new BpfAttachException("cannot bind the rtnetlink socket", Marshal.GetLastPInvokeError());
            return new RouteNetlink(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends <paramref name="request"/> and returns the replies before the acknowledgement.</summary>
    /// <param name="request">The request.</param>
    /// <param name="what">What the request does, for the error message.</param>
    /// <exception cref="BpfAttachException">The kernel refused (with its errno) or the reply is malformed.</exception>
    public List<NetlinkReply> Execute(NetlinkRequest request, string what)
    {
        var sequence = ++_sequence;
        var message = request.ToArray(sequence);
        using var lease = _socket.Borrow();
        fixed (byte* p = message)
        {
            nint sent;
            do sent = LibC.Send(lease.Fd, p, (nuint)message.Length, 0);
            while (sent < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);
            if (sent < 0) throw new BpfAttachException($"{what}: netlink send failed", Marshal.GetLastPInvokeError());
        }

        var replies = new List<NetlinkReply>();
        var buffer = new byte[ReceiveBufferSize];
        while (true)
        {
            nint received;
            fixed (byte* p = buffer)
            {
                do received = LibC.Receive(lease.Fd, p, (nuint)buffer.Length, 0);
                while (received < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);
            }
            if (received < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EAGAIN) throw new BpfAttachException($"{what}: no netlink answer within {ReplyTimeoutSeconds} s", errno);
                throw new BpfAttachException($"{what}: netlink receive failed", errno);
            }
            var data = buffer.AsSpan(0, (int)received);
            while (data.Length >= 16)
            {
                var length = BinaryPrimitives.ReadUInt32LittleEndian(data);
                if (length < 16 || length > data.Length) throw new BpfAttachException($"{what}: malformed netlink reply (message length {length}, {data.Length} bytes left)", 0);
                var type = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
                var flags = BinaryPrimitives.ReadUInt16LittleEndian(data[6..]);
                var replySequence = BinaryPrimitives.ReadUInt32LittleEndian(data[8..]);
                var payload = data[16..(int)length];
                if (replySequence == sequence)
                {
                    if (type == MessageError) { CheckAcknowledgement(payload, flags, what); return replies; }
                    if (type == MessageDone) return replies;
                    if (replies.Count >= MaxReplyMessages) throw new BpfAttachException($"{what}: more than {MaxReplyMessages} netlink replies", 0);
                    replies.Add(new NetlinkReply(type, payload.ToArray()));
                }
                var aligned = (int)((length + 3) & ~3u);
                data = aligned >= data.Length ? [] : data[aligned..];
            }
        }
    }

    private static void CheckAcknowledgement(ReadOnlySpan<byte> payload, ushort flags, string what)
    {
        if (payload.Length < 4) throw new BpfAttachException($"{what}: malformed netlink acknowledgement", 0);
        var error = BinaryPrimitives.ReadInt32LittleEndian(payload);
        if (error == 0) return;
        string? kernelMessage = null;
        if ((flags & FlagAckTlvs) != 0 && payload.Length >= 20)
        {
            // After the errno comes the request's header (and, unless capped, its payload), then the ack attributes.
            var originalLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]);
            var skip = 4 + ((flags & FlagCapped) != 0 ? 16 : originalLength);
            if (skip >= 4 && skip <= payload.Length)
                foreach (var (type, value) in Attributes(payload[skip..]))
                    if (type == ErrorAttributeMessage) kernelMessage = Encoding.UTF8.GetString(value.AsSpan().TrimEnd((byte)0));
        }
        var errno = -error;
        throw new BpfAttachException(kernelMessage is null ? what : $"{what}: {kernelMessage}", errno);
    }

    /// <summary>The <c>struct nlattr</c> list in <paramref name="data"/> (type without the nested/byte-order bits, payload).</summary>
    public static List<(ushort Type, byte[] Value)> Attributes(ReadOnlySpan<byte> data)
    {
        var result = new List<(ushort, byte[])>();
        while (data.Length >= 4)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(data);
            var type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(data[2..]) & 0x3fff);
            if (length < 4 || length > data.Length) break;
            result.Add((type, data[4..length].ToArray()));
            var aligned = (length + 3) & ~3;
            data = aligned >= data.Length ? [] : data[aligned..];
        }
        return result;
    }

    public void Dispose() => _socket.Dispose();
}
