namespace BpfSharp.Kernel;

/// <summary>A program array (<c>BPF_MAP_TYPE_PROG_ARRAY</c>, key and value <c>u32</c>): the jump table of tail calls.</summary>
public sealed unsafe class ProgramArray : KernelMap
{
    /// <summary>Declares the map; the arguments must be constants.</summary>
    /// <param name="maxEntries">The number of slots.</param>
    /// <param name="flags">Map creation flags.</param>
    /// <param name="pinning">Whether the loader pins the map by name.</param>
    public ProgramArray(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    {
    }

    /// <summary>Tail-calls the program in slot <paramref name="index"/>; on success it does not return.</summary>
    /// <param name="ctx">The current program's context.</param>
    /// <param name="index">The slot.</param>
    /// <returns>A negative value when the slot is empty or the tail-call limit is reached.</returns>
    public long TailCall(void* ctx, uint index) => Bpf.TailCall(ctx, this, index);
}
