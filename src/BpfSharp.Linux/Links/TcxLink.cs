namespace BpfSharp.Linux.Links;

/// <summary>
/// A tc program attached to an interface's ingress or egress through tcx (<c>BPF_LINK_CREATE</c> with
/// <c>BPF_TCX_INGRESS</c>/<c>BPF_TCX_EGRESS</c>, kernel 6.6+). No qdisc is needed.
/// </summary>
public sealed class TcxLink : BpfLink
{
    private TcxLink(BpfFileDescriptor fd, int interfaceIndex, bool ingress) : base(fd)
    {
        InterfaceIndex = interfaceIndex;
        IsIngress = ingress;
    }

    /// <summary>The interface the program is attached to.</summary>
    public int InterfaceIndex { get; }

    /// <summary>True for ingress, false for egress.</summary>
    public bool IsIngress { get; }

    /// <summary>Attaches a <see cref="BpfProgramType.SchedCls"/> program (appended after any already attached).</summary>
    /// <exception cref="BpfSyscallException">The kernel refused (EINVAL before 6.6).</exception>
    public static TcxLink Attach(BpfProgram program, int interfaceIndex, bool ingress)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(interfaceIndex);
        var fd = Create(program, (uint)interfaceIndex, ingress ? BpfAttachType.TcxIngress : BpfAttachType.TcxEgress);
        try
        {
            return new TcxLink(fd, interfaceIndex, ingress);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>Attaches to the interface named <paramref name="interfaceName"/>.</summary>
    public static TcxLink Attach(BpfProgram program, string interfaceName, bool ingress) =>
        Attach(program, NetworkInterfaces.IndexOf(interfaceName), ingress);
}
