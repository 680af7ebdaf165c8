namespace BpfSharp.Kernel;

/// <summary>
/// Marks a static method as a BPF program placed in the ELF section <see cref="Section"/>, named as libbpf names
/// program sections (<c>kprobe/do_unlinkat</c>, <c>xdp</c>, <c>tp_btf/sched_switch</c>, …). The specific
/// attributes (<see cref="KprobeAttribute"/>, <see cref="XdpAttribute"/>, …) are shorthands for the common kinds.
/// The method takes the program's context pointer (or nothing) and returns <c>int</c> (or <c>long</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public class BpfProgramAttribute(string section) : Attribute
{
    /// <summary>The libbpf section name.</summary>
    public string Section { get; } = section;
}

/// <summary><c>SEC("kprobe/FUNCTION")</c>: a kprobe on a kernel function; the context is <see cref="PtRegs"/>.</summary>
public sealed class KprobeAttribute(string function) : BpfProgramAttribute("kprobe/" + function);

/// <summary><c>SEC("kretprobe/FUNCTION")</c>: a return probe on a kernel function.</summary>
public sealed class KretprobeAttribute(string function) : BpfProgramAttribute("kretprobe/" + function);

/// <summary><c>SEC("uprobe/…")</c> (or <c>uprobe</c> alone, attached by the loader to a binary and offset).</summary>
public sealed class UprobeAttribute(string target = "") : BpfProgramAttribute(target.Length == 0 ? "uprobe" : "uprobe/" + target);

/// <summary><c>SEC("uretprobe/…")</c>.</summary>
public sealed class UretprobeAttribute(string target = "") : BpfProgramAttribute(target.Length == 0 ? "uretprobe" : "uretprobe/" + target);

/// <summary><c>SEC("tracepoint/CATEGORY/NAME")</c>: a classic tracepoint; the context is the tracepoint's record.</summary>
public sealed class TracepointAttribute(string categoryAndName) : BpfProgramAttribute("tracepoint/" + categoryAndName);

/// <summary><c>SEC("raw_tp/NAME")</c>: a raw tracepoint; the context holds the raw arguments as u64s.</summary>
public sealed class RawTracepointAttribute(string name) : BpfProgramAttribute("raw_tp/" + name);

/// <summary>
/// <c>SEC("raw_tp.w/NAME")</c>: a writable raw tracepoint (<c>BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE</c>): args[0] is
/// the tracepoint's buffer, which it may write. The kernel attaches it only where the program reads no more of that
/// buffer than the tracepoint's writable size (0 for ordinary tracepoints: there, a program that leaves args[0] alone).
/// </summary>
public sealed class RawTracepointWritableAttribute(string name) : BpfProgramAttribute("raw_tp.w/" + name);

/// <summary><c>SEC("tp_btf/NAME")</c>: a BTF-typed raw tracepoint; its arguments may be dereferenced directly.</summary>
public sealed class TpBtfAttribute(string name) : BpfProgramAttribute("tp_btf/" + name);

/// <summary><c>SEC("fentry/FUNCTION")</c>.</summary>
public sealed class FentryAttribute(string function) : BpfProgramAttribute("fentry/" + function);

/// <summary><c>SEC("fexit/FUNCTION")</c>.</summary>
public sealed class FexitAttribute(string function) : BpfProgramAttribute("fexit/" + function);

/// <summary><c>SEC("perf_event")</c>.</summary>
public sealed class PerfEventAttribute() : BpfProgramAttribute("perf_event");

/// <summary><c>SEC("xdp")</c>: the context is <see cref="XdpMd"/>; return an <see cref="XdpAction"/>.</summary>
public sealed class XdpAttribute() : BpfProgramAttribute("xdp");

/// <summary><c>SEC("tc")</c> (a tc classifier, also attachable as tcx); the context is <see cref="SkBuff"/>.</summary>
public sealed class TcAttribute() : BpfProgramAttribute("tc");

/// <summary><c>SEC("socket")</c>: a socket filter; the context is <see cref="SkBuff"/>.</summary>
public sealed class SocketFilterAttribute() : BpfProgramAttribute("socket");

/// <summary><c>SEC("cgroup_skb/ingress")</c> or <c>egress</c>.</summary>
public sealed class CgroupSkbAttribute(string direction) : BpfProgramAttribute("cgroup_skb/" + direction);

/// <summary><c>SEC("syscall")</c>: a sleepable program run by user space (BPF_PROG_TEST_RUN) with a context of its
/// own choosing; it may call the kfuncs registered for syscall programs (tasks, cgroups, arenas, …).</summary>
public sealed class SyscallProgramAttribute() : BpfProgramAttribute("syscall");

/// <summary><c>SEC("iter/TARGET")</c>, e.g. <c>task</c>.</summary>
public sealed class IterAttribute(string target) : BpfProgramAttribute("iter/" + target);
