namespace BpfSharp.Kernel;

/// <summary>
/// An arena (<c>BPF_MAP_TYPE_ARENA</c>, 6.9+): up to 4 GiB of memory shared between BPF programs and user space,
/// page by page. User space sees it through the loader's mapping (<c>BpfCollection.Arena</c> in BpfSharp.Linux),
/// at an address the kernel picks on the first mapping.
/// </summary>
/// <remarks>
/// <para>The kernel creates an arena only with <see cref="MapFlags.Mmapable"/> (the default here), without keys
/// and values.</para>
/// <para>Pointers into the arena are user-space addresses, the form they are stored in (in the arena, in globals,
/// in maps) and the form user space reads. Before a program dereferences one it converts it with
/// <see cref="Arena.ToKernel{T}(T*)"/> (clang's automatic <c>addr_space_cast(p, 0, 1)</c>, or
/// <c>cast_kern</c>); a kernel-form pointer stored for user space goes back with
/// <see cref="Arena.ToUser{T}(T*)"/> (<c>cast_user</c>).</para>
/// </remarks>
/// <example>
/// <code>
/// Node* n = (Node*)Arena.AllocPages(1);          // user form, or null
/// if (n == null) return 1;
/// Node* k = Arena.ToKernel(n);
/// k->Value = 42;
/// k->Next = Head;                                  // Head and Next hold user-form pointers
/// Head = n;
/// </code>
/// </example>
public sealed unsafe class ArenaMap : KernelMap
{
    /// <summary>NUMA_NO_NODE: allocate from any node.</summary>
    public const int AnyNode = -1;

    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="pages">The arena's size in pages (the map's max_entries).</param>
    /// <param name="flags">Map creation flags: <see cref="MapFlags.Mmapable"/>, with <see cref="MapFlags.SegvOnFault"/>
    /// or <see cref="MapFlags.NoUserConv"/> if wanted.</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    /// <param name="address">The user-space address to map the arena at (map_extra; page-aligned), or 0 for one the
    /// kernel picks.</param>
    public ArenaMap(uint pages, MapFlags flags = MapFlags.Mmapable, MapPinning pinning = MapPinning.None, ulong address = 0)
    {
    }

    /// <summary>Allocates <paramref name="pageCount"/> zeroed pages (<c>bpf_arena_alloc_pages</c>, a kfunc).</summary>
    /// <param name="pageCount">How many pages.</param>
    /// <param name="nodeId">The NUMA node, or <see cref="AnyNode"/>.</param>
    /// <param name="address">Where in the arena (a user-form address), or null for anywhere.</param>
    /// <returns>The first page as a user-form arena pointer, or null.</returns>
    public void* AllocPages(uint pageCount, int nodeId = AnyNode, void* address = null) =>
        Arena.AllocPages(this, address, pageCount, nodeId, 0);

    /// <summary>Frees pages allocated from this arena (<c>bpf_arena_free_pages</c>, a kfunc).</summary>
    /// <param name="pointer">The first page, a user-form arena pointer.</param>
    /// <param name="pageCount">How many pages.</param>
    public void FreePages(void* pointer, uint pageCount) => Arena.FreePages(this, pointer, pageCount);
}

/// <summary>
/// Arena pointers: the arena kfuncs as libbpf's <c>bpf_arena_common.h</c> declares them (weak, so an object that
/// uses them loads on kernels without arenas) and the address-space casts between the user form of an arena
/// pointer (stored, shared) and its kernel form (dereferenced).
/// </summary>
public static unsafe class Arena
{
    /// <summary><c>bpf_arena_alloc_pages(map, addr, page_cnt, node_id, flags)</c>; prefer
    /// <see cref="ArenaMap.AllocPages"/>.</summary>
    /// <param name="map">The arena.</param>
    /// <param name="address">Where, or null.</param>
    /// <param name="pageCount">How many pages.</param>
    /// <param name="nodeId">The NUMA node, or -1.</param>
    /// <param name="flags">0.</param>
    /// <returns>A user-form arena pointer, or null.</returns>
    [Kfunc("bpf_arena_alloc_pages", Weak = true)]
    public static void* AllocPages(KernelMap map, void* address, uint pageCount, int nodeId, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_arena_free_pages(map, ptr, page_cnt)</c>; prefer <see cref="ArenaMap.FreePages"/>.</summary>
    /// <param name="map">The arena.</param>
    /// <param name="pointer">The first page.</param>
    /// <param name="pageCount">How many pages.</param>
    [Kfunc("bpf_arena_free_pages", Weak = true)]
    public static void FreePages(KernelMap map, void* pointer, uint pageCount) => throw new BpfOnlyException();

    /// <summary>The kernel form of an arena pointer, to dereference (<c>addr_space_cast(p, 0, 1)</c>; null stays null).</summary>
    /// <typeparam name="T">The pointee.</typeparam>
    /// <param name="pointer">A user-form arena pointer.</param>
    /// <returns>The pointer the program loads and stores through.</returns>
    public static T* ToKernel<T>(T* pointer) where T : unmanaged => throw new BpfOnlyException();

    /// <inheritdoc cref="ToKernel{T}(T*)"/>
    public static void* ToKernel(void* pointer) => throw new BpfOnlyException();

    /// <summary>The user form of an arena pointer, to store where user space reads it (<c>addr_space_cast(p, 1, 0)</c>;
    /// null stays null).</summary>
    /// <typeparam name="T">The pointee.</typeparam>
    /// <param name="pointer">A kernel-form arena pointer.</param>
    /// <returns>The user-space address of the same byte.</returns>
    public static T* ToUser<T>(T* pointer) where T : unmanaged => throw new BpfOnlyException();

    /// <inheritdoc cref="ToUser{T}(T*)"/>
    public static void* ToUser(void* pointer) => throw new BpfOnlyException();
}
