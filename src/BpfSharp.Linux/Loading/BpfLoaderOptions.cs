namespace BpfSharp.Linux.Loading;

/// <summary>How <see cref="BpfObjectLoader"/> loads an object.</summary>
public sealed class BpfLoaderOptions
{
    /// <summary>Target BTF for CO-RE, ksyms and attach targets; null = <c>/sys/kernel/btf/vmlinux</c>.</summary>
    public string? TargetBtfPath { get; init; }

    /// <summary>Also search kernel module BTF (<c>/sys/kernel/btf/*</c>) for CO-RE candidates (only with the default target).</summary>
    public bool IncludeKernelModules { get; init; } = true;

    /// <summary>Directory for maps with <c>LIBBPF_PIN_BY_NAME</c>; null = <c>/sys/fs/bpf</c>.</summary>
    public string? PinRoot { get; init; }

    /// <summary>The Kconfig used for <c>__kconfig</c> externs; null = the running kernel's.</summary>
    public KernelConfig? KernelConfig { get; init; }

    /// <summary>BTF features the loader assumes the kernel has; null = probe the running kernel. Fewer features force sanitising.</summary>
    public BtfFeatures? BtfFeatures { get; init; }

    /// <summary>Verifier log level for successful loads (0: a log only on failure).</summary>
    public uint LogLevel { get; init; }

    /// <summary>Name used as prefix of internal map names (libbpf's object name); null = the file name up to its first '.'.</summary>
    public string? ObjectName { get; init; }
}
