using System.Buffers.Binary;
using System.Text;

namespace BpfSharp.Linux.Symbols;

/// <summary>
/// One USDT probe site as its <c>.note.stapsdt</c> note records it (<c>sys/sdt.h</c>'s <c>STAP_PROBEn</c>, folly's
/// static tracepoints, ...): the link-time addresses of the probe's NOP, of <c>.stapsdt.base</c> and of the
/// optional semaphore, and the argument specification string (e.g. <c>"-4@%edi 8@-8(%rbp) -4@$5"</c>).
/// </summary>
/// <param name="Provider">The provider name (first <c>STAP_PROBE</c> argument).</param>
/// <param name="Name">The probe name.</param>
/// <param name="Arguments">The argument specification, empty for a probe without arguments.</param>
/// <param name="Address">The probe's address as the note records it (<c>pc</c>).</param>
/// <param name="BaseAddress">The link-time address of <c>.stapsdt.base</c> the note records (0 for none).</param>
/// <param name="SemaphoreAddress">The address of the 2-byte semaphore, 0 when the probe has none.</param>
public sealed record UsdtNote(string Provider, string Name, string Arguments, ulong Address, ulong BaseAddress, ulong SemaphoreAddress);

/// <summary>
/// A USDT probe site resolved the way the uprobe PMU wants it, as libbpf's <c>collect_usdt_targets</c> does.
/// </summary>
/// <param name="Note">The note the site comes from.</param>
/// <param name="Address">The probe's virtual address after the prelink adjustment (<c>.stapsdt.base</c>).</param>
/// <param name="FileOffset">The probe's file offset (what a uprobe attaches at).</param>
/// <param name="SemaphoreOffset">The semaphore's file offset (a uprobe's <c>ref_ctr_offset</c>), 0 for none.</param>
public readonly record struct UsdtSite(UsdtNote Note, ulong Address, ulong FileOffset, ulong SemaphoreOffset);

/// <summary>
/// The USDT notes of one ELF64 little-endian executable or shared library, with its loadable segments, read as
/// libbpf's <c>usdt.c</c> reads them: every note of <c>.note.stapsdt</c> must be a well-formed <c>stapsdt</c>
/// note of type 3; probe addresses are moved by the difference between <c>.stapsdt.base</c>'s address and the
/// base the note recorded (prelink), then mapped to file offsets through the executable <c>PT_LOAD</c> segment
/// that holds them; a semaphore must sit in a non-executable one.
/// </summary>
public sealed class UsdtNotes
{
    private const int SectionHeaderSize = 64, ProgramHeaderSize = 56;
    private const uint SectionTypeNote = 7, NoteTypeStapsdt = 3, PtLoad = 1, PfExecute = 1;
    private const ushort EtExec = 2, EtDyn = 3;

    private readonly List<Segment> _segments;

    private readonly record struct Segment(ulong Start, ulong End, ulong Offset, bool IsExecutable);

    private UsdtNotes(List<UsdtNote> notes, List<Segment> segments, ulong baseAddress, bool isSharedObject)
    {
        Notes = notes;
        _segments = segments;
        StapsdtBase = baseAddress;
        IsSharedObject = isSharedObject;
    }

    /// <summary>Every note of <c>.note.stapsdt</c>, in file order.</summary>
    public IReadOnlyList<UsdtNote> Notes { get; }

    /// <summary>The address of <c>.stapsdt.base</c>, 0 when the file has no such section.</summary>
    public ulong StapsdtBase { get; }

    /// <summary>True for an <c>ET_DYN</c> file (a shared library or a position-independent executable).</summary>
    public bool IsSharedObject { get; }

    /// <summary>Reads the USDT notes of an executable or shared library.</summary>
    /// <exception cref="BpfFormatException">The file is not an ELF64 little-endian executable or shared object, has no
    /// <c>.note.stapsdt</c> section, or a note is malformed (the message names the file, section and offset).</exception>
    public static UsdtNotes Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var elf = InputFiles.ReadAll(path);
        try
        {
            return Parse(elf);
        }
        catch (BpfFormatException e)
        {
            throw e.WithFile(path);
        }
    }

    /// <summary>Reads the USDT notes of an ELF image (see <see cref="Load"/>).</summary>
    /// <exception cref="BpfFormatException">The image is malformed or has no <c>.note.stapsdt</c>.</exception>
    public static UsdtNotes Parse(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || !elf[..4].SequenceEqual((ReadOnlySpan<byte>)[0x7f, (byte)'E', (byte)'L', (byte)'F']))
            throw Error(BpfFormatError.ElfBadHeader, "not an ELF file", "ELF header", 0);
        if (elf[4] != 2 || elf[5] != 1)
            throw Error(BpfFormatError.ElfBadHeader, "only ELF64 little-endian files are supported", "ELF header", 4);
        var type = BinaryPrimitives.ReadUInt16LittleEndian(elf[16..]);
        if (type is not (EtExec or EtDyn))
            throw Error(BpfFormatError.ElfBadHeader, $"ELF type {type} is neither ET_EXEC nor ET_DYN", "ELF header", 16);
        var phoff = ReadU64(elf, 32);
        var shoff = ReadU64(elf, 40);
        int phnum = BinaryPrimitives.ReadUInt16LittleEndian(elf[56..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(elf[60..]);
        int shstrndx = BinaryPrimitives.ReadUInt16LittleEndian(elf[62..]);
        if (shnum != 0 && BinaryPrimitives.ReadUInt16LittleEndian(elf[58..]) != SectionHeaderSize)
            throw Error(BpfFormatError.ElfBadHeader, "unexpected section header size", "ELF header", 58);
        if (phnum != 0 && BinaryPrimitives.ReadUInt16LittleEndian(elf[54..]) != ProgramHeaderSize)
            throw Error(BpfFormatError.ElfBadHeader, "unexpected program header size", "ELF header", 54);

        var sections = Slice(elf, shoff, (ulong)shnum * SectionHeaderSize, "section header table", "ELF header", 40);
        if (shstrndx >= shnum) throw Error(BpfFormatError.ElfMalformed, "section name table index out of range", "ELF header", 62);
        var names = SectionBytes(elf, sections, shoff, shstrndx, "section name table");

        ReadOnlySpan<byte> noteBytes = default;
        long notesOffset = -1;
        ulong alignment = 4, baseAddress = 0;
        for (var i = 0; i < shnum; i++)
        {
            var header = sections.Slice(i * SectionHeaderSize, SectionHeaderSize);
            var name = SectionName(names, header, (long)shoff + i * SectionHeaderSize);
            if (name.SequenceEqual(".note.stapsdt"u8) && notesOffset < 0)
            {
                if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != SectionTypeNote)
                    throw Error(BpfFormatError.ElfMalformed, "section is not SHT_NOTE", ".note.stapsdt", (long)shoff + i * SectionHeaderSize + 4);
                noteBytes = SectionBytes(elf, sections, shoff, i, ".note.stapsdt");
                notesOffset = (long)ReadU64(header, 24);
                alignment = ReadU64(header, 48) == 8 ? 8u : 4u;
            }
            else if (name.SequenceEqual(".stapsdt.base"u8) && baseAddress == 0)
            {
                baseAddress = ReadU64(header, 16);
            }
        }
        if (notesOffset < 0) throw Error(BpfFormatError.ElfMissingSection, "no USDT notes section (.note.stapsdt)", ".note.stapsdt", 0);

        var segments = new List<Segment>();
        var programHeaders = Slice(elf, phoff, (ulong)phnum * ProgramHeaderSize, "program header table", "ELF header", 32);
        for (var i = 0; i < phnum; i++)
        {
            var ph = programHeaders.Slice(i * ProgramHeaderSize, ProgramHeaderSize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(ph) != PtLoad) continue;
            var vaddr = ReadU64(ph, 16);
            segments.Add(new Segment(vaddr, vaddr + ReadU64(ph, 40), ReadU64(ph, 8), (BinaryPrimitives.ReadUInt32LittleEndian(ph[4..]) & PfExecute) != 0));
        }
        if (segments.Count == 0) throw Error(BpfFormatError.ElfMalformed, "no PT_LOAD program headers", "program header table", (long)phoff);
        segments.Sort((a, b) => a.Start.CompareTo(b.Start));

        return new UsdtNotes(ParseNotes(noteBytes, notesOffset, alignment), segments, baseAddress, type == EtDyn);
    }

    /// <summary>
    /// The sites of probe <paramref name="provider"/>:<paramref name="name"/>, resolved to file offsets (libbpf's
    /// <c>collect_usdt_targets</c>); empty when the file has no such probe.
    /// </summary>
    /// <exception cref="BpfFormatException">A site or its semaphore lies in no suitable loadable segment.</exception>
    public IReadOnlyList<UsdtSite> Sites(string provider, string name)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(name);
        var sites = new List<UsdtSite>();
        foreach (var note in Notes)
        {
            if (note.Provider != provider || note.Name != name) continue;
            // Prelink moves sections but not the (non-allocated) notes: .stapsdt.base says by how much.
            var address = note.Address;
            if (StapsdtBase != 0 && note.BaseAddress != 0) address += StapsdtBase - note.BaseAddress;
            var segment = Find(address) ?? throw Error(BpfFormatError.ElfBadSymbol,
                $"USDT {provider}:{name} at 0x{address:x} lies in no loadable segment", ".note.stapsdt", 0);
            if (!segment.IsExecutable)
                throw Error(BpfFormatError.ElfBadSymbol,
                    $"USDT {provider}:{name} at 0x{address:x} lies in segment [0x{segment.Start:x}, 0x{segment.End:x}), which is not executable", ".note.stapsdt", 0);
            ulong semaphoreOffset = 0;
            if (note.SemaphoreAddress != 0)
            {
                var s = Find(note.SemaphoreAddress) ?? throw Error(BpfFormatError.ElfBadSymbol,
                    $"USDT {provider}:{name}: semaphore at 0x{note.SemaphoreAddress:x} lies in no loadable segment", ".note.stapsdt", 0);
                if (s.IsExecutable)
                    throw Error(BpfFormatError.ElfBadSymbol,
                        $"USDT {provider}:{name}: semaphore at 0x{note.SemaphoreAddress:x} lies in an executable segment", ".note.stapsdt", 0);
                semaphoreOffset = note.SemaphoreAddress - s.Start + s.Offset;
            }
            sites.Add(new UsdtSite(note, address, address - segment.Start + segment.Offset, semaphoreOffset));
        }
        return sites;
    }

    private Segment? Find(ulong address)
    {
        foreach (var s in _segments)
        {
            if (s.Start <= address && address < s.End) return s;
        }
        return null;
    }

    // gelf_getnote's walk: 12-byte header, name and description each padded to the section's alignment.
    private static List<UsdtNote> ParseNotes(ReadOnlySpan<byte> data, long sectionOffset, ulong alignment)
    {
        var notes = new List<UsdtNote>();
        var offset = 0;
        while (data.Length - offset >= 12)
        {
            var at = sectionOffset + offset;
            var nameSize = BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);
            var descSize = BinaryPrimitives.ReadUInt32LittleEndian(data[(offset + 4)..]);
            var type = BinaryPrimitives.ReadUInt32LittleEndian(data[(offset + 8)..]);
            var nameStart = (ulong)offset + 12;
            var descStart = Align(nameStart + nameSize, alignment);
            var end = Align(descStart + descSize, alignment);
            if (descStart + descSize > (ulong)data.Length)
                throw Error(BpfFormatError.ElfMalformed, "note runs past the end of the section", ".note.stapsdt", at);
            var name = data.Slice((int)nameStart, (int)nameSize);
            if (!name.SequenceEqual("stapsdt\0"u8) && !name.SequenceEqual("stapsdt"u8))
                throw Error(BpfFormatError.ElfMalformed, "note is not named 'stapsdt'", ".note.stapsdt", at);
            if (type != NoteTypeStapsdt)
                throw Error(BpfFormatError.ElfMalformed, $"note type {type} is not NT_STAPSDT (3)", ".note.stapsdt", at + 8);
            notes.Add(ParseDescription(data.Slice((int)descStart, (int)descSize), sectionOffset + (long)descStart));
            offset = (int)Math.Min(end, (ulong)data.Length);
        }
        return notes;
    }

    // pc, base, semaphore (3 x u64), then provider, name and arguments, each NUL-terminated.
    private static UsdtNote ParseDescription(ReadOnlySpan<byte> desc, long at)
    {
        if (desc.Length < 24 + 3) throw Error(BpfFormatError.ElfMalformed, $"note description of {desc.Length} bytes is too short", ".note.stapsdt", at);
        var strings = desc[24..];
        var providerEnd = strings.IndexOf((byte)0);
        if (providerEnd < 0) throw Error(BpfFormatError.ElfMalformed, "unterminated provider name", ".note.stapsdt", at + 24);
        var rest = strings[(providerEnd + 1)..];
        if (rest.IsEmpty || rest[0] == 0) throw Error(BpfFormatError.ElfMalformed, "missing probe name", ".note.stapsdt", at + 24 + providerEnd + 1);
        var nameEnd = rest.IndexOf((byte)0);
        if (nameEnd < 0) throw Error(BpfFormatError.ElfMalformed, "unterminated probe name", ".note.stapsdt", at + 24 + providerEnd + 1);
        var args = rest[(nameEnd + 1)..];
        if (args.IsEmpty) throw Error(BpfFormatError.ElfMalformed, "missing argument specification", ".note.stapsdt", at + desc.Length);
        var argsEnd = args.IndexOf((byte)0);
        var argText = argsEnd < 0 ? args : args[..argsEnd];
        // libbpf treats an empty string and one starting with ':' (an old sdt.h quirk) as "no arguments".
        var arguments = argText.IsEmpty || argText[0] == (byte)':' ? "" : Encoding.UTF8.GetString(argText);
        return new UsdtNote(Encoding.UTF8.GetString(strings[..providerEnd]), Encoding.UTF8.GetString(rest[..nameEnd]), arguments,
            ReadU64(desc, 0), ReadU64(desc, 8), ReadU64(desc, 16));
    }

    private static ulong Align(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);

    private static ReadOnlySpan<byte> SectionBytes(ReadOnlySpan<byte> elf, ReadOnlySpan<byte> sections, ulong shoff, int index, string what)
    {
        var header = sections.Slice(index * SectionHeaderSize, SectionHeaderSize);
        return Slice(elf, ReadU64(header, 24), ReadU64(header, 32), what, "section header table", (long)shoff + index * SectionHeaderSize + 24);
    }

    private static ReadOnlySpan<byte> SectionName(ReadOnlySpan<byte> names, ReadOnlySpan<byte> header, long headerOffset)
    {
        var offset = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (offset >= names.Length) throw Error(BpfFormatError.ElfMalformed, "section name outside the section name table", "section header table", headerOffset);
        var name = names[(int)offset..];
        var end = name.IndexOf((byte)0);
        return end < 0 ? name : name[..end];
    }

    private static ulong ReadU64(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(data[offset..]);

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> elf, ulong offset, ulong size, string what, string section, long headerOffset)
    {
        if (offset > (ulong)elf.Length || size > (ulong)elf.Length - offset)
            throw Error(BpfFormatError.ElfMalformed, $"{what} at 0x{offset:x} size 0x{size:x} runs past the end of the file (0x{elf.Length:x} bytes)", section, headerOffset);
        return elf.Slice((int)offset, (int)size);
    }

    private static BpfFormatException Error(BpfFormatError code, string detail, string section, long offset) =>
        new(code, BpfFormat.Elf, detail, section, offset, null);
}
