// Kernel types several tools read, declared once: the fields they use, found by name at load time (CO-RE).
using System.Runtime.InteropServices;
using BpfSharp.Kernel;

namespace ToolShared;

/// <summary>An IPv6 address as the kernel keeps it (struct in6_addr), read as four 32-bit words.</summary>
[Relocatable("in6_addr")]
public unsafe struct In6Addr
{
    public In6Union in6_u;

    [Relocatable, Anonymous]
    [StructLayout(LayoutKind.Explicit)]
    public unsafe struct In6Union
    {
        [FieldOffset(0)] public fixed uint u6_addr32[4];
    }
}
