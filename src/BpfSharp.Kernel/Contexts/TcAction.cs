namespace BpfSharp.Kernel;

/// <summary>What a tc classifier (in direct-action mode) or tcx program returns (<c>TC_ACT_*</c> from <c>linux/pkt_cls.h</c>).</summary>
public enum TcAction
{
    /// <summary><c>TC_ACT_UNSPEC</c>: use the default action (continue with the next program in tcx).</summary>
    Unspec = -1,
    /// <summary><c>TC_ACT_OK</c>: let the packet pass.</summary>
    Ok = 0,
    /// <summary><c>TC_ACT_RECLASSIFY</c>: restart classification.</summary>
    Reclassify = 1,
    /// <summary><c>TC_ACT_SHOT</c>: drop the packet.</summary>
    Shot = 2,
    /// <summary><c>TC_ACT_PIPE</c>: continue with the next action.</summary>
    Pipe = 3,
    /// <summary><c>TC_ACT_STOLEN</c>: the packet was consumed.</summary>
    Stolen = 4,
    /// <summary><c>TC_ACT_QUEUED</c>: the packet was queued.</summary>
    Queued = 5,
    /// <summary><c>TC_ACT_REPEAT</c>: repeat the action.</summary>
    Repeat = 6,
    /// <summary><c>TC_ACT_REDIRECT</c>: send it where <see cref="Bpf.Redirect"/> chose.</summary>
    Redirect = 7,
    /// <summary><c>TC_ACT_TRAP</c>: hand the packet to the CPU (hardware offload) and drop it in software.</summary>
    Trap = 8,
}
