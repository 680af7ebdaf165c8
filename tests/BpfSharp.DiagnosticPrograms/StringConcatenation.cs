using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public static unsafe class StringConcatenation
{
    private static string Suffix() => "!";

    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        Bpf.Printk("packet" + Suffix()); // expect: BPFS1005
        return 2;
    }
}
