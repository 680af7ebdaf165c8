using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Loading;
using BpfSharp.Tests.Objects;

namespace BpfSharp.Tests.Runtime;

// Programs with an attach target that is another BPF program (freplace; fentry/fexit on a BPF function): libbpf's
// bpf_program__set_attach_target in a native harness (native/attach_target.c) against our SetAttachTarget, both
// under strace. The same target object gives both loaders the same BTF, so attach_btf_id must match exactly.
public sealed partial class RefusedTracingParityTests
{
    [Theory]
    [InlineData("replacement", "drop_all", "BPF_PROG_TYPE_EXT", "BPF_CGROUP_INET_INGRESS")]
    [InlineData("trace_target", "on_decide", "BPF_PROG_TYPE_TRACING", "BPF_TRACE_FENTRY")]
    [InlineData("trace_target", "after_decide", "BPF_PROG_TYPE_TRACING", "BPF_TRACE_FEXIT")]
    public void ProgramLoadWithABpfTargetMatchesLibbpf(string source, string program, string progType, string attachType)
    {
        KernelObjects.RequireBpf();
        string Obj(string name) => LoaderObjects.Compile(Path.Combine(TestPaths.TestData, "runtime", "freplace", name + ".c"), mustCompile: true)!;
        var harness = AttachTargetHarness();
        var theirs = FirstLoad(Traced(harness, [Obj("target"), "verdict", Obj(source), "decide", program]), program);

        using var target = BpfCollection.Load(Obj("target"));
        var loader = new BpfObjectLoader(ObjectSpec.Load(Obj(source)));
        foreach (var name in loader.Autoload.Keys.ToArray())
        {
            loader.SetAttachTarget(name, target.Programs["verdict"], "decide");
            loader.SetAutoload(name, name == program); // libbpf stops at the first refused program: one at a time
        }
        string ourResult = "";
        var trace = SelfTrace.Bpf(() =>
        {
            try
            {
                using var loaded = loader.Load();
                ourResult = "loaded";
            }
            catch (BpfLoadException e)
            {
                ourResult = e.Message;
            }
        });
        var ours = FirstLoad(trace, program);

        Assert.Equal(progType, theirs.Fields["prog_type"]);
        Assert.Equal(attachType, theirs.Fields["expected_attach_type"]);
        Assert.NotEqual("0", theirs.Fields["attach_btf_id"]);
        // The fd numbers differ by process; both must name a program.
        Assert.NotEqual("0", theirs.Fields["attach_prog_fd"]);
        Assert.NotEqual("0", ours.Fields["attach_prog_fd"]);
        foreach (var field in Compared.Where(f => f != "attach_prog_fd"))
            Assert.True(theirs.Fields.GetValueOrDefault(field) == ours.Fields.GetValueOrDefault(field),
                $"{field}: libbpf {theirs.Fields.GetValueOrDefault(field)}, ours {ours.Fields.GetValueOrDefault(field)}");
        Assert.Equal(theirs.Result, ours.Result);
        output.WriteLine($"{source}/{program}: BPF_PROG_LOAD {string.Join(", ", Compared.Select(f => $"{f}={ours.Fields.GetValueOrDefault(f)}"))} = {ours.Result} with both loaders ({ourResult})");
        if (ours.Result.Contains("EPERM", StringComparison.Ordinal))
            output.WriteLine($"{source}/{program}: the kernel refuses this program type to libbpf too (EPERM), so the link step (BPF_LINK_CREATE) is not exercised");
    }

    private static readonly Lazy<string> Harness = new(() =>
    {
        var output = Path.Combine(TestPaths.NewScratchDirectory("attach_target"), "attach_target");
        TestObjects.Run("gcc", $"-O2 -std=gnu11 -o {TestObjects.Quote(output)} {TestObjects.Quote(Path.Combine(TestPaths.RepoRoot, "native", "attach_target.c"))} -l:libbpf.a -lelf -lz");
        return output;
    });

    private static string AttachTargetHarness() => Harness.Value;
}
