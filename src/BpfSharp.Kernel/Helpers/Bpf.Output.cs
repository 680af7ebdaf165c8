namespace BpfSharp.Kernel;

public static unsafe partial class Bpf
{
    /// <summary><c>bpf_trace_printk</c> with no arguments. Prefer <see cref="Printk(string)"/>, which places the format for you.</summary>
    /// <param name="fmt">The format, in read-only map data (<c>.rodata</c>).</param>
    /// <param name="fmtSize">Its size including the terminating NUL.</param>
    /// <returns>The number of bytes written to the trace pipe, or a negative errno.</returns>
    [BpfHelper(6)]
    public static long TracePrintk(byte* fmt, uint fmtSize) => throw new BpfOnlyException();

    /// <summary><c>bpf_trace_printk</c> with one argument.</summary>
    /// <param name="fmt">The format, in read-only map data.</param>
    /// <param name="fmtSize">Its size including the terminating NUL.</param>
    /// <param name="arg1">The first argument.</param>
    /// <returns>The number of bytes written, or a negative errno.</returns>
    [BpfHelper(6)]
    public static long TracePrintk(byte* fmt, uint fmtSize, ulong arg1) => throw new BpfOnlyException();

    /// <summary><c>bpf_trace_printk</c> with two arguments.</summary>
    /// <param name="fmt">The format, in read-only map data.</param>
    /// <param name="fmtSize">Its size including the terminating NUL.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <returns>The number of bytes written, or a negative errno.</returns>
    [BpfHelper(6)]
    public static long TracePrintk(byte* fmt, uint fmtSize, ulong arg1, ulong arg2) => throw new BpfOnlyException();

    /// <summary><c>bpf_trace_printk</c> with three arguments (the helper's maximum).</summary>
    /// <param name="fmt">The format, in read-only map data.</param>
    /// <param name="fmtSize">Its size including the terminating NUL.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <returns>The number of bytes written, or a negative errno.</returns>
    [BpfHelper(6)]
    public static long TracePrintk(byte* fmt, uint fmtSize, ulong arg1, ulong arg2, ulong arg3) => throw new BpfOnlyException();

    /// <summary><c>bpf_trace_vprintk</c>: like <c>bpf_trace_printk</c> but with any number of arguments packed as u64s.</summary>
    /// <param name="fmt">The format, in read-only map data.</param>
    /// <param name="fmtSize">Its size including the terminating NUL.</param>
    /// <param name="data">The arguments as an array of u64.</param>
    /// <param name="dataLen">The size of <paramref name="data"/> in bytes (a multiple of 8).</param>
    /// <returns>The number of bytes written, or a negative errno.</returns>
    [BpfHelper(177)]
    public static long TraceVprintk(byte* fmt, uint fmtSize, void* data, uint dataLen) => throw new BpfOnlyException();

    /// <summary><c>bpf_snprintf</c>: formats into a buffer (<c>%d %u %x %s %p…</c>, arguments packed as u64s).</summary>
    /// <param name="str">The destination.</param>
    /// <param name="strSize">Its size.</param>
    /// <param name="fmt">The format, in read-only map data.</param>
    /// <param name="data">The arguments as an array of u64.</param>
    /// <param name="dataLen">The size of <paramref name="data"/> in bytes (a multiple of 8).</param>
    /// <returns>The length the whole output would need including the NUL, or a negative errno.</returns>
    [BpfHelper(165)]
    public static long Snprintf(byte* str, uint strSize, byte* fmt, ulong* data, uint dataLen) => throw new BpfOnlyException();

    /// <summary>
    /// <c>bpf_printk(format)</c>: writes a line to <c>/sys/kernel/tracing/trace_pipe</c>. The format must be a string
    /// literal; the compiler stores it NUL-terminated in <c>.rodata</c> and calls <c>bpf_trace_printk</c> with its
    /// address and size. Supports <c>%d %i %u %x %ld %lu %lx %lld %llu %llx %p %s</c>.
    /// </summary>
    /// <param name="format">A string literal.</param>
    /// <returns>The number of bytes written, or a negative errno.</returns>
    [BpfPrintk]
    public static long Printk(string format) => throw new BpfOnlyException();

    /// <summary><c>bpf_printk(format, a)</c>; see <see cref="Printk(string)"/>.</summary>
    /// <param name="format">A string literal.</param>
    /// <param name="a">The first argument.</param>
    /// <returns>The number of bytes written, or a negative errno.</returns>
    [BpfPrintk]
    public static long Printk(string format, ulong a) => throw new BpfOnlyException();

    /// <summary><c>bpf_printk(format, a, b)</c>; see <see cref="Printk(string)"/>.</summary>
    /// <param name="format">A string literal.</param>
    /// <param name="a">The first argument.</param>
    /// <param name="b">The second argument.</param>
    /// <returns>The number of bytes written, or a negative errno.</returns>
    [BpfPrintk]
    public static long Printk(string format, ulong a, ulong b) => throw new BpfOnlyException();

    /// <summary><c>bpf_printk(format, a, b, c)</c>; see <see cref="Printk(string)"/>. Three is the helper's maximum.</summary>
    /// <param name="format">A string literal.</param>
    /// <param name="a">The first argument.</param>
    /// <param name="b">The second argument.</param>
    /// <param name="c">The third argument.</param>
    /// <returns>The number of bytes written, or a negative errno.</returns>
    [BpfPrintk]
    public static long Printk(string format, ulong a, ulong b, ulong c) => throw new BpfOnlyException();

    /// <summary><c>bpf_ringbuf_output</c>: copies a record into a ring buffer.</summary>
    /// <param name="ringbuf">A <see cref="RingBuffer"/>.</param>
    /// <param name="data">The record.</param>
    /// <param name="size">Its size in bytes.</param>
    /// <param name="flags">0, <see cref="RingBuffer.NoWakeup"/> or <see cref="RingBuffer.ForceWakeup"/>.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(130)]
    public static long RingbufOutput(KernelMap ringbuf, void* data, ulong size, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_ringbuf_reserve</c>: reserves <paramref name="size"/> bytes in a ring buffer; every non-null result must be submitted or discarded.</summary>
    /// <param name="ringbuf">A <see cref="RingBuffer"/>.</param>
    /// <param name="size">The record size, a verifier-known constant.</param>
    /// <param name="flags">Must be 0.</param>
    /// <returns>The record, or null when the buffer is full.</returns>
    [BpfHelper(131)]
    public static void* RingbufReserve(KernelMap ringbuf, ulong size, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_ringbuf_submit</c>: publishes a reserved record.</summary>
    /// <param name="data">The pointer <see cref="RingbufReserve"/> returned.</param>
    /// <param name="flags">0, <see cref="RingBuffer.NoWakeup"/> or <see cref="RingBuffer.ForceWakeup"/>.</param>
    [BpfHelper(132)]
    public static void RingbufSubmit(void* data, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_ringbuf_discard</c>: drops a reserved record.</summary>
    /// <param name="data">The pointer <see cref="RingbufReserve"/> returned.</param>
    /// <param name="flags">0, <see cref="RingBuffer.NoWakeup"/> or <see cref="RingBuffer.ForceWakeup"/>.</param>
    [BpfHelper(133)]
    public static void RingbufDiscard(void* data, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_ringbuf_query</c>: a ring buffer property (<c>BPF_RB_AVAIL_DATA</c> 0, <c>RING_SIZE</c> 1, <c>CONS_POS</c> 2, <c>PROD_POS</c> 3).</summary>
    /// <param name="ringbuf">A <see cref="RingBuffer"/>.</param>
    /// <param name="flags">Which property.</param>
    /// <returns>The property's value.</returns>
    [BpfHelper(134)]
    public static ulong RingbufQuery(KernelMap ringbuf, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_ringbuf_reserve_dynptr</c>: reserves a ring buffer record of run-time size as a dynptr.</summary>
    /// <param name="ringbuf">A <see cref="RingBuffer"/>.</param>
    /// <param name="size">The record size.</param>
    /// <param name="flags">Must be 0.</param>
    /// <param name="ptr">A <c>struct bpf_dynptr</c> on the stack.</param>
    /// <returns>0, or a negative errno (the dynptr must still be discarded).</returns>
    [BpfHelper(198)]
    public static long RingbufReserveDynptr(KernelMap ringbuf, uint size, ulong flags, void* ptr) => throw new BpfOnlyException();

    /// <summary><c>bpf_ringbuf_submit_dynptr</c>: publishes a record reserved with <see cref="RingbufReserveDynptr"/>.</summary>
    /// <param name="ptr">The dynptr.</param>
    /// <param name="flags">Wake-up flags.</param>
    [BpfHelper(199)]
    public static void RingbufSubmitDynptr(void* ptr, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_ringbuf_discard_dynptr</c>: drops a record reserved with <see cref="RingbufReserveDynptr"/>.</summary>
    /// <param name="ptr">The dynptr.</param>
    /// <param name="flags">Wake-up flags.</param>
    [BpfHelper(200)]
    public static void RingbufDiscardDynptr(void* ptr, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_user_ringbuf_drain</c>: consumes records a user-space producer wrote to a user ring buffer.</summary>
    /// <param name="map">A <c>BPF_MAP_TYPE_USER_RINGBUF</c>.</param>
    /// <param name="callbackFn">Called as <c>callback(dynptr, ctx)</c> per record; returning 1 stops.</param>
    /// <param name="ctx">Passed through to the callback.</param>
    /// <param name="flags">Wake-up flags.</param>
    /// <returns>The number of records drained, or a negative errno.</returns>
    [BpfHelper(209)]
    public static long UserRingbufDrain(KernelMap map, delegate* managed<void*, void*, long> callbackFn, void* ctx, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_dynptr_from_mem</c>: makes a dynptr over local memory or a map value.</summary>
    /// <param name="data">The memory.</param>
    /// <param name="size">Its size.</param>
    /// <param name="flags">Must be 0.</param>
    /// <param name="ptr">A <c>struct bpf_dynptr</c> on the stack.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(197)]
    public static long DynptrFromMem(void* data, uint size, ulong flags, void* ptr) => throw new BpfOnlyException();

    /// <summary><c>bpf_dynptr_read</c>: copies bytes out of a dynptr.</summary>
    /// <param name="dst">The destination.</param>
    /// <param name="len">Bytes to copy.</param>
    /// <param name="src">The dynptr.</param>
    /// <param name="offset">The offset inside the dynptr.</param>
    /// <param name="flags">Must be 0.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(201)]
    public static long DynptrRead(void* dst, uint len, void* src, uint offset, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_dynptr_write</c>: copies bytes into a dynptr.</summary>
    /// <param name="dst">The dynptr.</param>
    /// <param name="offset">The offset inside the dynptr.</param>
    /// <param name="src">The source.</param>
    /// <param name="len">Bytes to copy.</param>
    /// <param name="flags">Must be 0 (skb dynptrs accept <c>BPF_F_RECOMPUTE_CSUM</c>).</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(202)]
    public static long DynptrWrite(void* dst, uint offset, void* src, uint len, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_dynptr_data</c>: a direct pointer to <paramref name="len"/> bytes of a dynptr.</summary>
    /// <param name="ptr">The dynptr.</param>
    /// <param name="offset">The offset inside the dynptr.</param>
    /// <param name="len">A verifier-known constant length.</param>
    /// <returns>The pointer, or null when out of bounds.</returns>
    [BpfHelper(203)]
    public static void* DynptrData(void* ptr, uint offset, uint len) => throw new BpfOnlyException();
}
