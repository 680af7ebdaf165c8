namespace BpfSharp.Kernel;

/// <summary>
/// Local storage (<c>BPF_MAP_TYPE_INODE_STORAGE</c>, 5.10+): one <typeparamref name="TValue"/> per an inode (<c>struct inode *</c>, in LSM programs), created on first use and
/// freed with its owner. User space reaches an owner's value through a file descriptor of the owner as the key.
/// The kernel creates these maps only with <see cref="MapFlags.NoPrealloc"/> and no size.
/// </summary>
/// <typeparam name="TValue">The value stored per owner.</typeparam>
public sealed unsafe class InodeStorageMap<TValue> : KernelMap
    where TValue : unmanaged
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="flags">Map creation flags (<see cref="MapFlags.NoPrealloc"/> is required).</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public InodeStorageMap(MapFlags flags = MapFlags.NoPrealloc, MapPinning pinning = MapPinning.None)
    {
    }

    /// <summary>The value of <paramref name="inode"/>, or null when it has none.</summary>
    public TValue* Get(void* inode) => (TValue*)Bpf.InodeStorageGet(this, inode, null, 0);

    /// <summary>The value of <paramref name="inode"/>, created zeroed when it has none (null only when the kernel
    /// cannot allocate it).</summary>
    public TValue* GetOrCreate(void* inode) => (TValue*)Bpf.InodeStorageGet(this, inode, null, 1);

    /// <summary>The value of <paramref name="inode"/>, created as a copy of <paramref name="initial"/> when it has
    /// none.</summary>
    public TValue* GetOrCreate(void* inode, TValue* initial) => (TValue*)Bpf.InodeStorageGet(this, inode, initial, 1);

    /// <summary>Deletes the value of <paramref name="inode"/>.</summary>
    /// <returns>0, or a negative errno (<c>-ENOENT</c> when there was none).</returns>
    public int Delete(void* inode) => Bpf.InodeStorageDelete(this, inode);
}
