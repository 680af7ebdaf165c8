using System.Formats.Tar;
using BpfSharp.Btf;
using SharpCompress.Compressors.Xz;

namespace BpfSharp.CoRe.Tools;

/// <summary>
/// Finds and reads kernel BTF files the way BTFHub stores them: raw <c>.btf</c> (or any raw BTF / ELF with
/// <c>.BTF</c>), <c>.btf.gz</c>, <c>.btf.xz</c> and <c>.btf.tar.xz</c> (a tar holding one BTF file).
/// </summary>
public static class KernelBtfFiles
{
    private static readonly string[] Suffixes = [".btf.tar.xz", ".btf.xz", ".btf.gz", ".btf", ".tar.xz"];

    /// <summary>
    /// Expands files and directories (searched recursively) into kernel BTF file paths, sorted by path within each
    /// directory. Files named explicitly are taken whatever their name; in directories only non-empty files with
    /// names ending in <c>.btf</c>, <c>.btf.gz</c>, <c>.btf.xz</c> or <c>.btf.tar.xz</c> are taken, and symbolic
    /// links, FIFOs and devices are skipped.
    /// </summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> filesOrDirectories)
    {
        ArgumentNullException.ThrowIfNull(filesOrDirectories);
        var result = new List<string>();
        foreach (var path in filesOrDirectories)
        {
            if (Directory.Exists(path))
            {
                result.AddRange(Walk(path).Order(StringComparer.Ordinal));
            }
            else if (File.Exists(path)) result.Add(path);
            else throw new FileNotFoundException($"kernel BTF file or directory not found: {path}", path);
        }
        return result;
    }

    // Symbolic links are not followed (two self-links made the walk exponential; one listed every kernel again) and
    // special files are skipped: .NET reports FIFOs and devices as ordinary files of length 0, and no empty file is
    // kernel BTF. Directories that cannot be read are skipped as well.
    private static IEnumerable<string> Walk(string directory)
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            AttributesToSkip = FileAttributes.ReparsePoint,
            IgnoreInaccessible = true,
        };
        return new System.IO.Enumeration.FileSystemEnumerable<string>(directory,
            (ref System.IO.Enumeration.FileSystemEntry e) => e.ToSpecifiedFullPath(), options)
        {
            ShouldIncludePredicate = (ref System.IO.Enumeration.FileSystemEntry e) =>
                !e.IsDirectory && e.Length > 0 && HasBtfSuffix(e.FileName),
        };
    }

    private static bool HasBtfSuffix(ReadOnlySpan<char> name)
    {
        foreach (var suffix in Suffixes)
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>The display name of a kernel BTF file: its file name without the BTF/compression suffix.</summary>
    public static string DisplayName(string path)
    {
        string name = Path.GetFileName(path);
        foreach (var s in Suffixes)
            if (name.EndsWith(s, StringComparison.OrdinalIgnoreCase)) return name[..^s.Length];
        return name;
    }

    /// <summary>Reads and parses one kernel BTF file (decompressing <c>.gz</c>, <c>.xz</c>, <c>.tar.xz</c>).</summary>
    /// <exception cref="BpfFormatException">
    /// The file (or the archive member) is not valid BTF, the compressed data is corrupt or not in the format its name
    /// says, or it expands beyond <see cref="InputFiles.MaxDecompressedBytes"/>.
    /// </exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static BtfSpec Load(string path, BtfSpec? baseSpec = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.EndsWith(".xz", StringComparison.OrdinalIgnoreCase))
        {
            byte[] data = ReadXz(path);
            if (path.EndsWith(".tar.xz", StringComparison.OrdinalIgnoreCase)) data = FirstTarMember(data, path);
            return Parse(data, path, baseSpec);
        }
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) return Parse(InputFiles.ReadGzip(path), path, baseSpec);
        return BtfSpec.Load(path, baseSpec);
    }

    private static BtfSpec Parse(byte[] data, string path, BtfSpec? baseSpec)
    {
        if (data.Length >= 4 && data[0] == 0x7f && data[1] == (byte)'E' && data[2] == (byte)'L' && data[3] == (byte)'F')
        {
            var section = Objects.ElfSections.FindSection(data, ".BTF", path)
                ?? throw new BpfFormatException(BpfFormatError.ElfMissingSection, BpfFormat.Elf, "no .BTF section", filePath: path);
            return BtfSpec.Parse(section, baseSpec, path);
        }
        return BtfSpec.Parse(data, baseSpec, path);
    }

    private static byte[] ReadXz(string path)
    {
        using var file = InputFiles.Open(path);
        try
        {
            using var xz = new XZStream(file);
            return InputFiles.Decompress(xz, path, "xz");
        }
        catch (Exception e) when (e is not BpfFormatException and not IOException and not UnauthorizedAccessException)
        {
            // XZStream checks the stream header in its constructor.
            throw new BpfFormatException(BpfFormatError.ArchiveCorrupt, BpfFormat.Archive, $"cannot decompress xz data: {e.Message}",
                filePath: path, inner: e);
        }
    }

    /// <summary>The first regular file of a tar archive (BTFHub archives hold exactly one), read with the BCL's reader.</summary>
    private static byte[] FirstTarMember(byte[] tar, string path)
    {
        try
        {
            using var reader = new TarReader(new MemoryStream(tar, writable: false));
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;
                // The member lies inside the already bounded archive, so its length is bounded too.
                return InputFiles.Decompress(entry.DataStream, path, "tar");
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or ArgumentException or EndOfStreamException or OverflowException)
        {
            throw new BpfFormatException(BpfFormatError.ArchiveCorrupt, BpfFormat.Archive, $"bad tar archive: {e.Message}", "tar", filePath: path, inner: e);
        }
        throw new BpfFormatException(BpfFormatError.ArchiveCorrupt, BpfFormat.Archive, "tar archive holds no regular file", "tar", filePath: path);
    }
}
