using System.Buffers.Binary;
using BpfSharp.Instructions;

namespace BpfSharp.Objects;

/// <summary>
/// Writes a BPF object back to ELF: every section verbatim except those replaced (typically program sections
/// with relocated instructions). Sections are laid out again in their original file order with their alignment,
/// so replacements may change a section's size; relocations and symbols are kept as they are, so a caller that
/// changes the number of instructions must keep them consistent itself.
/// </summary>
public sealed class ObjectWriter
{
    private readonly ObjectSpec _object;
    private readonly Dictionary<int, ReadOnlyMemory<byte>> _replacements = [];

    /// <summary>Starts from an object as read.</summary>
    public ObjectWriter(ObjectSpec obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        _object = obj;
    }

    /// <summary>Replaces the instructions of an executable section (encoded in the object's byte order).</summary>
    /// <exception cref="ArgumentException">The section is not an executable section of the object.</exception>
    public ObjectWriter ReplaceInstructions(int sectionIndex, ReadOnlySpan<Instruction> instructions)
    {
        var section = _object.GetSection(sectionIndex);
        if (section is null || !section.IsExecutable)
            throw new ArgumentException($"section {sectionIndex} is not an executable section", nameof(sectionIndex));
        _replacements[sectionIndex] = InstructionEncoder.Encode(instructions, _object.IsBigEndian);
        return this;
    }

    /// <summary>Replaces the raw contents of any section except the null section and <c>SHT_NOBITS</c> sections.</summary>
    /// <exception cref="ArgumentException">The section cannot be replaced.</exception>
    public ObjectWriter ReplaceSectionData(int sectionIndex, ReadOnlyMemory<byte> data)
    {
        var section = _object.GetSection(sectionIndex);
        if (section is null || sectionIndex == 0 || section.Type == ElfSectionType.NoBits)
            throw new ArgumentException($"section {sectionIndex} has no contents to replace", nameof(sectionIndex));
        _replacements[sectionIndex] = data;
        return this;
    }

    /// <summary>Writes the object to a new byte array.</summary>
    /// <exception cref="BpfFormatException">
    /// A section's alignment is not a power of two up to 2^32, or the laid-out object would not fit in 2 GiB.
    /// </exception>
    public byte[] ToArray()
    {
        try
        {
            return Write();
        }
        catch (OverflowException e)
        {
            throw new BpfFormatException(BpfFormatError.ElfMalformed, BpfFormat.Elf, "the rewritten object would not fit in 2 GiB",
                filePath: _object.Path, inner: e);
        }
    }

    private byte[] Write()
    {
        var source = _object.Image.Span;
        var sections = _object.Sections;
        bool be = _object.IsBigEndian;
        // Unchanged objects round-trip byte for byte.
        if (_replacements.Count == 0) return source.ToArray();

        var order = sections.Skip(1).OrderBy(s => s.FileOffset).ThenBy(s => s.Index).ToList();
        var offsets = new ulong[sections.Count];
        var sizes = new ulong[sections.Count];
        ulong position = 64;
        foreach (var s in order)
        {
            ulong align = Math.Max(1, s.Alignment);
            // The reader takes sh_addralign as is; an absurd one used to overflow the layout (OverflowException).
            if (align > 1ul << 32 || (align & (align - 1)) != 0)
                throw new BpfFormatException(BpfFormatError.ElfMalformed, BpfFormat.Elf,
                    $"sh_addralign {s.Alignment} is not a power of two up to 2^32", s.Name, filePath: _object.Path);
            if (s.Type == ElfSectionType.NoBits)
            {
                offsets[s.Index] = position;
                sizes[s.Index] = s.Size;
                continue;
            }
            position = checked((position + align - 1) / align * align);
            offsets[s.Index] = position;
            sizes[s.Index] = _replacements.TryGetValue(s.Index, out var r) ? (ulong)r.Length : (ulong)s.Data.Length;
            position = checked(position + sizes[s.Index]);
        }
        position = (position + 7) / 8 * 8;
        ulong shoff = position;
        var output = new byte[checked((int)(shoff + (ulong)sections.Count * 64))];

        source[..64].CopyTo(output);
        WriteU64(output.AsSpan(40), shoff, be);
        // One section header each, copied and re-pointed; extended numbering (>= 0xff00 sections) keeps its fields.
        foreach (var s in order)
        {
            if (s.Type == ElfSectionType.NoBits) continue;
            var data = _replacements.TryGetValue(s.Index, out var r) ? r.Span : s.Data.Span;
            data.CopyTo(output.AsSpan((int)offsets[s.Index]));
        }
        ulong originalShoff = ReadU64(source[40..], be);
        for (int i = 0; i < sections.Count; i++)
        {
            var header = output.AsSpan((int)(shoff + (ulong)i * 64), 64);
            source.Slice((int)(originalShoff + (ulong)i * 64), 64).CopyTo(header);
            if (i == 0) continue;
            WriteU64(header[24..], offsets[i], be);
            WriteU64(header[32..], sizes[i], be);
        }
        return output;
    }

    /// <summary>Writes the object to a file.</summary>
    public void Save(string path) => File.WriteAllBytes(path, ToArray());

    private static void WriteU64(Span<byte> s, ulong v, bool be)
    {
        if (be) BinaryPrimitives.WriteUInt64BigEndian(s, v);
        else BinaryPrimitives.WriteUInt64LittleEndian(s, v);
    }

    private static ulong ReadU64(ReadOnlySpan<byte> s, bool be) =>
        be ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s);
}
