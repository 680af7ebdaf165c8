// The BPF half of bindsnoop, in C#: bcc's tool probes inet_bind/inet6_bind, which this kernel can't (no kprobes). The
// syscall tracepoints see every bind(): on entry (tp_btf/sys_enter) the fd and the sockaddr pointer are kept per
// thread; on exit (tp_btf/sys_exit) the socket is found from the fd through the task's file table
// (task->files->fdt->fd[fd]->private_data, a struct socket when the inode is a socket) and what bcc reports is read
// from it: protocol, options, bound device, and the bound port and address; for a failed bind, which set neither,
// the port and address come from the sockaddr in user memory. Sockets that are not IPv4/IPv6 are left out, as bcc
// never sees them. x86-64 syscall numbers and registers.
using System.Buffers.Binary;
using BpfSharp.Kernel;
using ToolShared;

namespace BindSnoop;

/// <summary>The record sent to user space.</summary>
public unsafe struct BindEvent
{
    /// <summary>The address, network order (IPv4 in the first 4 bytes).</summary>
    public fixed byte Addr[16];
    public ulong TimestampUs;
    public uint Pid;
    public uint BoundDevIf;
    public int Ret;
    public ushort Port;
    public ushort Proto;
    /// <summary>Bits: 1 IP_FREEBIND, 2 IP_TRANSPARENT, 4 IP_BIND_ADDRESS_NO_PORT, 8 SO_REUSEADDR, 16 SO_REUSEPORT.</summary>
    public byte Opts;
    /// <summary>4 or 6.</summary>
    public byte Ver;
    public fixed byte Comm[Probes.TaskCommLength];
}

/// <summary>What sys_enter keeps for sys_exit.</summary>
public struct PendingBind
{
    public ulong Sockaddr;
    public int Fd;
}

/// <summary>The start of a <c>struct sockaddr_in6</c> (or <c>sockaddr_in</c>: port, then the IPv4 address at 4).</summary>
public unsafe struct UserSockaddr
{
    public ushort Family;
    public ushort Port;
    public uint FlowInfoOrIpv4;
    public fixed byte Ipv6[16];
}

/// <summary>The syscall's registers (x86-64 <c>struct pt_regs</c>, fields found by name at load time).</summary>
[Relocatable("pt_regs")]
public struct SyscallRegs
{
    public ulong di;
    public ulong si;
    public ulong orig_ax;
}

[Relocatable("task_struct")]
public unsafe struct Task
{
    public FilesStruct* files;
}

[Relocatable("files_struct")]
public unsafe struct FilesStruct
{
    public Fdtable* fdt;
}

[Relocatable("fdtable")]
public unsafe struct Fdtable
{
    public uint max_fds;
    public File** fd;
}

[Relocatable("file")]
public unsafe struct File
{
    public Inode* f_inode;
    public void* private_data;
}

[Relocatable("inode")]
public struct Inode
{
    public ushort i_mode;
}

[Relocatable("socket")]
public unsafe struct Socket
{
    public Sock* sk;
}

[Relocatable("sock_common")]
public struct SockCommon
{
    public ushort skc_family;
    [Bitfield(4)] public byte skc_reuse;
    [Bitfield(1)] public byte skc_reuseport;
    public int skc_bound_dev_if;
    public In6Addr skc_v6_rcv_saddr;
}

[Relocatable("sock")]
public struct Sock
{
    public SockCommon __sk_common;
    public ushort sk_protocol;
}

[Relocatable("inet_sock")]
public struct InetSock
{
    public ulong inet_flags;
    public uint inet_saddr;
    public ushort inet_sport;
}

public static unsafe class Probes
{
    public const int TaskCommLength = 16;
    private const long NrBind = 49;
    private const ushort AfInet = 2;
    private const ushort AfInet6 = 10;
    private const ushort SIfMt = 0xF000;
    private const ushort SIfSock = 0xC000;
    // Bits of inet_sock.inet_flags (enum INET_FLAGS_*, Linux 6.6+): the kernel's enum is anonymous, so no CO-RE.
    private const int InetFlagsFreebind = 11;
    private const int InetFlagsTransparent = 15;
    private const int InetFlagsBindAddressNoPort = 18;

    /// <summary>Only this process (0: all).</summary>
    public static readonly uint TargetPid;
    /// <summary>Leave out failed binds (bcc's default; -x reports them).</summary>
    public static readonly bool IgnoreErrors = true;
    /// <summary>Only ports in <see cref="Ports"/>.</summary>
    public static readonly bool FilterByPort;

    public static readonly HashMap<uint, PendingBind> Binds = new(maxEntries: 10240);
    /// <summary>The ports to trace (-P), host order.</summary>
    public static readonly HashMap<ushort, ushort> Ports = new(maxEntries: 1024);
    public static readonly RingBuffer BindEvents = new(size: 256 * 1024);

    [TpBtf("sys_enter")]
    public static int HandleBindEnter(ulong* ctx)
    {
        if ((long)ctx[1] != NrBind) return 0;
        var pidTgid = Bpf.GetCurrentPidTgid();
        if (TargetPid != 0 && (uint)(pidTgid >> 32) != TargetPid) return 0;
        var regs = (SyscallRegs*)ctx[0];
        PendingBind pending = default;
        pending.Fd = (int)regs->di;
        pending.Sockaddr = regs->si;
        Binds.Update((uint)pidTgid, pending);
        return 0;
    }

    [TpBtf("sys_exit")]
    public static int HandleBindExit(ulong* ctx)
    {
        var regs = (SyscallRegs*)ctx[0];
        if ((long)regs->orig_ax != NrBind) return 0;
        var pidTgid = Bpf.GetCurrentPidTgid();
        var tid = (uint)pidTgid;
        var pending = Binds.Lookup(tid);
        if (pending == null) return 0;
        var ret = (int)(long)ctx[1];
        if (!IgnoreErrors || ret == 0) Report(pidTgid, ret, pending->Fd, pending->Sockaddr);
        Binds.Delete(tid);
        return 0;
    }

    private static void Report(ulong pidTgid, int ret, int fd, ulong sockaddr)
    {
        // The file behind fd: fdt->fd is an array of pointers, which the verifier does not type: probe-read the slot.
        var task = (Task*)Bpf.GetCurrentTaskBtf();
        var fdt = task->files->fdt;
        if ((uint)fd >= fdt->max_fds) return;
        File* file = null;
        Bpf.ProbeReadKernel(&file, 8, fdt->fd + fd);
        if (file == null) return;
        var inode = Core.ReadPointer(in file->f_inode);
        if ((Core.Read(in inode->i_mode) & SIfMt) != SIfSock) return;
        var socket = (Socket*)Core.ReadPointer(in file->private_data);
        var sk = Core.ReadPointer(in socket->sk);
        var family = Core.Read(in sk->__sk_common.skc_family);
        if (family != AfInet && family != AfInet6) return;
        var inet = (InetSock*)sk;

        BindEvent e = default;
        if (ret == 0)
        {
            e.Port = BinaryPrimitives.ReverseEndianness(Core.Read(in inet->inet_sport));
            if (family == AfInet) *(uint*)e.Addr = Core.Read(in inet->inet_saddr);
            else Bpf.ProbeReadKernel(e.Addr, 16, sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32);
        }
        else
        {
            // A failed bind set nothing on the socket: report what was asked for.
            UserSockaddr requested = default;
            Bpf.ProbeReadUser(&requested, family == AfInet ? 8u : (uint)sizeof(UserSockaddr), (void*)sockaddr);
            e.Port = BinaryPrimitives.ReverseEndianness(requested.Port);
            if (family == AfInet) *(uint*)e.Addr = requested.FlowInfoOrIpv4;
            else Bpf.ProbeReadKernel(e.Addr, 16, requested.Ipv6);
        }
        if (FilterByPort)
        {
            var port = e.Port;
            if (Ports.Lookup(port) == null) return;
        }

        var flags = Core.Read(in inet->inet_flags);
        byte opts = 0;
        if (((flags >> InetFlagsFreebind) & 1) != 0) opts |= 1;
        if (((flags >> InetFlagsTransparent) & 1) != 0) opts |= 2;
        if (((flags >> InetFlagsBindAddressNoPort) & 1) != 0) opts |= 4;
        if (Core.ReadBitfield(in sk->__sk_common.skc_reuse) != 0) opts |= 8;
        if (Core.ReadBitfield(in sk->__sk_common.skc_reuseport) != 0) opts |= 16;
        e.Opts = opts;
        e.Ver = (byte)(family == AfInet ? 4 : 6);
        e.Proto = Core.Read(in sk->sk_protocol);
        e.BoundDevIf = (uint)Core.Read(in sk->__sk_common.skc_bound_dev_if);
        e.Ret = ret;
        e.Pid = (uint)(pidTgid >> 32);
        e.TimestampUs = Bpf.KtimeGetNs() / 1000;
        Bpf.GetCurrentComm(e.Comm, TaskCommLength);
        BindEvents.Output(in e);
    }
}
