using System.Globalization;

namespace BpfSharp;

/// <summary>Which binary format a <see cref="BpfFormatException"/> is about.</summary>
public enum BpfFormat
{
    /// <summary>The ELF container of a BPF object, vmlinux or a kernel module.</summary>
    Elf,
    /// <summary>A <c>.BTF</c> section or raw BTF file.</summary>
    Btf,
    /// <summary>A <c>.BTF.ext</c> section (func_info, line_info, core_relo).</summary>
    BtfExt,
    /// <summary>BPF instructions.</summary>
    Instructions,
    /// <summary>BTF-defined maps (<c>.maps</c>) and other object metadata.</summary>
    Object,
    /// <summary>A CO-RE relocation record.</summary>
    CoRe,
    /// <summary>A compressed or archived container around the data (gzip, xz, tar).</summary>
    Archive,
}

/// <summary>
/// The one exception type thrown for malformed input (BTF, .BTF.ext, ELF, instructions).
/// Carries a stable <see cref="ErrorCode"/> and the position of the problem.
/// </summary>
public sealed class BpfFormatException : BadImageFormatException
{
    /// <summary>Creates an exception for malformed input.</summary>
    public BpfFormatException(BpfFormatError errorCode, BpfFormat format, string detail,
        string? section = null, long sectionOffset = -1, string? filePath = null, Exception? inner = null)
        : base(null, inner)
    {
        ErrorCode = errorCode;
        Format = format;
        Detail = detail;
        Section = section;
        SectionOffset = sectionOffset;
        FilePath = filePath;
    }

    /// <summary>Stable error code, printed as <c>BPFF####</c> (see docs/errors.md).</summary>
    public BpfFormatError ErrorCode { get; }
    /// <summary>The format being read.</summary>
    public BpfFormat Format { get; }
    /// <summary>What was expected and what was found.</summary>
    public string Detail { get; }
    /// <summary>The ELF section (or BTF part such as "types"/"strings") where the problem is, if known.</summary>
    public string? Section { get; }
    /// <summary>Byte offset inside <see cref="Section"/>, or -1.</summary>
    public long SectionOffset { get; }
    /// <summary>The file being read, if known.</summary>
    public string? FilePath { get; }

    /// <summary>Returns a copy of this exception that names <paramref name="path"/> as the file (keeps everything else).</summary>
    public BpfFormatException WithFile(string path) =>
        FilePath is not null ? this : new BpfFormatException(ErrorCode, Format, Detail, Section, SectionOffset, path, this);

    /// <summary>Returns a copy naming a section, when this one names none.</summary>
    public BpfFormatException WithSection(string section, long sectionBase = 0) =>
        Section is not null ? this : new BpfFormatException(ErrorCode, Format, Detail, section,
            SectionOffset < 0 ? -1 : SectionOffset + sectionBase, FilePath, this);

    /// <inheritdoc />
    public override string Message
    {
        get
        {
            var where = new System.Text.StringBuilder();
            if (FilePath is not null) where.Append(FilePath).Append(": ");
            if (Section is not null)
            {
                where.Append(Section);
                if (SectionOffset >= 0) where.Append("+0x").Append(SectionOffset.ToString("x", CultureInfo.InvariantCulture));
                where.Append(": ");
            }
            else if (SectionOffset >= 0)
            {
                where.Append("offset 0x").Append(SectionOffset.ToString("x", CultureInfo.InvariantCulture)).Append(": ");
            }
            where.Append("BPFF").Append(((int)ErrorCode).ToString("D4", CultureInfo.InvariantCulture))
                 .Append(' ').Append(ErrorCode).Append(": ").Append(Detail);
            return where.ToString();
        }
    }
}

/// <summary>Stable codes for malformed input. Ranges: 01xx BTF, 02xx .BTF.ext, 03xx ELF and objects, 04xx instructions, 05xx CO-RE records, 06xx compressed containers.</summary>
public enum BpfFormatError
{
    /// <summary>Input shorter than the header or a record needs.</summary>
    BtfTruncated = 101,
    /// <summary>Magic is neither 0xEB9F nor its byte swap.</summary>
    BtfBadMagic = 102,
    /// <summary>Unsupported version or flags.</summary>
    BtfUnsupportedVersion = 103,
    /// <summary>Header length or section offsets/lengths out of range or misaligned.</summary>
    BtfBadHeader = 104,
    /// <summary>String section is empty, not NUL-terminated, or too large.</summary>
    BtfBadStringSection = 105,
    /// <summary>A name or string offset points outside the string section.</summary>
    BtfBadStringOffset = 106,
    /// <summary>A type record is cut short by the end of the type section.</summary>
    BtfTruncatedType = 107,
    /// <summary>A kind is unknown and no layout section says how to skip it.</summary>
    BtfUnknownKind = 108,
    /// <summary>A type refers to a type id that does not exist.</summary>
    BtfBadTypeId = 109,
    /// <summary>A type's fields are invalid for its kind (size, vlen, encoding...).</summary>
    BtfInvalidType = 110,
    /// <summary>Type chain longer than the bound (or cyclic).</summary>
    BtfTypeChainTooDeep = 111,
    /// <summary>Layout section malformed.</summary>
    BtfBadLayout = 112,
    /// <summary>Split BTF does not fit the given base (or a base is missing).</summary>
    BtfBadBase = 113,
    /// <summary>Too many types or strings.</summary>
    BtfTooLarge = 114,

    /// <summary>.BTF.ext shorter than its header or a record.</summary>
    BtfExtTruncated = 201,
    /// <summary>.BTF.ext magic is wrong.</summary>
    BtfExtBadMagic = 202,
    /// <summary>.BTF.ext version or flags unsupported.</summary>
    BtfExtUnsupportedVersion = 203,
    /// <summary>.BTF.ext header lengths/offsets out of range or misaligned.</summary>
    BtfExtBadHeader = 204,
    /// <summary>Record size below the minimum, not a multiple of 4, or too big.</summary>
    BtfExtBadRecordSize = 205,
    /// <summary>A subsection has no records, or a section header has zero records.</summary>
    BtfExtNoRecords = 206,
    /// <summary>A record is cut short.</summary>
    BtfExtTruncatedRecord = 207,
    /// <summary>A section name offset does not point into .BTF strings, or names no section.</summary>
    BtfExtBadSectionName = 208,
    /// <summary>An instruction offset is not a multiple of 8 or out of the section.</summary>
    BtfExtBadInstructionOffset = 209,

    /// <summary>Not an ELF file, or not a 64-bit relocatable/executable ELF for BPF.</summary>
    ElfBadHeader = 301,
    /// <summary>ELF structure out of range or inconsistent (section headers, string tables...).</summary>
    ElfMalformed = 302,
    /// <summary>A required section is missing.</summary>
    ElfMissingSection = 303,
    /// <summary>A symbol is invalid or out of range.</summary>
    ElfBadSymbol = 304,
    /// <summary>A relocation is invalid, of an unsupported type, or out of range.</summary>
    ElfBadRelocation = 305,
    /// <summary>A BTF-defined map definition is invalid.</summary>
    ObjectBadMap = 306,
    /// <summary>A program section is malformed (size not a multiple of 8, bad symbol...).</summary>
    ObjectBadProgram = 307,
    /// <summary>License or version section malformed.</summary>
    ObjectBadMetadata = 308,
    /// <summary>A global data section or variable is malformed.</summary>
    ObjectBadData = 309,

    /// <summary>An instruction stream is not a multiple of 8 bytes.</summary>
    InsnTruncated = 401,
    /// <summary>A ld_imm64 lacks its second slot, or the second slot is malformed.</summary>
    InsnBadLdImm64 = 402,
    /// <summary>An opcode that is not a valid eBPF instruction.</summary>
    InsnInvalidOpcode = 403,

    /// <summary>A CO-RE relocation record is malformed (kind, type id, access string).</summary>
    CoReBadRecord = 501,

    /// <summary>Compressed or archived data is corrupt, or not in the format its name says (gzip, xz, tar).</summary>
    ArchiveCorrupt = 601,
    /// <summary>Compressed data expands beyond the bound (<see cref="InputFiles.MaxDecompressedBytes"/>).</summary>
    ArchiveTooLarge = 602,

    /// <summary>A <c>.debug_bpfsharp_log</c> catalog is truncated or inconsistent.</summary>
    LogCatalogMalformed = 701,
    /// <summary>A log record is shorter than its site's records or names no site.</summary>
    LogRecordMalformed = 702,
}
