// Compiled into the gen-csharp scratch project next to the generated bindings of the running kernel: C's
// spelling of members of anonymous unions and structs (sk->__sk_common.skc_dport) on `bpfsharp gen csharp`
// output. C twin: anonymous_members.bpf.c.
using BpfSharp.Kernel;
using Gen.Running;

namespace Gen.Probe;

internal struct SocketPorts
{
    public ushort Dport;
    public ushort Num;
    public uint Daddr;
    public ushort Family;
    public uint PortPair;
}

internal static unsafe class AnonymousMembersProbe
{
    /// <summary>Client local port → what the program read from the socket.</summary>
    internal static readonly HashMap<ushort, SocketPorts> Ports = new(maxEntries: 64);

    /// <summary>tcp_set_state(sk, TCP_SYN_SENT) runs in the connecting thread, after the client bound its port.</summary>
    [TpBtf("inet_sock_set_state")]
    internal static int ReadSocketPorts(ulong* ctx)
    {
        var sk = (Sock*)ctx[0];
        if ((int)ctx[2] != 2) // TCP_SYN_SENT
        {
            return 0;
        }

        SocketPorts ports = default;
        ports.Dport = sk->__sk_common.skc_dport;
        ports.Num = sk->__sk_common.skc_num;
        ports.Daddr = sk->__sk_common.skc_daddr;
        ports.Family = sk->__sk_common.skc_family;
        ports.PortPair = sk->__sk_common.skc_portpair;
        ushort key = ports.Num;
        Ports.Update(key, ports);
        return 0;
    }
}
