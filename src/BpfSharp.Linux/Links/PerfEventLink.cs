using BpfSharp.Linux.Interop;

namespace BpfSharp.Linux.Links;

/// <summary>
/// A program attached to a perf event: a kprobe, uprobe, tracepoint or sampling event. The link holds the perf
/// event fd and, where the kernel has it (5.15+), a BPF link made with <c>BPF_LINK_CREATE</c>/<c>BPF_PERF_EVENT</c>;
/// otherwise the program is attached with <c>PERF_EVENT_IOC_SET_BPF</c> and the perf event fd alone holds it.
/// </summary>
public sealed class PerfEventLink : BpfLink
{
    private readonly BpfFileDescriptor _perfEvent;

    private PerfEventLink(BpfFileDescriptor? link, BpfFileDescriptor perfEvent) : base(link) => _perfEvent = perfEvent;

    /// <summary>The perf event fd the program is attached to.</summary>
    public BpfFileDescriptor PerfEvent => _perfEvent;

    /// <summary>True when the attachment is a BPF link; false when it went through the ioctl fallback.</summary>
    public bool IsBpfLink => FileDescriptor is not null;

    /// <summary>
    /// Attaches a kprobe (or kretprobe) program to the kernel function <paramref name="symbol"/> through the kprobe
    /// PMU (<c>/sys/bus/event_source/devices/kprobe</c>).
    /// </summary>
    /// <param name="program">A loaded <see cref="BpfProgramType.Kprobe"/> program.</param>
    /// <param name="symbol">The kernel function, as in <c>/proc/kallsyms</c>.</param>
    /// <param name="isReturnProbe">True for a kretprobe (runs when the function returns).</param>
    /// <param name="offset">Byte offset into the function (entry probes only).</param>
    /// <param name="cookie">Value the program reads with <c>bpf_get_attach_cookie</c>.</param>
    /// <exception cref="BpfAttachException">The kernel has no kprobe PMU or refused the probe (unknown symbol: ENOENT/EINVAL).</exception>
    public static unsafe PerfEventLink Kprobe(BpfProgram program, string symbol, bool isReturnProbe = false, ulong offset = 0, ulong cookie = 0)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentException.ThrowIfNullOrEmpty(symbol);
        var pmu = DynamicPmu.Read("kprobe");
        var name = CString(symbol);
        fixed (byte* p = name)
        {
            var attr = new PerfEventAttr
            {
                Type = pmu.Type,
                Config = isReturnProbe ? pmu.ReturnProbeConfig : 0,
                Config1 = (ulong)p,
                Config2 = offset,
                SamplePeriod = 1,
                WakeupEvents = 1,
            };
            var what = $"{(isReturnProbe ? "kretprobe" : "kprobe")} on '{symbol}'";
            var perfEvent = OpenPerfEvent(ref attr, pid: -1, cpu: 0, what);
            return AttachToPerfEvent(program, perfEvent, cookie, what);
        }
    }

    /// <summary>
    /// Attaches a uprobe (or uretprobe) program to <paramref name="symbol"/> in the ELF file
    /// <paramref name="binaryPath"/> (an executable or shared library), through the uprobe PMU.
    /// </summary>
    /// <param name="program">A loaded <see cref="BpfProgramType.Kprobe"/> program (uprobes use the kprobe type).</param>
    /// <param name="binaryPath">The executable or library; the symbol's file offset is read from its symbol table.</param>
    /// <param name="symbol">A function symbol in <c>.symtab</c> or <c>.dynsym</c>.</param>
    /// <param name="isReturnProbe">True for a uretprobe.</param>
    /// <param name="processId">Only this process (-1, the default, for every process that maps the file).</param>
    /// <param name="cookie">Value the program reads with <c>bpf_get_attach_cookie</c>.</param>
    /// <exception cref="BpfAttachException">Symbol not found, no uprobe PMU, or the kernel refused.</exception>
    /// <exception cref="BpfFormatException">The file is not a valid ELF file.</exception>
    public static PerfEventLink Uprobe(BpfProgram program, string binaryPath, string symbol, bool isReturnProbe = false, int processId = -1, ulong cookie = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(symbol);
        var offset = ElfSymbolResolver.FileOffset(binaryPath, symbol);
        return UprobeAtOffset(program, binaryPath, offset, isReturnProbe, processId, cookie);
    }

    /// <summary>Attaches a uprobe at a raw file offset in <paramref name="binaryPath"/>.</summary>
    /// <param name="program">A loaded kprobe-type program.</param>
    /// <param name="binaryPath">The executable or library.</param>
    /// <param name="fileOffset">The file offset of the probed instruction.</param>
    /// <param name="isReturnProbe">True for a uretprobe.</param>
    /// <param name="processId">Only this process (-1 for every process that maps the file).</param>
    /// <param name="cookie">Value the program reads with <c>bpf_get_attach_cookie</c>.</param>
    /// <param name="referenceCounterOffset">The file offset of a USDT semaphore the kernel increments while the
    /// probe is attached (<c>ref_ctr_offset</c>, Linux 4.20), 0 for none.</param>
    /// <exception cref="BpfAttachException">No uprobe PMU, or the kernel refused.</exception>
    public static unsafe PerfEventLink UprobeAtOffset(BpfProgram program, string binaryPath, ulong fileOffset, bool isReturnProbe = false, int processId = -1, ulong cookie = 0,
        ulong referenceCounterOffset = 0)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentException.ThrowIfNullOrEmpty(binaryPath);
        var pmu = DynamicPmu.Read("uprobe");
        var path = CString(Path.GetFullPath(binaryPath));
        fixed (byte* p = path)
        {
            var attr = new PerfEventAttr
            {
                Type = pmu.Type,
                // PERF_UPROBE_REF_CTR_OFFSET_SHIFT: the semaphore offset rides in config's upper 32 bits.
                Config = (isReturnProbe ? pmu.ReturnProbeConfig : 0) | (referenceCounterOffset << 32),
                Config1 = (ulong)p,
                Config2 = fileOffset,
                SamplePeriod = 1,
                WakeupEvents = 1,
            };
            var what = $"{(isReturnProbe ? "uretprobe" : "uprobe")} on {binaryPath}+0x{fileOffset:x}";
            // A process-wide probe uses any CPU; a system-wide one is opened on CPU 0 (it fires on every CPU).
            var perfEvent = OpenPerfEvent(ref attr, processId, processId == -1 ? 0 : -1, what);
            return AttachToPerfEvent(program, perfEvent, cookie, what);
        }
    }

    /// <summary>
    /// Attaches a tracepoint program to <paramref name="category"/>/<paramref name="name"/> (e.g. "syscalls",
    /// "sys_enter_getpid"). The tracepoint id is read from tracefs, which must already be mounted at
    /// <c>/sys/kernel/tracing</c> or <c>/sys/kernel/debug/tracing</c>; nothing is mounted here.
    /// </summary>
    /// <exception cref="BpfAttachException">tracefs is not mounted, the tracepoint does not exist, or the kernel refused.</exception>
    public static PerfEventLink Tracepoint(BpfProgram program, string category, string name, ulong cookie = 0)
    {
        var id = Tracefs.TracepointId(category, name);
        return Tracepoint(program, id, cookie, $"tracepoint {category}/{name}");
    }

    /// <summary>Attaches a tracepoint program to the tracepoint with the given tracefs id (<c>events/CAT/NAME/id</c>).</summary>
    /// <exception cref="BpfAttachException">The kernel refused.</exception>
    public static PerfEventLink Tracepoint(BpfProgram program, int tracepointId, ulong cookie = 0) =>
        Tracepoint(program, tracepointId, cookie, $"tracepoint id {tracepointId}");

    private static PerfEventLink Tracepoint(BpfProgram program, int tracepointId, ulong cookie, string what)
    {
        ArgumentNullException.ThrowIfNull(program);
        var attr = new PerfEventAttr
        {
            Type = PerfEventAttr.TypeTracepoint,
            Config = (ulong)tracepointId,
            SamplePeriod = 1,
            WakeupEvents = 1,
        };
        var perfEvent = OpenPerfEvent(ref attr, pid: -1, cpu: 0, what);
        return AttachToPerfEvent(program, perfEvent, cookie, what);
    }

    /// <summary>
    /// Opens a software sampling event on one CPU (<c>PERF_TYPE_SOFTWARE</c>, e.g. cpu-clock) and attaches a
    /// <see cref="BpfProgramType.PerfEvent"/> program to it; the program runs on every sample.
    /// </summary>
    /// <param name="program">A loaded perf_event program.</param>
    /// <param name="cpu">The CPU to sample.</param>
    /// <param name="softwareEvent">The software event (0 = cpu-clock, 1 = task-clock, ...).</param>
    /// <param name="frequency">Samples per second (<c>sample_freq</c>).</param>
    /// <exception cref="BpfAttachException">The kernel refused.</exception>
    public static PerfEventLink SoftwareEvent(BpfProgram program, int cpu, PerfSoftwareEvent softwareEvent = PerfSoftwareEvent.CpuClock, ulong frequency = 1000)
    {
        ArgumentNullException.ThrowIfNull(program);
        var attr = new PerfEventAttr
        {
            Type = PerfEventAttr.TypeSoftware,
            Config = (ulong)softwareEvent,
            SamplePeriod = frequency,
            Flags = PerfEventAttr.FlagFreq,
        };
        var what = $"software event {softwareEvent} on CPU {cpu}";
        var perfEvent = OpenPerfEvent(ref attr, pid: -1, cpu, what);
        return AttachToPerfEvent(program, perfEvent, 0, what);
    }

    /// <summary>
    /// Opens the software sampling event on every online CPU and attaches <paramref name="program"/> to each, as
    /// a profiler does (one perf event and one link per CPU). Disposing the group detaches them all; if any CPU
    /// fails, the ones already attached are detached before the error propagates.
    /// </summary>
    /// <exception cref="BpfAttachException">The kernel refused on some CPU (the message names it).</exception>
    public static BpfLinkGroup SoftwareEventOnEveryCpu(BpfProgram program, PerfSoftwareEvent softwareEvent = PerfSoftwareEvent.CpuClock, ulong frequency = 1000)
    {
        ArgumentNullException.ThrowIfNull(program);
        var links = new List<BpfLink>();
        try
        {
            foreach (var cpu in PossibleCpus.Online()) links.Add(SoftwareEvent(program, cpu, softwareEvent, frequency));
            return new BpfLinkGroup(links);
        }
        catch
        {
            for (var i = links.Count - 1; i >= 0; i--) links[i].Dispose();
            throw;
        }
    }

    /// <summary>
    /// Attaches a program to a perf event fd the caller opened. The link takes its own duplicate reference by
    /// keeping <paramref name="perfEvent"/> alive; dispose the link before the handle.
    /// </summary>
    public static PerfEventLink Attach(BpfProgram program, BpfFileDescriptor perfEvent, ulong cookie = 0)
    {
        ArgumentNullException.ThrowIfNull(perfEvent);
        return AttachToPerfEvent(program, perfEvent, cookie, "perf event", ownsPerfEvent: false);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownsPerfEvent) _perfEvent.Dispose();
    }

    private bool _ownsPerfEvent = true;

    internal static BpfFileDescriptor OpenPerfEvent(ref PerfEventAttr attr, int pid, int cpu, string what)
    {
        var fd = LibC.PerfEventOpen(ref attr, pid, cpu, -1, LibC.PerfFlagFdCloexec);
        if (fd < 0) throw new BpfAttachException($"perf_event_open for {what} failed", -fd);
        return new BpfFileDescriptor(fd);
    }

    private static PerfEventLink AttachToPerfEvent(BpfProgram program, BpfFileDescriptor perfEvent, ulong cookie, string what, bool ownsPerfEvent = true)
    {
        try
        {
            using var perfLease = perfEvent.Borrow();
            BpfFileDescriptor? link = null;
            using (var progLease = program.FileDescriptor.Borrow())
            {
                var attr = new LinkCreateAttr
                {
                    ProgFd = (uint)progLease.Fd,
                    TargetFd = (uint)perfLease.Fd,
                    AttachType = (uint)BpfAttachType.PerfEvent,
                    PerfEventBpfCookie = cookie,
                };
                var result = BpfSyscall.TryBpf(BpfCommand.LinkCreate, ref attr);
                if (result >= 0) link = new BpfFileDescriptor(result);
                else if (result != -Errno.EINVAL && result != -Errno.EOPNOTSUPP && result != -Errno.ENOTSUPP)
                    BpfSyscall.ThrowFailed(BpfCommand.LinkCreate, -result);
                else
                {
                    // Kernels before 5.15: attach through the perf event itself.
                    if (cookie != 0) throw new BpfAttachException($"{what}: this kernel cannot attach with a BPF cookie", -result);
                    if (LibC.Ioctl(perfLease.Fd, LibC.PerfEventIocSetBpf, (ulong)progLease.Fd) < 0)
                        throw new BpfAttachException($"PERF_EVENT_IOC_SET_BPF for {what} failed", System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
                }
            }
            if (LibC.Ioctl(perfLease.Fd, LibC.PerfEventIocEnable, 0) < 0)
            {
                var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                link?.Dispose();
                throw new BpfAttachException($"PERF_EVENT_IOC_ENABLE for {what} failed", errno);
            }
            try
            {
                return new PerfEventLink(link, perfEvent) { _ownsPerfEvent = ownsPerfEvent };
            }
            catch
            {
                link?.Dispose();
                throw;
            }
        }
        catch
        {
            if (ownsPerfEvent) perfEvent.Dispose();
            throw;
        }
    }
}
