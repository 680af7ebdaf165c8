namespace BpfSharp.Linux;

/// <summary>The optional parts of a <c>BPF_PROG_LOAD</c> request.</summary>
public sealed class BpfProgramLoadOptions
{
    /// <summary>Program name (letters, digits, '_' and '.'; truncated to 15 bytes), or null.</summary>
    public string? Name { get; init; }

    /// <summary><c>expected_attach_type</c>, for program types that need one (cgroup sock_addr, tracing, ...).</summary>
    public BpfAttachType ExpectedAttachType { get; init; }

    /// <summary><c>prog_flags</c>.</summary>
    public BpfProgramLoadFlags Flags { get; init; }

    /// <summary><c>kern_version</c> (only checked for kprobes on very old kernels).</summary>
    public uint KernelVersion { get; init; }

    /// <summary><c>attach_btf_id</c>: the kernel BTF type id a tracing/LSM/struct_ops program attaches to.</summary>
    public int AttachBtfId { get; init; }

    /// <summary>
    /// <c>attach_prog_fd</c>: the BPF program a <see cref="BpfProgramType.Ext"/> (freplace) program replaces a function
    /// of, or a tracing program (fentry/fexit) traces; <see cref="AttachBtfId"/> is then a FUNC id in that program's BTF.
    /// </summary>
    public BpfProgram? AttachProgram { get; init; }

    /// <summary>A BPF token to pass (<c>prog_token_fd</c> with <c>BPF_F_TOKEN_FD</c>), or null.</summary>
    public BpfToken? Token { get; init; }

    /// <summary>The program's BTF (<c>prog_btf_fd</c>); required with <see cref="FuncInfo"/> and <see cref="LineInfo"/>.</summary>
    public KernelBtf? Btf { get; init; }

    /// <summary><c>struct bpf_func_info</c> records (as in <c>.BTF.ext</c>), with section offsets already converted to instruction indexes.</summary>
    public ReadOnlyMemory<byte> FuncInfo { get; init; }

    /// <summary>Size of one <see cref="FuncInfo"/> record (<c>func_info_rec_size</c>, 8 today).</summary>
    public int FuncInfoRecordSize { get; init; } = 8;

    /// <summary><c>struct bpf_line_info</c> records, with instruction indexes.</summary>
    public ReadOnlyMemory<byte> LineInfo { get; init; }

    /// <summary>Size of one <see cref="LineInfo"/> record (<c>line_info_rec_size</c>, 16 today).</summary>
    public int LineInfoRecordSize { get; init; } = 16;

    /// <summary>
    /// Verifier log level for a successful load (1 = <c>BPF_LOG_LEVEL1</c>, 2 = verbose, 4 = stats); the log then
    /// appears in <see cref="BpfProgram.VerifierLog"/>. 0 (the default) asks for no log unless the load fails,
    /// in which case it is retried at level 1 and the log goes into the exception.
    /// </summary>
    public uint LogLevel { get; init; }

    /// <summary>Log buffer size when <see cref="LogLevel"/> is set; grown automatically if the kernel needs more.</summary>
    public int LogSize { get; init; } = 1024 * 1024;
}
