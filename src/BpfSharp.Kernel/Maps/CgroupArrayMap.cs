namespace BpfSharp.Kernel;

/// <summary>
/// An array of cgroups (<c>BPF_MAP_TYPE_CGROUP_ARRAY</c>, key and value <c>u32</c>): user space stores cgroup
/// directory fds, a program asks whether the current task or a packet is in one of them (bcc's <c>-c CGROUP</c>).
/// </summary>
public sealed unsafe class CgroupArrayMap : KernelMap
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="maxEntries">The number of slots.</param>
    /// <param name="flags">Map creation flags.</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public CgroupArrayMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    {
    }

    /// <summary>
    /// 1 if the current task is in the cgroup at <paramref name="index"/> (or below it), 0 if not, a negative errno if
    /// the slot is empty (tracing programs).
    /// </summary>
    public long IsCurrentTaskUnder(uint index) => Bpf.CurrentTaskUnderCgroup(this, index);

    /// <summary>1 if the packet's socket is in the cgroup at <paramref name="index"/>, 0 if not, a negative errno on error (tc programs).</summary>
    public long IsPacketUnder(SkBuff* skb, uint index) => Bpf.SkbUnderCgroup(skb, this, index);
}
