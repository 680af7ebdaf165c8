using System.Runtime.InteropServices;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux;

/// <summary>
/// A BPF token (<c>BPF_TOKEN_CREATE</c>, Linux 6.9+): the right to use the bpf() commands, map types, program types
/// and attach types a bpffs instance was mounted to delegate (<c>delegate_cmds</c>, <c>delegate_maps</c>,
/// <c>delegate_progs</c>, <c>delegate_attachs</c>), inside the user namespace that bpffs belongs to. An unprivileged
/// container gets one from a bpffs its privileged parent mounted for it; requests that carry the token's fd (with
/// <c>BPF_F_TOKEN_FD</c>) are then checked against the delegation instead of the caller's capabilities in the initial
/// user namespace. Pass it to <see cref="BpfProgramLoadOptions.Token"/>, <see cref="BpfMap.Create"/> or
/// <see cref="KernelBtf.Load(ReadOnlySpan{byte}, BpfToken?)"/>, or let the loader create one
/// (<see cref="Loading.BpfLoaderOptions.TokenPath"/>).
/// </summary>
public sealed class BpfToken : IDisposable
{
    /// <summary><c>BPF_F_TOKEN_FD</c>: the flag bit (in <c>map_flags</c>, <c>prog_flags</c>, <c>btf_flags</c>) that says a token fd is set.</summary>
    internal const uint TokenFdFlag = 1u << 16;

    private const int ODirectory = 0x10000;

    private BpfToken(BpfFileDescriptor fd, string bpffsPath)
    {
        FileDescriptor = fd;
        BpffsPath = bpffsPath;
    }

    /// <summary>The token's fd.</summary>
    public BpfFileDescriptor FileDescriptor { get; }

    /// <summary>The bpffs mount the token was created from.</summary>
    public string BpffsPath { get; }

    /// <summary>
    /// Creates a token from the bpffs mounted at <paramref name="bpffsPath"/> (libbpf's <c>bpf_token_create</c> on
    /// an <c>open(path, O_DIRECTORY)</c> fd).
    /// </summary>
    /// <exception cref="BpfTokenException">
    /// The path cannot be opened, or the kernel refused: <c>EOPNOTSUPP</c> in the initial user namespace (a token
    /// there would grant nothing), <c>ENOENT</c> when the bpffs delegates nothing, <c>EPERM</c> when the caller is
    /// not in the bpffs's user namespace or lacks <c>CAP_BPF</c> there, <c>EINVAL</c> for a path that is not a bpffs
    /// root, <c>EINVAL</c>/<c>ENOSYS</c>-like failures on kernels before 6.9.
    /// </exception>
    public static unsafe BpfToken Create(string bpffsPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(bpffsPath);
        var dir = LibC.Open(bpffsPath, ODirectory | LibC.OCloexec);
        if (dir < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new BpfTokenException(bpffsPath, errno, $"cannot open '{bpffsPath}': {Errno.Name(errno)} ({Marshal.GetPInvokeErrorMessage(errno)})", null);
        }
        using var dirFd = new BpfFileDescriptor(dir);
        var attr = new TokenCreateAttr { BpffsFd = (uint)dir };
        var result = BpfSyscall.TryBpf(BpfCommand.TokenCreate, ref attr);
        if (result < 0)
        {
            var inner = new BpfSyscallException(BpfCommand.TokenCreate, -result);
            throw new BpfTokenException(bpffsPath, -result, $"BPF token from '{bpffsPath}': {inner.Message}{Explain(-result)}", inner);
        }
        return new BpfToken(new BpfFileDescriptor(result), bpffsPath);
    }

    /// <summary>What each errno of <c>BPF_TOKEN_CREATE</c> means (kernel/bpf/token.c).</summary>
    private static string Explain(int errno) => errno switch
    {
        Errno.EOPNOTSUPP => ": the caller is in the initial user namespace, where the kernel creates no tokens (a token only helps inside a user namespace that owns the bpffs)",
        Errno.ENOENT => ": this bpffs delegates nothing (mount it with delegate_cmds/delegate_maps/delegate_progs/delegate_attachs)",
        Errno.EPERM => ": the caller is not in the user namespace the bpffs was mounted for, or lacks CAP_BPF there",
        Errno.EINVAL => ": the path is not the root of a bpffs mount, or the kernel has no BPF tokens (before 6.9)",
        _ => "",
    };

    /// <summary>Closes the token's fd; objects created with it keep working.</summary>
    public void Dispose() => FileDescriptor.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"bpf token from {BpffsPath}";
}

/// <summary><see cref="BpfToken.Create"/> failed: the path, the errno and what it means.</summary>
public sealed class BpfTokenException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BpfTokenException(string bpffsPath, int errno, string message, Exception? inner) : base(message, inner)
    {
        BpffsPath = bpffsPath;
        Errno = errno;
    }

    /// <summary>The bpffs path the token was asked from.</summary>
    public string BpffsPath { get; }

    /// <summary>The errno of the failed step (<c>open</c> or <c>BPF_TOKEN_CREATE</c>).</summary>
    public int Errno { get; }

    /// <summary>The symbolic errno name.</summary>
    public string ErrnoName => Interop.Errno.Name(Errno);
}
