namespace BpfSharp.Linux.Loading;

/// <summary>Extra properties a section definition gives a program (libbpf's <c>SEC_*</c> flags).</summary>
[Flags]
public enum ProgramSectionFlags
{
    /// <summary>Nothing special.</summary>
    None = 0,
    /// <summary>The attach target is a kernel BTF id derived from the text after the prefix (fentry, tp_btf, lsm, iter).</summary>
    AttachBtf = 1 << 0,
    /// <summary>Loaded with <c>BPF_F_SLEEPABLE</c>.</summary>
    Sleepable = 1 << 1,
    /// <summary>Loaded with <c>BPF_F_XDP_HAS_FRAGS</c>.</summary>
    XdpFrags = 1 << 2,
    /// <summary>A USDT program (<c>usdt/</c>): loaded for uprobe.multi when the kernel has it, attached through the object's USDT spec maps.</summary>
    Usdt = 1 << 3,
}

/// <summary>One row of the section-name table.</summary>
/// <param name="Pattern">libbpf's pattern: a trailing '+' matches the name alone or followed by '/...'; a trailing '/'
/// needs extra text; anything else must match exactly.</param>
/// <param name="ProgramType">The program type.</param>
/// <param name="ExpectedAttachType">The expected attach type (null: none).</param>
/// <param name="Flags">Extra properties.</param>
public sealed record ProgramSectionDefinition(string Pattern, BpfProgramType ProgramType, BpfAttachType? ExpectedAttachType,
    ProgramSectionFlags Flags = ProgramSectionFlags.None)
{
    /// <summary>True if <paramref name="sectionName"/> (without a leading '?') matches this row (libbpf's <c>sec_def_matches</c>).</summary>
    public bool Matches(string sectionName)
    {
        var p = Pattern;
        if (p.EndsWith('/')) return sectionName.StartsWith(p, StringComparison.Ordinal);
        if (p.EndsWith('+'))
        {
            var prefix = p.AsSpan(0, p.Length - 1);
            if (!sectionName.AsSpan().StartsWith(prefix, StringComparison.Ordinal)) return false;
            return sectionName.Length == prefix.Length || sectionName[prefix.Length] == '/';
        }
        return sectionName == p;
    }

    /// <summary>The text after the pattern's prefix and its '/' (the attach target, e.g. the function of <c>fentry/do_unlinkat</c>), or empty.</summary>
    public string TargetOf(string sectionName)
    {
        int len = Pattern.TrimEnd('+', '/').Length;
        return sectionName.Length > len + 1 ? sectionName[(len + 1)..] : "";
    }
}

/// <summary>
/// The runtime view of the object layer's section table (<see cref="BpfSharp.Objects.ProgramSectionDefinition"/>,
/// libbpf's <c>section_defs</c>): the same rows, with the runtime's flags and a nullable expected attach type.
/// </summary>
public static class ProgramSectionTable
{
    private static readonly ProgramSectionDefinition[] Rows = [.. BpfSharp.Objects.ProgramSectionDefinition.All.Select(Convert)];

    /// <summary>All rows, in matching order.</summary>
    public static IReadOnlyList<ProgramSectionDefinition> Definitions => Rows;

    /// <summary>The row for a section name (a leading '?' — not autoloaded — is ignored), or null if no row matches.</summary>
    public static ProgramSectionDefinition? Find(string sectionName)
    {
        ArgumentNullException.ThrowIfNull(sectionName);
        if (sectionName.StartsWith('?')) sectionName = sectionName[1..];
        foreach (var row in Rows) if (row.Matches(sectionName)) return row;
        return null;
    }

    private static ProgramSectionDefinition Convert(BpfSharp.Objects.ProgramSectionDefinition d)
    {
        var f = d.Flags;
        var flags = ProgramSectionFlags.None;
        if (f.HasFlag(BpfSharp.Objects.ProgramSectionFlags.AttachBtf)) flags |= ProgramSectionFlags.AttachBtf;
        if (f.HasFlag(BpfSharp.Objects.ProgramSectionFlags.Sleepable)) flags |= ProgramSectionFlags.Sleepable;
        if (f.HasFlag(BpfSharp.Objects.ProgramSectionFlags.XdpFrags)) flags |= ProgramSectionFlags.XdpFrags;
        if (f.HasFlag(BpfSharp.Objects.ProgramSectionFlags.Usdt)) flags |= ProgramSectionFlags.Usdt;
        // Attach type 0 doubles as "none" in libbpf's table; it only means BPF_CGROUP_INET_INGRESS for attachable rows.
        bool hasAttach = d.ExpectedAttachType != BpfAttachType.CgroupInetIngress || f.HasFlag(BpfSharp.Objects.ProgramSectionFlags.Attachable) ||
            f.HasFlag(BpfSharp.Objects.ProgramSectionFlags.AttachBtf);
        return new ProgramSectionDefinition(d.Prefix, d.ProgramType, hasAttach ? d.ExpectedAttachType : null, flags);
    }
}
