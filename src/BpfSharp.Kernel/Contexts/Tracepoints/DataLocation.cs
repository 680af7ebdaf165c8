namespace BpfSharp.Kernel.Tracepoints;

/// <summary>
/// Variable-length tracepoint fields (<c>__data_loc</c>): the record holds a 32-bit word whose low 16 bits are the
/// data's offset from the start of the record and whose high 16 bits are its length.
/// </summary>
public static unsafe class DataLocation
{
    /// <summary>The address of the data in the record at <paramref name="context"/>: pass it to
    /// <c>Bpf.ProbeReadKernelStr</c> (the verifier allows no direct loads at a variable context offset).</summary>
    public static void* Address(void* context, uint location) => (byte*)context + (location & 0xffff);

    /// <summary>The data's length in bytes (a string's includes its NUL).</summary>
    public static uint Length(uint location) => location >> 16;
}
