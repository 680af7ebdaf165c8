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

    /// <summary>Reads the running kernel's config (an empty config if no file exists).</summary>
    public static KernelConfig ReadRunning()
    {
        string release = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : Environment.OSVersion.Version.ToString();
        foreach (var path in new[] { "/proc/config.gz", $"/boot/config-{release}" })
        {
            if (!File.Exists(path)) continue;
            using var file = File.OpenRead(path);
            Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return new KernelConfig(Parse(reader.ReadToEnd()), release, path);
        }
        return new KernelConfig([], release, null);
    }

    /// <summary>A config from text in the <c>.config</c> format (for tests and offline use).</summary>
    public static KernelConfig FromText(string text, string release) => new(Parse(text), release, null);

    private static Dictionary<string, string> Parse(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (!line.StartsWith("CONFIG_", StringComparison.Ordinal)) continue;
            int eq = line.IndexOf('=');
            if (eq < 0) continue;
            values[line[..eq]] = line[(eq + 1)..];
        }
        return values;
    }
}
