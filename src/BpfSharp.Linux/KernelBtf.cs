using System.Runtime.InteropServices;
using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux;

/// <summary>
/// BTF loaded into the kernel with <c>BPF_BTF_LOAD</c>: what programs reference for func_info/line_info and
/// maps for key/value types. Dispose to release this process's reference.
/// </summary>
public sealed class KernelBtf : IDisposable
{
    private KernelBtf(BpfFileDescriptor fd, int id)
    {
        FileDescriptor = fd;
        Id = id;
    }

    /// <summary>The BTF object's fd.</summary>
    public BpfFileDescriptor FileDescriptor { get; }

    /// <summary>The kernel's id for this BTF object (as <c>bpftool btf list</c> shows it).</summary>
    public int Id { get; }

    /// <summary>
    /// Loads raw BTF (header, types, strings, as found in a <c>.BTF</c> section) into the kernel. If the kernel
    /// rejects it, the load is retried with a log buffer and the thrown <see cref="BpfSyscallException"/> carries
    /// the kernel's BTF-checker log in <see cref="BpfSyscallException.Log"/>.
    /// </summary>
    /// <param name="btf">The raw BTF bytes in host byte order.</param>
    /// <param name="token">A BPF token to pass (<c>btf_token_fd</c> with <c>BPF_F_TOKEN_FD</c>), or null.</param>
    /// <exception cref="BpfSyscallException">The kernel rejected the BTF or refused the call.</exception>
    public static unsafe KernelBtf Load(ReadOnlySpan<byte> btf, BpfToken? token = null)
    {
        if (btf.IsEmpty) throw new ArgumentException("BTF data is empty.", nameof(btf));
        using var tokenLease = token is null ? default : token.FileDescriptor.Borrow();
        int tokenFd = token is null ? 0 : tokenLease.Fd;
        uint tokenFlags = token is null ? 0 : BpfToken.TokenFdFlag;
        fixed (byte* data = btf)
        {
            var attr = new BtfLoadAttr { Btf = (ulong)data, BtfSize = (uint)btf.Length, BtfFlags = tokenFlags, BtfTokenFd = tokenFd };
            var result = BpfSyscall.TryBpf(BpfCommand.BtfLoad, ref attr);
            if (result < 0)
            {
                // Failed without a log: ask again with one so the caller learns why.
                string? log = null;
                var size = LogBuffer.InitialSize;
                for (var attempt = 0; attempt < 4 && result < 0; attempt++)
                {
                    var buffer = new byte[size];
                    fixed (byte* logBuffer = buffer)
                    {
                        attr = new BtfLoadAttr
                        {
                            Btf = (ulong)data, BtfSize = (uint)btf.Length,
                            BtfLogBuf = (ulong)logBuffer, BtfLogSize = (uint)size, BtfLogLevel = LogBuffer.Level1,
                            BtfFlags = tokenFlags, BtfTokenFd = tokenFd,
                        };
                        result = BpfSyscall.TryBpf(BpfCommand.BtfLoad, ref attr);
                    }
                    log = LogBuffer.Decode(buffer);
                    if (result != -Errno.ENOSPC || size == LogBuffer.MaxSize) break;
                    size = LogBuffer.NextSize(size, attr.BtfLogTrueSize);
                }
                if (result < 0) BpfSyscall.ThrowFailed(BpfCommand.BtfLoad, -result, log);
            }
            var fd = new BpfFileDescriptor(result);
            try
            {
                var info = default(BtfInfoPrefix);
                BpfSyscall.GetInfo(fd, ref info);
                return new KernelBtf(fd, (int)info.Id);
            }
            catch
            {
                fd.Dispose();
                throw;
            }
        }
    }

    /// <summary>Closes the fd.</summary>
    public void Dispose() => FileDescriptor.Dispose();

    /// <summary>The leading fields of <c>struct bpf_btf_info</c>.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    private struct BtfInfoPrefix
    {
        [FieldOffset(0)] public ulong Btf;
        [FieldOffset(8)] public uint BtfSize;
        [FieldOffset(12)] public uint Id;
    }
}
