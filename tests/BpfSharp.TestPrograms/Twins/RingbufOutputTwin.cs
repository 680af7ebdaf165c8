using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms.Twins;

/// <summary>Twin of testdata/twins/ringbuf_output.bpf.c.</summary>
public static unsafe class RingbufOutputTwin
{
    public struct SizeEvent
    {
        public uint Length;
        public uint Bucket;
        public ulong Sequence;
    }

    static readonly RingBuffer SizeEvents = new(size: 64 * 1024);

    static ulong SizeSequence;

    [Xdp]
    public static int RingbufOutput(XdpMd* ctx)
    {
        SizeEvent e = default;
        e.Length = ctx->DataEnd - ctx->Data;
        e.Bucket = e.Length >> 6;
        e.Sequence = ++SizeSequence;
        SizeEvents.Output(e);
        return (int)XdpAction.Pass;
    }
}
