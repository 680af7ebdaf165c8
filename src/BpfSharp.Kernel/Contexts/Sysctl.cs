using System.Runtime.InteropServices;

namespace BpfSharp.Kernel;

/// <summary>
/// <c>struct bpf_sysctl</c>, the context of cgroup sysctl programs: called when a task in the cgroup reads or writes
/// a file under <c>/proc/sys</c>. Use <see cref="Bpf.SysctlGetName"/> and the value helpers for the rest; return 1 to
/// allow the access, 0 to fail it with <c>EPERM</c>.
/// </summary>
[BtfName("bpf_sysctl")]
[StructLayout(LayoutKind.Sequential)]
public struct Sysctl
{
    /// <summary>1 for a write, 0 for a read (<c>write</c>).</summary>
    [BtfName("write")] public uint Write;
    /// <summary>The file position of the access (<c>file_pos</c>); writable.</summary>
    [BtfName("file_pos")] public uint FilePos;
}

/// <summary>
/// <c>struct bpf_sockopt</c>, the context of cgroup getsockopt/setsockopt programs. The option buffer is
/// <see cref="Optval"/>..<see cref="OptvalEnd"/> (at most a page); return 1 to let the call proceed (setsockopt) or
/// keep its result (getsockopt), 0 to fail it with <c>EPERM</c>.
/// </summary>
[BtfName("bpf_sockopt")]
[StructLayout(LayoutKind.Sequential)]
public unsafe struct Sockopt
{
    /// <summary>The <c>struct bpf_sock *</c> (<c>sk</c>), as an 8-byte slot.</summary>
    [BtfName("sk")] public ulong Sk;
    /// <summary>The start of the option value (<c>optval</c>), as an 8-byte slot.</summary>
    [BtfName("optval")] public ulong Optval;
    /// <summary>The end of the option value (<c>optval_end</c>), as an 8-byte slot.</summary>
    [BtfName("optval_end")] public ulong OptvalEnd;
    /// <summary>The option level, <c>SOL_SOCKET</c> etc. (<c>level</c>); writable in setsockopt.</summary>
    [BtfName("level")] public int Level;
    /// <summary>The option name (<c>optname</c>); writable in setsockopt.</summary>
    [BtfName("optname")] public int Optname;
    /// <summary>The option length (<c>optlen</c>); writable (-1 in setsockopt bypasses the kernel handler).</summary>
    [BtfName("optlen")] public int Optlen;
    /// <summary>The kernel handler's result in getsockopt (<c>retval</c>); writable there.</summary>
    [BtfName("retval")] public int Retval;

    /// <summary><see cref="Optval"/> as a pointer.</summary>
    public readonly byte* OptvalPointer => (byte*)Optval;

    /// <summary><see cref="OptvalEnd"/> as a pointer.</summary>
    public readonly byte* OptvalEndPointer => (byte*)OptvalEnd;
}

/// <summary>
/// <c>struct bpf_cgroup_dev_ctx</c>, the context of cgroup device programs: a task in the cgroup opens or creates
/// (mknod) a device node. Return 1 to allow, 0 to refuse with <c>EPERM</c>.
/// </summary>
[BtfName("bpf_cgroup_dev_ctx")]
[StructLayout(LayoutKind.Sequential)]
public struct CgroupDeviceContext
{
    /// <summary>The device type in the low 16 bits (<c>BPF_DEVCG_DEV_BLOCK</c> 1, <c>_CHAR</c> 2) and the access in the high 16 (<c>BPF_DEVCG_ACC_MKNOD</c> 1, <c>_READ</c> 2, <c>_WRITE</c> 4) (<c>access_type</c>).</summary>
    [BtfName("access_type")] public uint AccessType;
    /// <summary>The device's major number (<c>major</c>).</summary>
    [BtfName("major")] public uint Major;
    /// <summary>The device's minor number (<c>minor</c>).</summary>
    [BtfName("minor")] public uint Minor;
}
