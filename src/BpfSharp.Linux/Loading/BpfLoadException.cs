namespace BpfSharp.Linux.Loading;

/// <summary>Loading an object failed before or around the kernel calls (CO-RE, externs, unknown section, BTF, maps).</summary>
public class BpfLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BpfLoadException(string message, Exception? inner = null) : base(message, inner) { }

    /// <summary>libbpf-style log lines gathered while loading (CO-RE decisions and warnings).</summary>
    public IReadOnlyList<string> LoaderLog { get; init; } = [];
}
