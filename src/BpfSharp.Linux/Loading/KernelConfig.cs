using System.Buffers;
using System.IO.Compression;
using System.Text;

namespace BpfSharp.Linux.Loading;

/// <summary>
/// The running kernel's Kconfig (<c>/proc/config.gz</c>, else <c>/boot/config-$(uname -r)</c>) and release, as
/// libbpf reads them to fill <c>__kconfig</c> externs.
/// </summary>
public sealed class KernelConfig
{
    private readonly Dictionary<string, string> _values;

    private KernelConfig(Dictionary<string, string> values, string release, string? source)
    {
        _values = values;
        Release = release;
        Source = source;
    }

    /// <summary>The kernel release (<c>uname -r</c>).</summary>
    public string Release { get; }

    /// <summary>The file the values came from, or null if none was found.</summary>
    public string? Source { get; }

    /// <summary>Every set option: name (<c>CONFIG_X</c>) to raw value.</summary>
    public IReadOnlyDictionary<string, string> Entries => _values;

    /// <summary>The raw value of <c>CONFIG_X</c> ("y", "m", "\"text\"", "123"), or null when unset.</summary>
    public string? this[string name] => _values.TryGetValue(name, out var v) ? v : null;

    /// <summary><c>KERNEL_VERSION(a, b, c)</c> of <see cref="Release"/> (c capped at 255), libbpf's LINUX_KERNEL_VERSION.</summary>
    public uint KernelVersion
    {
        get
        {
            var parts = Release.Split('.', '-', '+');
            uint Part(int i) => i < parts.Length && uint.TryParse(parts[i], out var v) ? v : 0;
            return (Part(0) << 16) + (Part(1) << 8) + Math.Min(Part(2), 255u);
        }
    }

    /// <summary>The running kernel's release (<c>uname -r</c>).</summary>
    public static string RunningRelease() =>
        File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : Environment.OSVersion.Version.ToString();

    /// <summary>
    /// Reads the running kernel's config (an empty config if no file exists), afresh on every call;
    /// <see cref="RunningKernel.Config"/> reads it once per boot.
    /// </summary>
    public static KernelConfig ReadRunning()
    {
        string release = RunningRelease();
        foreach (var path in new[] { "/proc/config.gz", $"/boot/config-{release}" })
        {
            if (!File.Exists(path)) continue;
            using var file = File.OpenRead(path);
            Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
            using (stream)
            {
                // The decompressed text (~250 KB) goes to a pooled buffer: only the CONFIG_ entries become strings.
                var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
                try
                {
                    int length = 0, n;
                    while ((n = stream.Read(buffer, length, buffer.Length - length)) > 0)
                    {
                        length += n;
                        if (length < buffer.Length) continue;
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    return new KernelConfig(Parse(buffer.AsSpan(0, length)), release, path);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        return new KernelConfig([], release, null);
    }

    /// <summary>A config from text in the <c>.config</c> format (for tests and offline use).</summary>
    public static KernelConfig FromText(string text, string release) => new(Parse(text), release, null);

    private static Dictionary<string, string> Parse(string text) => Parse(Encoding.UTF8.GetBytes(text));

    /// <summary>Every <c>CONFIG_X=value</c> line (surrounding whitespace ignored); comments and other lines are skipped.</summary>
    private static Dictionary<string, string> Parse(ReadOnlySpan<byte> text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        while (!text.IsEmpty)
        {
            int newline = text.IndexOf((byte)'\n');
            var line = newline < 0 ? text : text[..newline];
            text = newline < 0 ? default : text[(newline + 1)..];
            line = line.Trim(" \t\r\v\f"u8);
            if (!line.StartsWith("CONFIG_"u8)) continue;
            int eq = line.IndexOf((byte)'=');
            if (eq < 0) continue;
            var value = line[(eq + 1)..];
            // Most values are y or m: share those strings instead of allocating thousands of copies.
            values[Encoding.UTF8.GetString(line[..eq])] = value.SequenceEqual("y"u8) ? "y" : value.SequenceEqual("m"u8) ? "m" : Encoding.UTF8.GetString(value);
        }
        return values;
    }
}
