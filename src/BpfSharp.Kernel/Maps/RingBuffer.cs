using System.Runtime.CompilerServices;

namespace BpfSharp.Kernel;

/// <summary>
/// A BPF ring buffer (<c>BPF_MAP_TYPE_RINGBUF</c>): one buffer shared by all CPUs, read by user space in order.
/// Records are either copied in (<see cref="Output{T}"/>) or reserved, filled in place and then submitted
/// (<see cref="Reserve{T}"/>, <see cref="Submit"/>, <see cref="Discard"/>).
/// </summary>
public sealed unsafe class RingBuffer : KernelMap
{
    /// <summary><c>BPF_RB_NO_WAKEUP</c>: do not wake the consumer for this record.</summary>
    public const ulong NoWakeup = 1;

    /// <summary><c>BPF_RB_FORCE_WAKEUP</c>: wake the consumer regardless of its position.</summary>
    public const ulong ForceWakeup = 2;

    /// <summary><c>BPF_RB_AVAIL_DATA</c>: the <see cref="Query"/> flag for bytes not yet consumed.</summary>
    public const ulong AvailableData = 0;

    /// <summary><c>BPF_RB_RING_SIZE</c>: the <see cref="Query"/> flag for the buffer size.</summary>
    public const ulong RingSize = 1;

    /// <summary><c>BPF_RB_CONS_POS</c>: the <see cref="Query"/> flag for the consumer position.</summary>
    public const ulong ConsumerPosition = 2;

    /// <summary><c>BPF_RB_PROD_POS</c>: the <see cref="Query"/> flag for the producer position.</summary>
    public const ulong ProducerPosition = 3;

    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="size">The buffer size in bytes (the map's max_entries): a power of two and a multiple of the page size.</param>
    /// <param name="flags">Map creation flags.</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public RingBuffer(uint size, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    {
    }

    /// <summary>Reserves space for one <typeparamref name="T"/>; a non-null result must be <see cref="Submit">submitted</see> or <see cref="Discard">discarded</see>.</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <returns>The record to fill in, or null when the buffer is full.</returns>
    public T* Reserve<T>() where T : unmanaged => (T*)Bpf.RingbufReserve(this, (ulong)sizeof(T), 0);

    /// <summary>Reserves <paramref name="size"/> bytes (a verifier-known constant).</summary>
    /// <param name="size">The record size.</param>
    /// <returns>The record, or null when the buffer is full.</returns>
    public void* Reserve(ulong size) => Bpf.RingbufReserve(this, size, 0);

    /// <summary>Publishes a reserved record.</summary>
    /// <param name="data">The pointer <see cref="Reserve{T}"/> returned.</param>
    /// <param name="flags">0, <see cref="NoWakeup"/> or <see cref="ForceWakeup"/>.</param>
    public void Submit(void* data, ulong flags = 0) => Bpf.RingbufSubmit(data, flags);

    /// <summary>Drops a reserved record.</summary>
    /// <param name="data">The pointer <see cref="Reserve{T}"/> returned.</param>
    /// <param name="flags">0, <see cref="NoWakeup"/> or <see cref="ForceWakeup"/>.</param>
    public void Discard(void* data, ulong flags = 0) => Bpf.RingbufDiscard(data, flags);

    /// <summary>Copies <paramref name="data"/> into the buffer as one record.</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="data">The record.</param>
    /// <param name="flags">0, <see cref="NoWakeup"/> or <see cref="ForceWakeup"/>.</param>
    /// <returns>0, or a negative errno.</returns>
    public long Output<T>(in T data, ulong flags = 0) where T : unmanaged =>
        Bpf.RingbufOutput(this, Unsafe.AsPointer(ref Unsafe.AsRef(in data)), (ulong)sizeof(T), flags);

    /// <summary>Copies <paramref name="size"/> bytes into the buffer as one record.</summary>
    /// <param name="data">The record.</param>
    /// <param name="size">Its size in bytes.</param>
    /// <param name="flags">0, <see cref="NoWakeup"/> or <see cref="ForceWakeup"/>.</param>
    /// <returns>0, or a negative errno.</returns>
    public long Output(void* data, ulong size, ulong flags = 0) => Bpf.RingbufOutput(this, data, size, flags);

    /// <summary>A property of the buffer.</summary>
    /// <param name="flags"><see cref="AvailableData"/>, <see cref="RingSize"/>, <see cref="ConsumerPosition"/> or <see cref="ProducerPosition"/>.</param>
    /// <returns>The property's value.</returns>
    public ulong Query(ulong flags) => Bpf.RingbufQuery(this, flags);
}
