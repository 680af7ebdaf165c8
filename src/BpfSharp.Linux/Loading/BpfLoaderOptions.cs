namespace BpfSharp.Linux.Loading;

/// <summary>How <see cref="BpfObjectLoader"/> loads an object.</summary>
public sealed class BpfLoaderOptions
{
    /// <summary>
    /// Target BTF file for CO-RE, ksyms and attach targets; null = the running kernel's
    /// (<c>/sys/kernel/btf/vmlinux</c>). The file is read and parsed on every load; to parse it once for many
    /// loads, parse it yourself and pass it as <see cref="TargetBtf"/>.
    /// </summary>
    public string? TargetBtfPath { get; init; }

    /// <summary>
    /// Already-parsed target BTF for CO-RE, ksyms and attach targets; takes precedence over
    /// <see cref="TargetBtfPath"/>. Kernel module BTFs are not searched when it is set.
    /// </summary>
    public BpfSharp.Btf.BtfSpec? TargetBtf { get; init; }

    /// <summary>
    /// Take the running kernel's BTF (vmlinux and modules) and Kconfig from the process-wide
    /// <see cref="RunningKernel"/> cache (the default), so only the first load in a process reads and parses them.
    /// False reads and parses them again for this load, as libbpf does for every <c>bpf_object__load</c>.
    /// </summary>
    public bool UseRunningKernelCache { get; init; } = true;

    /// <summary>Also search kernel module BTF (<c>/sys/kernel/btf/*</c>) for CO-RE candidates (only with the running kernel as target).</summary>
    public bool IncludeKernelModules { get; init; } = true;

    /// <summary>Directory for maps with <c>LIBBPF_PIN_BY_NAME</c>; null = <c>/sys/fs/bpf</c>.</summary>
    public string? PinRoot { get; init; }

    /// <summary>The Kconfig used for <c>__kconfig</c> externs; null = the running kernel's.</summary>
    public KernelConfig? KernelConfig { get; init; }

    /// <summary>BTF features the loader assumes the kernel has; null = probe the running kernel. Fewer features force sanitising.</summary>
    public BtfFeatures? BtfFeatures { get; init; }

    /// <summary>Verifier log level for successful loads (0: a log only on failure).</summary>
    public uint LogLevel { get; init; }

    /// <summary>
    /// A section name used instead of every program's own to pick program type and attach type (bpftool's
    /// <c>loadall ... type TYPE</c>), or null.
    /// </summary>
    public string? ProgramSectionOverride { get; init; }

    /// <summary>Name used as prefix of internal map names (libbpf's object name); null = the file name up to its first '.'.</summary>
    public string? ObjectName { get; init; }

    /// <summary>
    /// Existing maps to use instead of creating the object's maps of the same names (cilium/ebpf's
    /// <c>MapReplacements</c>), e.g. to share a map between objects. Each must match the object's definition (type,
    /// key and value size, max entries, flags) or the load fails naming the difference. The loader uses its own
    /// duplicate of the fd: the caller keeps, and disposes, the map it passed.
    /// </summary>
    public IReadOnlyDictionary<string, BpfMap>? MapReplacements { get; init; }

    /// <summary>
    /// A bpffs mount to create a BPF token from (libbpf's <c>bpf_token_path</c>); the token's fd then goes with every
    /// BTF load, map creation and program load of this object, so that a process in a user namespace can load what
    /// the bpffs delegates. Null: the <see cref="TokenPathVariable"/> environment variable, if set; else no token.
    /// Unlike libbpf, no token is tried from <c>/sys/fs/bpf</c> unless asked for. A token that cannot be created
    /// fails the load.
    /// </summary>
    public string? TokenPath { get; init; }

    /// <summary>The environment variable libbpf reads for a token path when none is given: <c>LIBBPF_BPF_TOKEN_PATH</c>.</summary>
    public const string TokenPathVariable = "LIBBPF_BPF_TOKEN_PATH";
}
