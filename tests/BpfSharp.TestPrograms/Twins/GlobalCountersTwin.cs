using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms.Twins;

/// <summary>Twin of testdata/twins/global_counters.bpf.c.</summary>
public static unsafe class GlobalCountersTwin
{
    static ulong GlobalPackets;
    static ulong GlobalBytes;
    static uint GlobalLargest;
    static uint GlobalGeneration = 7;

    [Xdp]
    public static int GlobalCounters(XdpMd* ctx)
    {
        uint len = ctx->DataEnd - ctx->Data;
        GlobalPackets++;
        GlobalBytes += len;
        if (len > GlobalLargest)
        {
            GlobalLargest = len;
        }

        GlobalGeneration += 2;
        return (int)XdpAction.Pass;
    }
}
