namespace BpfSharp.Btf.Formatting;

/// <summary>Prints BTF as a C header (<c>bpftool btf dump file FILE format c</c>).</summary>
public static class BtfCFormatter
{
    /// <summary>Writes the C header for every type of <paramref name="spec"/> to <paramref name="output"/>.</summary>
    /// <exception cref="NotSupportedException">Always, for now: the C printer is not part of this build yet.</exception>
    public static void Write(BtfSpec spec, Stream output) =>
        throw new NotSupportedException("format c: not built yet");
}
