using BpfSharp.Kernel;

namespace BpfSharp.DiagnosticPrograms;

public sealed class Settings
{
    public int Limit;
}

public static unsafe class ReferenceTypeStatic
{
    private static Settings s_settings;

    [Xdp]
    public static int Run(XdpMd* ctx)
    {
        return s_settings.Limit; // expect: BPFS1007
    }
}
