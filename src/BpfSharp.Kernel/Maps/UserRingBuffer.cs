namespace BpfSharp.Kernel;

/// <summary>
/// A user ring buffer (<c>BPF_MAP_TYPE_USER_RINGBUF</c>): the reverse of <see cref="RingBuffer"/>, user space produces
/// records (<c>UserRingBufferWriter</c> in BpfSharp.Linux) and a BPF program drains them with <see cref="Drain"/>.
/// </summary>
public sealed unsafe class UserRingBuffer : KernelMap
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="size">The buffer size in bytes (the map's max_entries): a power of two and a multiple of the page size.</param>
    /// <param name="flags">Map creation flags.</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public UserRingBuffer(uint size, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    {
    }

    /// <summary>Calls <paramref name="callback"/> for each record user space has submitted (<c>bpf_user_ringbuf_drain</c>):
    /// its first argument is a <c>struct bpf_dynptr *</c> over the record (read it with <see cref="Bpf.DynptrRead"/>),
    /// its second <paramref name="context"/>; it returns 0 to go on, 1 to stop.</summary>
    /// <param name="callback"><c>&amp;StaticMethod</c>.</param>
    /// <param name="context">Passed to the callback (stack memory of the program, a map value, or null).</param>
    /// <param name="flags"><c>BPF_RB_NO_WAKEUP</c> or <c>BPF_RB_FORCE_WAKEUP</c> (whether user space is woken), or 0.</param>
    /// <returns>The number of records drained, or a negative errno.</returns>
    public long Drain(delegate* managed<void*, void*, long> callback, void* context, ulong flags = 0) =>
        Bpf.UserRingbufDrain(this, callback, context, flags);
}
