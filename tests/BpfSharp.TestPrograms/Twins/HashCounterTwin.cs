using System.Threading;
using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms.Twins;

/// <summary>Twin of testdata/twins/hash_counter.bpf.c.</summary>
public static unsafe class HashCounterTwin
{
    static readonly HashMap<uint, ulong> CountsByLength = new(maxEntries: 1024);

    [Xdp]
    public static int HashCounter(XdpMd* ctx)
    {
        uint len = ctx->DataEnd - ctx->Data;
        ulong* count = CountsByLength.Lookup(len);
        if (count != null)
        {
            Interlocked.Add(ref *(long*)count, 1);
        }
        else
        {
            CountsByLength.Update(len, 1, UpdateFlags.NoExist);
        }

        return (int)XdpAction.Pass;
    }
}
