using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Links;

/// <summary>
/// One program on many functions of one executable or library (<c>BPF_LINK_CREATE</c> with
/// <c>BPF_TRACE_UPROBE_MULTI</c>, Linux 6.6+). The program must be loaded with the expected attach type
/// <see cref="BpfAttachType.TraceUprobeMulti"/> (sections <c>uprobe.multi/</c>, <c>uretprobe.multi/</c>).
/// </summary>
public sealed class UprobeMultiLink : BpfLink
{
    /// <summary><c>BPF_F_UPROBE_MULTI_RETURN</c>.</summary>
    internal const uint ReturnFlag = 1;

    private UprobeMultiLink(BpfFileDescriptor fd, IReadOnlyList<ulong> offsets) : base(fd) => Offsets = offsets;

    /// <summary>The file offsets probed.</summary>
    public IReadOnlyList<ulong> Offsets { get; }

    /// <summary>
    /// Attaches to every function of <paramref name="binaryPath"/> whose name matches the glob
    /// <paramref name="pattern"/> (<see cref="ElfSymbolResolver.MatchingFunctions(string, string)"/>, as libbpf).
    /// </summary>
    /// <param name="program">A kprobe-type program loaded for <see cref="BpfAttachType.TraceUprobeMulti"/>.</param>
    /// <param name="binaryPath">The executable or shared library.</param>
    /// <param name="pattern">A function name or glob ('*', '?').</param>
    /// <param name="isReturnProbe">Run when the functions return.</param>
    /// <param name="processId">Only this process; -1 (the default) for every process mapping the file.</param>
    /// <exception cref="BpfAttachException">No function matches.</exception>
    /// <exception cref="BpfFormatException">The file is not a valid ELF64 file.</exception>
    /// <exception cref="BpfSyscallException">The kernel refused.</exception>
    public static UprobeMultiLink Attach(BpfProgram program, string binaryPath, string pattern, bool isReturnProbe = false, int processId = -1)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        var functions = ElfSymbolResolver.MatchingFunctions(binaryPath, pattern);
        if (functions.Count == 0) throw new BpfAttachException($"{binaryPath}: no function matches '{pattern}'");
        return AttachOffsets(program, binaryPath, [.. functions.Select(f => f.Offset)], isReturnProbe, processId);
    }

    /// <summary>Attaches at raw file offsets of <paramref name="binaryPath"/>.</summary>
    /// <param name="program">A kprobe-type program loaded for <see cref="BpfAttachType.TraceUprobeMulti"/>.</param>
    /// <param name="binaryPath">The executable or shared library.</param>
    /// <param name="offsets">File offsets of the probed instructions.</param>
    /// <param name="isReturnProbe">Run when the functions return.</param>
    /// <param name="processId">Only this process; -1 for every process.</param>
    /// <param name="referenceCounterOffsets">Per offset, the file offset of a USDT-style semaphore the kernel
    /// increments while the probe is attached (0 for none), or null.</param>
    /// <param name="cookies">Per offset, the <c>bpf_get_attach_cookie</c> value, or null.</param>
    /// <exception cref="BpfSyscallException">The kernel refused.</exception>
    public static unsafe UprobeMultiLink AttachOffsets(BpfProgram program, string binaryPath, IReadOnlyList<ulong> offsets, bool isReturnProbe = false,
        int processId = -1, IReadOnlyList<ulong>? referenceCounterOffsets = null, IReadOnlyList<ulong>? cookies = null)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentException.ThrowIfNullOrEmpty(binaryPath);
        ArgumentNullException.ThrowIfNull(offsets);
        if (offsets.Count == 0) throw new ArgumentException("no offsets", nameof(offsets));
        if (referenceCounterOffsets is not null && referenceCounterOffsets.Count != offsets.Count)
            throw new ArgumentException($"{referenceCounterOffsets.Count} semaphore offsets for {offsets.Count} probes", nameof(referenceCounterOffsets));
        if (cookies is not null && cookies.Count != offsets.Count)
            throw new ArgumentException($"{cookies.Count} cookies for {offsets.Count} probes", nameof(cookies));
        var path = CString(Path.GetFullPath(binaryPath));
        var offsetArray = offsets.ToArray();
        var refArray = referenceCounterOffsets?.ToArray();
        var cookieArray = cookies?.ToArray();
        using var lease = program.FileDescriptor.Borrow();
        fixed (byte* p = path)
        fixed (ulong* o = offsetArray)
        fixed (ulong* r = refArray)
        fixed (ulong* c = cookieArray)
        {
            var attr = new LinkCreateAttr
            {
                ProgFd = (uint)lease.Fd,
                AttachType = (uint)BpfAttachType.TraceUprobeMulti,
                UprobeMultiPath = (ulong)p,
                UprobeMultiOffsets = (ulong)o,
                UprobeMultiRefCtrOffsets = (ulong)r,
                UprobeMultiCookies = (ulong)c,
                UprobeMultiCnt = (uint)offsetArray.Length,
                UprobeMultiFlags = isReturnProbe ? ReturnFlag : 0,
                // The kernel's "every process" is pid 0; libbpf maps its -1 the same way.
                UprobeMultiPid = processId < 0 ? 0u : (uint)processId,
            };
            var fd = BpfSyscall.BpfCreate(BpfCommand.LinkCreate, ref attr);
            try
            {
                return new UprobeMultiLink(fd, offsetArray);
            }
            catch
            {
                fd.Dispose();
                throw;
            }
        }
    }
}
