using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class NullPrintkFormat
{
    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        Bpf.Printk(null); // expect: BPFS1005
        return 2;
    }
}
