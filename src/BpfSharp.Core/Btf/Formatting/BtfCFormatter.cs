using BpfSharp.Btf.Formatting.CHeader;

namespace BpfSharp.Btf.Formatting;

/// <summary>
/// Prints BTF as a compilable C header (<c>vmlinux.h</c>), byte for byte what
/// <c>bpftool btf dump file FILE format c</c> prints with bpftool 7.1 (libbpf 1.1's btf_dump).
/// </summary>
/// <remarks>
/// Every type from id 1 up is written in libbpf's order: named definitions after the types they embed, forward
/// declarations where pointers make a cycle, anonymous types inline, clashing names suffixed <c>___2</c>,
/// <c>___3</c>..., explicit padding fields and <c>__attribute__((packed))</c> where the layout needs them.
/// FUNC, VAR, DATASEC and DECL_TAG types are not printed. For split BTF the base types are printed too, as bpftool
/// does with <c>-B</c>. Names are written as the raw bytes of the string section.
/// </remarks>
public static class BtfCFormatter
{
    /// <summary>Writes the header for every type of <paramref name="spec"/> (and its base) to <paramref name="output"/>.</summary>
    /// <param name="spec">The BTF to print.</param>
    /// <param name="output">Receives UTF-8 (raw string-section bytes); not closed.</param>
    /// <exception cref="BpfFormatException">
    /// The BTF cannot be printed as C: a type cycle that no forward declaration resolves, a kind this printer does not
    /// know, or nesting beyond the recursion bounds.
    /// </exception>
    public static void Write(BtfSpec spec, Stream output)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(output);
        var sink = new CHeaderOutput(output);
        var emitter = new CHeaderEmitter(spec, sink);
        sink.Write(CHeaderEmitter.Preamble);
        for (int id = 1; id < spec.TypeCount; id++) emitter.DumpType(id);
        sink.Write(CHeaderEmitter.Trailer);
        sink.Flush();
    }

    /// <summary>
    /// Writes only <paramref name="rootTypeIds"/> and the types they need, in the given order (bpftool's
    /// <c>format c</c> with root types, e.g. a map's key and value).
    /// </summary>
    /// <param name="spec">The BTF to print.</param>
    /// <param name="output">Receives UTF-8; not closed.</param>
    /// <param name="rootTypeIds">Type ids to print; each must be below <see cref="BtfSpec.TypeCount"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A root id is negative or not below the type count.</exception>
    /// <exception cref="BpfFormatException">The BTF cannot be printed as C (see <see cref="Write(BtfSpec, Stream)"/>).</exception>
    public static void Write(BtfSpec spec, Stream output, ReadOnlySpan<int> rootTypeIds)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(output);
        foreach (int id in rootTypeIds)
            if ((uint)id >= (uint)spec.TypeCount)
                throw new ArgumentOutOfRangeException(nameof(rootTypeIds), id, $"type id {id} is not below the type count {spec.TypeCount}");
        var sink = new CHeaderOutput(output);
        var emitter = new CHeaderEmitter(spec, sink);
        sink.Write(CHeaderEmitter.Preamble);
        foreach (int id in rootTypeIds) emitter.DumpType(id);
        sink.Write(CHeaderEmitter.Trailer);
        sink.Flush();
    }

    /// <summary>Writes the header to a text writer (names that are not valid UTF-8 are replaced).</summary>
    /// <param name="spec">The BTF to print.</param>
    /// <param name="writer">Receives the text; not closed.</param>
    /// <exception cref="BpfFormatException">The BTF cannot be printed as C (see <see cref="Write(BtfSpec, Stream)"/>).</exception>
    public static void Write(BtfSpec spec, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Format(spec));
    }

    /// <summary>The whole header as a string (a vmlinux header is a few megabytes; prefer the stream overload).</summary>
    /// <param name="spec">The BTF to print.</param>
    /// <exception cref="BpfFormatException">The BTF cannot be printed as C (see <see cref="Write(BtfSpec, Stream)"/>).</exception>
    public static string Format(BtfSpec spec)
    {
        using var buffer = new MemoryStream();
        Write(spec, buffer);
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
