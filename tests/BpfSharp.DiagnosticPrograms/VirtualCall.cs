using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public abstract class Shape
{
    public abstract int Area();
}

public static unsafe class VirtualCall
{
    private static int AreaOf(Shape shape) => shape.Area(); // expect: BPFS1003

    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return AreaOf(null);
    }
}
