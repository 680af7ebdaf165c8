using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms.Twins;

/// <summary>Twin of testdata/twins/bounded_loop.bpf.c.</summary>
public static unsafe class BoundedLoopTwin
{
    static readonly ArrayMap<uint> LastHash = new(maxEntries: 1);

    [Xdp]
    public static int BoundedLoop(XdpMd* ctx)
    {
        byte* buf = stackalloc byte[32];
        if (Bpf.XdpLoadBytes(ctx, 0, buf, 32) < 0)
        {
            return (int)XdpAction.Pass;
        }

        uint hash = 2166136261u;
        for (int i = 0; i < 32; i++)
        {
            hash ^= buf[i];
            hash *= 16777619u;
        }

        LastHash.Update(0, hash);
        return (hash & 1) != 0 ? (int)XdpAction.Pass : (int)XdpAction.Drop;
    }
}
