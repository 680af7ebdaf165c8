using System.Buffers.Binary;
using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms.Twins;

/// <summary>Twin of testdata/twins/perf_output.bpf.c.</summary>
public static unsafe class PerfOutputTwin
{
    public struct PerfSample
    {
        public uint Length;
        public ushort EthProtocol;
        public ushort Flags;
    }

    static readonly PerfEventArray PerfSamples = new();

    [Xdp]
    public static int PerfOutput(XdpMd* ctx)
    {
        byte* data = ctx->DataPointer;
        byte* end = ctx->DataEndPointer;
        var eth = (EthHeader*)data;
        if (eth + 1 > end)
        {
            return (int)XdpAction.Pass;
        }

        PerfSample s = default;
        s.Length = (uint)(end - data);
        s.EthProtocol = BinaryPrimitives.ReverseEndianness(eth->Protocol);
        s.Flags = (ushort)(s.Length > 100 ? 1 : 0);
        PerfSamples.Output(ctx, s);
        return (int)XdpAction.Pass;
    }
}
