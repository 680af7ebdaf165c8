using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public interface ICounter
{
    int Next();
}

public static unsafe class InterfaceCall
{
    private static int NextOf(ICounter counter) => counter.Next(); // expect: BPFS1003

    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return NextOf(null);
    }
}
