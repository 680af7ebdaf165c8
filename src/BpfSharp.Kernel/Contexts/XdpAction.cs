namespace BpfSharp.Kernel;

/// <summary>What an XDP program returns (<c>enum xdp_action</c>).</summary>
[BtfName("xdp_action")]
public enum XdpAction
{
    /// <summary><c>XDP_ABORTED</c>: drop and raise the <c>xdp_exception</c> tracepoint (a program error).</summary>
    [BtfName("XDP_ABORTED")] Aborted = 0,
    /// <summary><c>XDP_DROP</c>: drop the packet.</summary>
    [BtfName("XDP_DROP")] Drop = 1,
    /// <summary><c>XDP_PASS</c>: hand the packet to the network stack.</summary>
    [BtfName("XDP_PASS")] Pass = 2,
    /// <summary><c>XDP_TX</c>: send the packet back out of the receiving device.</summary>
    [BtfName("XDP_TX")] Tx = 3,
    /// <summary><c>XDP_REDIRECT</c>: send it where <see cref="Bpf.Redirect"/> or <see cref="Bpf.RedirectMap"/> chose.</summary>
    [BtfName("XDP_REDIRECT")] Redirect = 4,
}
