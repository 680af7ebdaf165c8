using System.Runtime.InteropServices;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.RingBuffer;

/// <summary>
/// The pages the kernel shares for a ring buffer map, mapped as libbpf maps them: the consumer position page at offset
/// 0, then the producer position page followed by the data pages mapped twice (a record that wraps reads as one
/// piece). The side user space moves decides the protections: a reader writes the consumer position, the producer
/// of a user ring buffer writes the producer position and the data. Each record starts with an 8-byte header (its
/// length with the busy and discard bits) and takes a multiple of 8 bytes.
/// </summary>
internal static unsafe class RingPages
{
    /// <summary>Set in a record's length while its producer has reserved but not yet submitted it.</summary>
    public const uint BusyBit = 1u << 31;

    /// <summary>Set in a submitted record's length when the consumer must skip it.</summary>
    public const uint DiscardBit = 1u << 30;

    /// <summary>The record header's size: the 32-bit length and bits, then 32 bits the kernel keeps.</summary>
    public const int HeaderSize = 8;

    /// <summary>How far a record of <paramref name="length"/> bytes moves a position: header and data, 8-byte aligned.</summary>
    public static ulong RecordSpan(ulong length) => (length + HeaderSize + 7) & ~7ul;

    /// <summary>Length of the producer mapping (producer page and the data pages twice) for a ring of <paramref name="size"/> bytes.</summary>
    public static nuint ProducerLength(ulong size) => (nuint)((ulong)Environment.SystemPageSize + 2 * size);

    /// <summary>Maps both parts, or throws <see cref="IOException"/> with nothing left mapped.</summary>
    public static void Map(BpfMap map, bool userProduces, string ringName, out byte* consumer, out byte* producer)
    {
        var pageSize = Environment.SystemPageSize;
        var producerLength = ProducerLength((ulong)(uint)map.MaxEntries);
        using var lease = map.FileDescriptor.Borrow();
        var consumerProtection = userProduces ? LibC.ProtRead : LibC.ProtRead | LibC.ProtWrite;
        var producerProtection = userProduces ? LibC.ProtRead | LibC.ProtWrite : LibC.ProtRead;
        consumer = (byte*)LibC.Mmap(null, (nuint)pageSize, consumerProtection, LibC.MapShared, lease.Fd, 0);
        if (consumer == LibC.MapFailed)
        {
            consumer = null;
            throw MmapFailed(ringName, "consumer page");
        }
        producer = (byte*)LibC.Mmap(null, producerLength, producerProtection, LibC.MapShared, lease.Fd, pageSize);
        if (producer == LibC.MapFailed)
        {
            var error = MmapFailed(ringName, "producer and data pages");
            LibC.Munmap(consumer, (nuint)pageSize);
            consumer = null;
            producer = null;
            throw error;
        }
    }

    /// <summary>Unmaps what <see cref="Map"/> mapped (either may be null) and clears both pointers.</summary>
    public static void Unmap(ref byte* consumer, ref byte* producer, nuint producerLength)
    {
        if (producer is not null) LibC.Munmap(producer, producerLength);
        if (consumer is not null) LibC.Munmap(consumer, (nuint)Environment.SystemPageSize);
        producer = null;
        consumer = null;
    }

    private static IOException MmapFailed(string ringName, string what) =>
        new($"mmap of the {ringName}'s {what} failed: {Errno.Name(Marshal.GetLastPInvokeError())}");
}
