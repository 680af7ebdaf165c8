using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Links;

/// <summary>
/// One program on many kernel functions at once (<c>BPF_LINK_CREATE</c> with <c>BPF_TRACE_KPROBE_MULTI</c>, Linux
/// 5.18+, fprobe-based: it needs <c>CONFIG_FPROBE</c>, not the kprobe PMU). The program must be loaded with the
/// expected attach type <see cref="BpfAttachType.TraceKprobeMulti"/> (sections <c>kprobe.multi/</c>,
/// <c>kretprobe.multi/</c>).
/// </summary>
public sealed class KprobeMultiLink : BpfLink
{
    /// <summary><c>BPF_F_KPROBE_MULTI_RETURN</c>.</summary>
    internal const uint ReturnFlag = 1;

    private KprobeMultiLink(BpfFileDescriptor fd, int count) : base(fd) => FunctionCount = count;

    /// <summary>How many functions the link covers.</summary>
    public int FunctionCount { get; }

    /// <summary>
    /// Attaches to every traceable kernel function matching the glob <paramref name="pattern"/>, resolved to
    /// addresses as libbpf does (<see cref="KernelFunctions.Resolve"/>).
    /// </summary>
    /// <exception cref="BpfAttachException">tracefs is not mounted or nothing matches.</exception>
    /// <exception cref="BpfSyscallException">The kernel refused (EOPNOTSUPP without CONFIG_FPROBE).</exception>
    public static KprobeMultiLink Attach(BpfProgram program, string pattern, bool isReturnProbe = false)
    {
        ArgumentNullException.ThrowIfNull(program);
        var functions = KernelFunctions.Resolve(pattern);
        return AttachAddresses(program, [.. functions.Select(f => f.Address)], isReturnProbe);
    }

    /// <summary>Attaches to the kernel functions named in <paramref name="symbols"/> (the kernel resolves the names).</summary>
    /// <param name="program">A kprobe program loaded for <see cref="BpfAttachType.TraceKprobeMulti"/>.</param>
    /// <param name="symbols">Function names as in <c>/proc/kallsyms</c>.</param>
    /// <param name="isReturnProbe">Run when the functions return (<c>kretprobe.multi</c>).</param>
    /// <param name="cookies">One <c>bpf_get_attach_cookie</c> value per symbol, or null.</param>
    /// <exception cref="BpfSyscallException">The kernel refused.</exception>
    public static unsafe KprobeMultiLink AttachSymbols(BpfProgram program, IReadOnlyList<string> symbols, bool isReturnProbe = false, IReadOnlyList<ulong>? cookies = null)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        if (symbols.Count == 0) throw new ArgumentException("no symbols", nameof(symbols));
        var names = symbols.Select(CString).ToArray();
        var handles = names.Select(n => System.Runtime.InteropServices.GCHandle.Alloc(n, System.Runtime.InteropServices.GCHandleType.Pinned)).ToArray();
        try
        {
            var pointers = handles.Select(h => (ulong)h.AddrOfPinnedObject()).ToArray();
            fixed (ulong* p = pointers)
                return Create(program, symbols.Count, (ulong)p, 0, cookies, isReturnProbe);
        }
        finally
        {
            foreach (var h in handles) h.Free();
        }
    }

    /// <summary>Attaches to kernel functions by address (as <c>/proc/kallsyms</c> lists them).</summary>
    /// <exception cref="BpfSyscallException">The kernel refused.</exception>
    public static unsafe KprobeMultiLink AttachAddresses(BpfProgram program, IReadOnlyList<ulong> addresses, bool isReturnProbe = false, IReadOnlyList<ulong>? cookies = null)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        if (addresses.Count == 0) throw new ArgumentException("no addresses", nameof(addresses));
        var array = addresses.ToArray();
        fixed (ulong* p = array)
            return Create(program, array.Length, 0, (ulong)p, cookies, isReturnProbe);
    }

    private static unsafe KprobeMultiLink Create(BpfProgram program, int count, ulong symbols, ulong addresses, IReadOnlyList<ulong>? cookies, bool isReturnProbe)
    {
        ArgumentNullException.ThrowIfNull(program);
        if (cookies is not null && cookies.Count != count) throw new ArgumentException($"{cookies.Count} cookies for {count} functions", nameof(cookies));
        var cookieArray = cookies?.ToArray();
        using var lease = program.FileDescriptor.Borrow();
        fixed (ulong* c = cookieArray)
        {
            var attr = new LinkCreateAttr
            {
                ProgFd = (uint)lease.Fd,
                AttachType = (uint)BpfAttachType.TraceKprobeMulti,
                KprobeMultiFlags = isReturnProbe ? ReturnFlag : 0,
                KprobeMultiCnt = (uint)count,
                KprobeMultiSyms = symbols,
                KprobeMultiAddrs = addresses,
                KprobeMultiCookies = (ulong)c,
            };
            var fd = BpfSyscall.BpfCreate(BpfCommand.LinkCreate, ref attr);
            try
            {
                return new KprobeMultiLink(fd, count);
            }
            catch
            {
                fd.Dispose();
                throw;
            }
        }
    }
}
