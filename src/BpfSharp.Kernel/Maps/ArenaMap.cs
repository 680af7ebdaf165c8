namespace BpfSharp.Kernel;

/// <summary>
/// An arena (<c>BPF_MAP_TYPE_ARENA</c>, 6.9+): up to 4 GiB of memory shared between BPF programs and user space,
/// page by page. The map only declares the arena: user space sees it through the loader's mapping
/// (<c>BpfCollection.Arena</c> in BpfSharp.Linux), at an address the kernel picks on the first mapping.
/// </summary>
/// <remarks>
/// The kernel creates an arena only with <see cref="MapFlags.Mmapable"/> (the default here), without keys and
/// values. Allocating pages from a C# program (<c>bpf_arena_alloc_pages</c>) and dereferencing arena pointers
/// (address-space casts) are not compiled yet; a C object with <c>__arena</c> code loads with the loader.
/// </remarks>
public sealed class ArenaMap : KernelMap
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="pages">The arena's size in pages (the map's max_entries).</param>
    /// <param name="flags">Map creation flags: <see cref="MapFlags.Mmapable"/>, with <see cref="MapFlags.SegvOnFault"/>
    /// or <see cref="MapFlags.NoUserConv"/> if wanted.</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public ArenaMap(uint pages, MapFlags flags = MapFlags.Mmapable, MapPinning pinning = MapPinning.None)
    {
    }
}
