namespace BpfSharp.Kernel;

/// <summary>
/// Local storage (<c>BPF_MAP_TYPE_SK_STORAGE</c>, 5.2+): one <typeparamref name="TValue"/> per a socket (<c>struct sock *</c> or a <c>bpf_sock</c> the verifier knows as a full socket), created on first use and
/// freed with its owner. User space reaches an owner's value through a file descriptor of the owner as the key.
/// The kernel creates these maps only with <see cref="MapFlags.NoPrealloc"/> and no size.
/// </summary>
/// <typeparam name="TValue">The value stored per owner.</typeparam>
public sealed unsafe class SocketStorageMap<TValue> : KernelMap
    where TValue : unmanaged
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="flags">Map creation flags (<see cref="MapFlags.NoPrealloc"/> is required).</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public SocketStorageMap(MapFlags flags = MapFlags.NoPrealloc, MapPinning pinning = MapPinning.None)
    {
    }

    /// <summary>The value of <paramref name="sk"/>, or null when it has none.</summary>
    public TValue* Get(void* sk) => (TValue*)Bpf.SkStorageGet(this, sk, null, 0);

    /// <summary>The value of <paramref name="sk"/>, created zeroed when it has none (null only when the kernel
    /// cannot allocate it).</summary>
    public TValue* GetOrCreate(void* sk) => (TValue*)Bpf.SkStorageGet(this, sk, null, 1);

    /// <summary>The value of <paramref name="sk"/>, created as a copy of <paramref name="initial"/> when it has
    /// none.</summary>
    public TValue* GetOrCreate(void* sk, TValue* initial) => (TValue*)Bpf.SkStorageGet(this, sk, initial, 1);

    /// <summary>Deletes the value of <paramref name="sk"/>.</summary>
    /// <returns>0, or a negative errno (<c>-ENOENT</c> when there was none).</returns>
    public long Delete(void* sk) => Bpf.SkStorageDelete(this, sk);
}
