namespace BpfSharp.Linux.Links;

/// <summary>
/// Attaches a program the way its ELF section name says, as libbpf's auto-attach does for the self-describing
/// kinds: <c>tp/CAT/NAME</c> and <c>tracepoint/CAT/NAME</c>, <c>raw_tp/NAME</c> and <c>raw_tracepoint/NAME</c> (and their
/// writable <c>.w</c> forms), <c>tp_btf/NAME</c>, <c>kprobe/FUNC</c> and <c>kretprobe/FUNC</c>, <c>uprobe/PATH:SYMBOL</c> and
/// <c>uretprobe/PATH:SYMBOL</c>, <c>kprobe.multi/PATTERN</c> and <c>kretprobe.multi/PATTERN</c>,
/// <c>uprobe.multi/PATH:PATTERN</c> and <c>uretprobe.multi/PATH:PATTERN</c> (and their sleepable <c>.s</c> forms),
/// <c>iter/TARGET</c> (with no parameter), <c>fentry/FUNC</c>, <c>fexit/FUNC</c>, <c>fmod_ret/FUNC</c> (and <c>.s</c>),
/// <c>lsm/HOOK</c> and <c>lsm.s/HOOK</c>, <c>freplace/FUNC</c> (on the target given at load).
/// <c>usdt/PATH:PROVIDER:NAME</c> needs its object's spec maps: see <see cref="AttachUsdt"/>. Sections that need a target from the caller (xdp, tc, cgroup, sockops,
/// sk_msg, sk_skb, sk_lookup, ...) attach with <see cref="Attach(BpfProgram, string, AttachTarget)"/>.
/// </summary>
public static partial class SectionAttach
{
    /// <summary>True when <paramref name="sectionName"/> names its own attach point.</summary>
    public static bool CanAttach(string sectionName) => Split(sectionName).Kind is not null;

    /// <summary>Attaches <paramref name="program"/> according to <paramref name="sectionName"/>.</summary>
    /// <exception cref="NotSupportedException">The section does not say where to attach.</exception>
    /// <exception cref="BpfAttachException">Attaching failed outside bpf().</exception>
    /// <exception cref="BpfSyscallException">The kernel refused.</exception>
    public static BpfLink Attach(BpfProgram program, string sectionName)
    {
        ArgumentNullException.ThrowIfNull(program);
        var (kind, target) = Split(sectionName);
        switch (kind)
        {
            case "tp":
            case "tracepoint":
            {
                var slash = target.IndexOf('/');
                if (slash <= 0) throw new NotSupportedException($"section '{sectionName}': expected {kind}/CATEGORY/NAME");
                return PerfEventLink.Tracepoint(program, target[..slash], target[(slash + 1)..]);
            }
            case "raw_tp":
            case "raw_tracepoint":
            case "raw_tp.w":
            case "raw_tracepoint.w":
                // libbpf's attach_raw_tp serves the writable kinds too: the same open by name, the program type differs.
                return RawTracepointLink.Attach(program, target);
            case "tp_btf":
                // libbpf's attach_trace: BPF_LINK_CREATE with BPF_TRACE_RAW_TP, and BPF_RAW_TRACEPOINT_OPEN only where
                // the kernel has no such link (EINVAL before 5.x); the fd is a raw_tracepoint link either way.
                return TracingLink.Attach(program);
            case "kprobe":
            case "kretprobe":
                return PerfEventLink.Kprobe(program, target, isReturnProbe: kind == "kretprobe");
            case "uprobe":
            case "uretprobe":
            {
                var colon = target.LastIndexOf(':');
                if (colon <= 0) throw new NotSupportedException($"section '{sectionName}': expected {kind}/PATH:SYMBOL");
                return PerfEventLink.Uprobe(program, target[..colon], target[(colon + 1)..], isReturnProbe: kind == "uretprobe");
            }
            case "kprobe.multi":
            case "kretprobe.multi":
                return KprobeMultiLink.Attach(program, target, isReturnProbe: kind == "kretprobe.multi");
            case "uprobe.multi":
            case "uretprobe.multi":
            case "uprobe.multi.s":
            case "uretprobe.multi.s":
            {
                var colon = target.LastIndexOf(':');
                if (colon <= 0 || colon == target.Length - 1) throw new NotSupportedException($"section '{sectionName}': expected {kind}/PATH:FUNCTION_PATTERN");
                return UprobeMultiLink.Attach(program, target[..colon], target[(colon + 1)..], isReturnProbe: kind.StartsWith("uretprobe", StringComparison.Ordinal));
            }
            case "iter":
            case "iter.s":
                return IterLink.Attach(program);
            case "fentry" or "fexit" or "fmod_ret" or "fentry.s" or "fexit.s" or "fmod_ret.s" or "lsm" or "lsm.s" or "freplace":
                return TracingLink.Attach(program);
            default:
                if (TryParseUsdt(sectionName, out _, out _, out _))
                    throw new NotSupportedException($"section '{sectionName}': a USDT program attaches through its object's spec maps (BpfObject.AttachUsdt or AttachAll)");
                throw new NotSupportedException($"section '{sectionName}' does not name an attach point; attach the program explicitly");
        }
    }

    /// <summary>
    /// Splits a <c>usdt/PATH:PROVIDER:NAME</c> (or <c>usdt.s/...</c>) section name as libbpf's <c>attach_usdt</c>
    /// does; false for a bare <c>usdt</c> section, which libbpf leaves for the caller to attach.
    /// </summary>
    public static bool TryParseUsdt(string sectionName, out string binaryPath, out string provider, out string name)
    {
        ArgumentNullException.ThrowIfNull(sectionName);
        binaryPath = provider = name = "";
        var slash = sectionName.IndexOf('/');
        if (slash <= 0 || sectionName[..slash] is not ("usdt" or "usdt.s")) return false;
        var parts = sectionName[(slash + 1)..].Split(':');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0)) return false;
        (binaryPath, provider, name) = (parts[0], parts[1], parts[2]);
        return true;
    }

    /// <summary>
    /// Attaches a <c>usdt/PATH:PROVIDER:NAME</c> program through its object's USDT spec maps (see
    /// <see cref="UsdtManager.Attach"/>); <see cref="Loading.BpfObject.AttachAll"/> does this for every such section.
    /// </summary>
    /// <exception cref="NotSupportedException">The section is not a complete <c>usdt/PATH:PROVIDER:NAME</c>.</exception>
    /// <exception cref="BpfAttachException">Attaching failed.</exception>
    public static UsdtLink AttachUsdt(BpfProgram program, string sectionName, UsdtManager manager)
    {
        ArgumentNullException.ThrowIfNull(manager);
        if (!TryParseUsdt(sectionName, out var path, out var provider, out var name))
            throw new NotSupportedException($"section '{sectionName}': expected usdt/PATH:PROVIDER:NAME");
        return manager.Attach(program, path, provider, name);
    }

    private static (string? Kind, string Target) Split(string sectionName)
    {
        ArgumentNullException.ThrowIfNull(sectionName);
        var slash = sectionName.IndexOf('/');
        if (slash <= 0 || slash == sectionName.Length - 1) return (null, "");
        var kind = sectionName[..slash];
        var known = kind is "tp" or "tracepoint" or "raw_tp" or "raw_tracepoint" or "raw_tp.w" or "raw_tracepoint.w" or "tp_btf" or "kprobe" or "kretprobe" or "uprobe" or "uretprobe"
            or "kprobe.multi" or "kretprobe.multi" or "uprobe.multi" or "uretprobe.multi" or "uprobe.multi.s" or "uretprobe.multi.s" or "iter" or "iter.s"
            or "fentry" or "fexit" or "fmod_ret" or "fentry.s" or "fexit.s" or "fmod_ret.s" or "lsm" or "lsm.s" or "freplace";
        return (known ? kind : null, sectionName[(slash + 1)..]);
    }
}
