namespace BpfSharp.Kernel;

/// <summary>
/// Local storage (<c>BPF_MAP_TYPE_CGRP_STORAGE</c>, 6.2+): one <typeparamref name="TValue"/> per a cgroup (<c>struct cgroup *</c> the verifier trusts), created on first use and
/// freed with its owner. User space reaches an owner's value through a file descriptor of the owner as the key.
/// The kernel creates these maps only with <see cref="MapFlags.NoPrealloc"/> and no size.
/// </summary>
/// <typeparam name="TValue">The value stored per owner.</typeparam>
public sealed unsafe class CgroupStorageMap<TValue> : KernelMap
    where TValue : unmanaged
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="flags">Map creation flags (<see cref="MapFlags.NoPrealloc"/> is required).</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public CgroupStorageMap(MapFlags flags = MapFlags.NoPrealloc, MapPinning pinning = MapPinning.None)
    {
    }

    /// <summary>The value of <paramref name="cgroup"/>, or null when it has none.</summary>
    public TValue* Get(void* cgroup) => (TValue*)Bpf.CgrpStorageGet(this, cgroup, null, 0);

    /// <summary>The value of <paramref name="cgroup"/>, created zeroed when it has none (null only when the kernel
    /// cannot allocate it).</summary>
    public TValue* GetOrCreate(void* cgroup) => (TValue*)Bpf.CgrpStorageGet(this, cgroup, null, 1);

    /// <summary>The value of <paramref name="cgroup"/>, created as a copy of <paramref name="initial"/> when it has
    /// none.</summary>
    public TValue* GetOrCreate(void* cgroup, TValue* initial) => (TValue*)Bpf.CgrpStorageGet(this, cgroup, initial, 1);

    /// <summary>Deletes the value of <paramref name="cgroup"/>.</summary>
    /// <returns>0, or a negative errno (<c>-ENOENT</c> when there was none).</returns>
    public long Delete(void* cgroup) => Bpf.CgrpStorageDelete(this, cgroup);
}
