using System.IO.Compression;

namespace BpfSharp;

/// <summary>
/// Reads input files with bounds, so that hostile or careless input (<c>/dev/zero</c>, a FIFO, a gzip bomb) ends
/// in an error instead of exhausting memory. Every <c>Load(path)</c> of the library reads through here.
/// </summary>
public static class InputFiles
{
    /// <summary>
    /// The most a compressed input may expand to: 256 MiB. The largest real kernel BTF is a few tens of MiB, and a
    /// BPF object is far smaller.
    /// </summary>
    public const int MaxDecompressedBytes = 256 << 20;

    /// <summary>
    /// The most read from a file that reports no size (a character device, FIFO, procfs or sysfs file): 256 MiB.
    /// Regular files are read at their size.
    /// </summary>
    public const int MaxUnsizedBytes = 256 << 20;

    /// <summary>
    /// Reads a whole file: a regular file at its size, one that reports no size up to <see cref="MaxUnsizedBytes"/>.
    /// </summary>
    /// <exception cref="IOException">Missing, a directory, too large, or unreadable.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static byte[] ReadAll(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = Open(path);
        var length = stream.CanSeek ? stream.Length : 0;
        if (length > Array.MaxLength) throw new IOException($"{path}: file too large ({length} bytes)");
        if (length > 0)
        {
            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        // No size: a device, a pipe, or a pseudo-file that says 0 and still has content.
        return ReadBounded(stream, MaxUnsizedBytes, () => new IOException(
            $"{path}: not a regular file and longer than {MaxUnsizedBytes >> 20} MiB; refusing to read more"));
    }

    /// <summary>Reads and decompresses a gzip file, bounded by <see cref="MaxDecompressedBytes"/>.</summary>
    /// <exception cref="BpfFormatException">Not gzip, corrupt, or expanding beyond the bound (the file is named).</exception>
    /// <exception cref="IOException">Missing, a directory, or unreadable.</exception>
    public static byte[] ReadGzip(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = Open(path);
        using var gz = new GZipStream(file, CompressionMode.Decompress);
        return Decompress(gz, path, "gzip");
    }

    /// <summary>
    /// Drains a decompressing stream into an array, bounded by <see cref="MaxDecompressedBytes"/>; whatever the
    /// decompressor throws for corrupt input becomes a <see cref="BpfFormatException"/> naming
    /// <paramref name="path"/>.
    /// </summary>
    public static byte[] Decompress(Stream decompressor, string path, string format)
    {
        ArgumentNullException.ThrowIfNull(decompressor);
        try
        {
            return ReadBounded(decompressor, MaxDecompressedBytes, () => new BpfFormatException(BpfFormatError.ArchiveTooLarge,
                BpfFormat.Archive, $"{format} data expands beyond {MaxDecompressedBytes >> 20} MiB; refusing to inflate more", filePath: path));
        }
        catch (Exception e) when (e is not BpfFormatException and not OutOfMemoryException and not UnauthorizedAccessException
                                   && e.GetType() != typeof(IOException))
        {
            // InvalidDataException (not gzip, bad CRC) and whatever a third-party decompressor throws for bad input
            // (its own exception types, index or argument errors); a plain IOException is the file system's.
            throw new BpfFormatException(BpfFormatError.ArchiveCorrupt, BpfFormat.Archive, $"cannot decompress {format} data: {e.Message}",
                filePath: path, inner: e);
        }
    }

    /// <summary>Opens for reading, saying "is a directory" (EISDIR) where .NET would say "access denied".</summary>
    internal static FileStream Open(string path)
    {
        if (Directory.Exists(path)) throw new IOException($"{path}: is a directory (EISDIR)");
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.None);
    }

    // In 1 MiB chunks rather than a doubling MemoryStream: a bomb stopped at the bound has cost the bound, not twice it,
    // and a good input costs its size plus one copy.
    private static byte[] ReadBounded(Stream stream, int limit, Func<Exception> tooLarge)
    {
        const int ChunkSize = 1 << 20;
        var chunks = new List<byte[]>();
        long total = 0;
        while (true)
        {
            var chunk = new byte[ChunkSize];
            int filled = 0, read;
            while (filled < ChunkSize && (read = stream.Read(chunk, filled, ChunkSize - filled)) > 0) filled += read;
            if (filled == 0) break;
            total += filled;
            if (total > limit) throw tooLarge();
            chunks.Add(filled == ChunkSize ? chunk : chunk[..filled]);
            if (filled < ChunkSize) break;
        }
        var result = new byte[total];
        int at = 0;
        foreach (var c in chunks)
        {
            c.CopyTo(result, at);
            at += c.Length;
        }
        return result;
    }
}
