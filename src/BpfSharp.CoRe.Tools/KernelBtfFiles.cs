using System.IO.Compression;
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
    /// directory. Files named explicitly are taken whatever their name; in directories only names ending in
    /// <c>.btf</c>, <c>.btf.gz</c>, <c>.btf.xz</c> or <c>.btf.tar.xz</c> are taken.
    /// </summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> filesOrDirectories)
    {
        ArgumentNullException.ThrowIfNull(filesOrDirectories);
        var result = new List<string>();
        foreach (var path in filesOrDirectories)
        {
            if (Directory.Exists(path))
            {
                var found = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => Suffixes.Any(s => f.EndsWith(s, StringComparison.OrdinalIgnoreCase)))
                    .Order(StringComparer.Ordinal);
                result.AddRange(found);
            }
            else if (File.Exists(path)) result.Add(path);
            else throw new FileNotFoundException($"kernel BTF file or directory not found: {path}", path);
        }
        return result;
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
    /// <exception cref="BpfFormatException">The file (or the archive member) is not valid BTF.</exception>
    public static BtfSpec Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.EndsWith(".xz", StringComparison.OrdinalIgnoreCase))
        {
            byte[] data = ReadXz(path);
            if (path.EndsWith(".tar.xz", StringComparison.OrdinalIgnoreCase)) data = FirstTarMember(data, path);
            return Parse(data, path);
        }
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            using var file = File.OpenRead(path);
            using var gz = new GZipStream(file, CompressionMode.Decompress);
            using var ms = new MemoryStream();
            gz.CopyTo(ms);
            return Parse(ms.ToArray(), path);
        }
        return BtfSpec.Load(path);
    }

    private static BtfSpec Parse(byte[] data, string path)
    {
        if (data.Length >= 4 && data[0] == 0x7f && data[1] == (byte)'E' && data[2] == (byte)'L' && data[3] == (byte)'F')
        {
            var section = Objects.ElfSections.FindSection(data, ".BTF", path)
                ?? throw new BpfFormatException(BpfFormatError.ElfMissingSection, BpfFormat.Elf, "no .BTF section", filePath: path);
            return BtfSpec.Parse(section, null, path);
        }
        return BtfSpec.Parse(data, null, path);
    }

    private static byte[] ReadXz(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            using var xz = new XZStream(file);
            using var ms = new MemoryStream();
            xz.CopyTo(ms);
            return ms.ToArray();
        }
        catch (Exception e) when (e is not IOException and not UnauthorizedAccessException)
        {
            throw new BpfFormatException(BpfFormatError.BtfBadHeader, BpfFormat.Btf, $"cannot decompress xz data: {e.Message}", filePath: path);
        }
    }

    /// <summary>The first regular file of a ustar/GNU tar archive (BTFHub archives hold exactly one).</summary>
    private static byte[] FirstTarMember(byte[] tar, string path)
    {
        int pos = 0;
        while (pos + 512 <= tar.Length)
        {
            var header = tar.AsSpan(pos, 512);
            if (header[0] == 0) break; // end-of-archive block
            long size = 0;
            foreach (byte b in header.Slice(124, 12))
            {
                if (b is 0 or (byte)' ') { if (size > 0) break; continue; }
                if (b is < (byte)'0' or > (byte)'7')
                    throw new BpfFormatException(BpfFormatError.BtfBadHeader, BpfFormat.Btf, "bad tar member size", "tar", pos + 124, path);
                size = size * 8 + (b - '0');
            }
            byte type = header[156];
            long dataStart = pos + 512L;
            if (size < 0 || dataStart + size > tar.Length)
                throw new BpfFormatException(BpfFormatError.BtfTruncated, BpfFormat.Btf, "tar member runs past the end", "tar", pos, path);
            if (type is (byte)'0' or 0 && size > 0) return tar.AsSpan((int)dataStart, (int)size).ToArray();
            pos = (int)(dataStart + (size + 511) / 512 * 512);
        }
        throw new BpfFormatException(BpfFormatError.BtfTruncated, BpfFormat.Btf, "tar archive holds no regular file", "tar", pos, path);
    }
}
