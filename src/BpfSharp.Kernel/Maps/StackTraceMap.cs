namespace BpfSharp.Kernel;

/// <summary>
/// A stack trace map (<c>BPF_MAP_TYPE_STACK_TRACE</c>, key <c>u32</c> stack id, value <see cref="MaxDepth"/>
/// instruction addresses).
/// </summary>
public sealed unsafe class StackTraceMap : KernelMap
{
    /// <summary>The frames per stack, the value being <c>u64[MaxDepth]</c> (the kernel's default <c>perf_event_max_stack</c>).</summary>
    public const int MaxDepth = 127;

    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="maxEntries">The number of stacks kept.</param>
    /// <param name="flags">Map creation flags (e.g. <see cref="MapFlags.StackBuildId"/>).</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public StackTraceMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    {
    }

    /// <summary>Records the current stack and returns its id (<c>GetStackId(ctx, 0)</c>: the kernel stack).</summary>
    /// <param name="ctx">The program's context.</param>
    /// <param name="flags">Which stack and how to store it.</param>
    /// <returns>The stack id (≥ 0), or a negative errno.</returns>
    public long GetStackId(void* ctx, StackIdFlags flags = StackIdFlags.None) => Bpf.GetStackid(ctx, this, (ulong)flags);

    /// <summary>Records the current stack, leaving out its innermost <paramref name="skipFrames"/> frames, and returns its id.</summary>
    /// <param name="ctx">The program's context.</param>
    /// <param name="skipFrames">Frames to skip (0 to 255: <c>BPF_F_SKIP_FIELD_MASK</c>).</param>
    /// <param name="flags">Which stack and how to store it.</param>
    /// <returns>The stack id (≥ 0), or a negative errno.</returns>
    public long GetStackId(void* ctx, int skipFrames, StackIdFlags flags) =>
        Bpf.GetStackid(ctx, this, ((ulong)flags & ~(ulong)StackIdFlags.SkipFieldMask) | ((ulong)skipFrames & (ulong)StackIdFlags.SkipFieldMask));
}
