using BpfSharp.Objects;

namespace BpfSharp.Tests.Objects;

public class ProgramSectionDefinitionTests
{
    // Definitions added after libbpf 1.1 (the libbpf on the test machines): 1.1 does not know these names.
    private static readonly HashSet<string> NewerThanLibbpf11 =
    [
        "kprobe.session+", "uprobe.multi+", "uretprobe.multi+", "uprobe.session+", "uprobe.multi.s+", "uretprobe.multi.s+",
        "uprobe.session.s+", "tc/ingress", "tc/egress", "tcx/ingress", "tcx/egress", "netkit/primary", "netkit/peer",
        "cgroup/connect_unix", "cgroup/sendmsg_unix", "cgroup/recvmsg_unix", "cgroup/getpeername_unix",
        "cgroup/getsockname_unix", "netfilter", "struct_ops.s+", "usdt.s+", "sk_skb/verdict",
    ];

    private static IEnumerable<string> SampleNames()
    {
        foreach (var d in ProgramSectionDefinition.All)
        {
            string stem = d.Prefix.TrimEnd('+');
            yield return stem;
            yield return stem + "/do_sys_open";
            yield return stem + "x";
            yield return stem + ".x/y";
        }
        yield return "license";
        yield return ".text";
        yield return "kprobe";
    }

    /// <summary>Every sample name maps to what libbpf's libbpf_prog_type_by_name says, except definitions libbpf 1.1 predates.</summary>
    [Fact]
    public void MatchesLibbpf()
    {
        var names = SampleNames().Distinct().ToList();
        var lines = TestObjects.Run(ObjectSpecTests.LibbpfDump.Value, "--sec " + string.Join(' ', names.Select(TestObjects.Quote)))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(names.Count, lines.Length);
        int compared = 0;
        var failures = new List<string>();
        for (int i = 0; i < names.Count; i++)
        {
            var ours = ProgramSectionDefinition.Find(names[i]);
            string libbpf = lines[i];
            if (ours is not null && NewerThanLibbpf11.Contains(ours.Prefix)) continue;
            if (libbpf.EndsWith(" none", StringComparison.Ordinal))
            {
                // libbpf 1.1 may still lack a newer definition that our table matches first.
                if (ours is not null) failures.Add($"{names[i]}: libbpf 1.1 knows no definition, ours is {ours.Prefix}");
                continue;
            }
            string mine = ours is null ? $"sec {names[i]} none" : $"sec {names[i]} {(int)ours.ProgramType} {(int)ours.ExpectedAttachType}";
            if (mine != libbpf) failures.Add($"libbpf: {libbpf}; ours: {mine} ({ours?.Prefix})");
            compared++;
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.True(compared > 100, $"only {compared} names compared");
    }

    [Theory]
    [InlineData("kprobe/do_nanosleep", BpfProgramType.Kprobe)]
    [InlineData("kprobe.multi/do_*", BpfProgramType.Kprobe)]
    [InlineData("tp/syscalls/sys_enter_getpid", BpfProgramType.Tracepoint)]
    [InlineData("xdp.frags", BpfProgramType.Xdp)]
    [InlineData("tcx/ingress", BpfProgramType.SchedCls)]
    [InlineData("fentry.s/do_unlinkat", BpfProgramType.Tracing)]
    public void KnownNames(string name, BpfProgramType type) => Assert.Equal(type, ProgramSectionDefinition.Find(name)!.ProgramType);

    [Fact]
    public void PrefixRules()
    {
        Assert.Null(ProgramSectionDefinition.Find("kprobex"));        // '+' needs end or '/'
        Assert.Null(ProgramSectionDefinition.Find("socket/x"));       // exact
        Assert.NotNull(ProgramSectionDefinition.Find("kprobe"));      // '+' bare
        Assert.Equal(ProgramSectionFlags.Sleepable | ProgramSectionFlags.AttachBtf, ProgramSectionDefinition.Find("lsm.s/file_open")!.Flags);
    }
}
