using System.Text.Json;
using BpfSharp.Linux;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Loading;

namespace BpfSharp.Tests.Runtime;

/// <summary>
/// freplace for real: an XDP program whose verdict comes from its global function <c>decide</c> (XDP_PASS), an
/// extension program loaded against it (<c>attach_prog_fd</c> + the FUNC id from the target's BTF) that returns
/// XDP_DROP. <c>BPF_PROG_TEST_RUN</c> of the unchanged target shows which code runs; bpftool shows the link.
/// fentry/fexit on the same BPF function go through the same target lookup and the tracing link.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class FreplaceTests(ITestOutputHelper output)
{
    private const uint XdpDrop = 1, XdpPass = 2;

    private static string Object(string name) =>
        LoaderObjects.Compile(Path.Combine(TestPaths.TestData, "runtime", "freplace", name + ".c"), mustCompile: true)!;

    [Fact]
    public void FreplaceLinkReplacesTheTargetsFunctionUntilDisposed()
    {
        KernelObjects.RequireBpf();
        using var target = BpfCollection.Load(Object("target"));
        var verdict = target.Programs["verdict"];
        Assert.Equal(XdpPass, verdict.TestRun(new byte[64]).ReturnValue);

        var loader = new BpfObjectLoader(ObjectSpec.Load(Object("replacement")));
        loader.SetAttachTarget("drop_all", verdict, "decide");
        using var ext = LoadOrSkip(loader);
        var dropAll = ext.Programs["drop_all"];
        Assert.Equal(BpfProgramType.Ext, dropAll.Type);
        var info = BpfSharp.Linux.Inspection.BpfProgramInfo.Read(dropAll.FileDescriptor);
        Assert.Equal(verdict.FindFunctionBtfId("decide"), info.AttachBtfId);

        int linkId;
        using (var link = SectionAttach.Attach(dropAll, "freplace/decide"))
        {
            linkId = link.Id;
            Assert.IsType<TracingLink>(link);
            Assert.Equal(XdpDrop, verdict.TestRun(new byte[64]).ReturnValue);
            Assert.Equal(XdpDrop, verdict.TestRun(new byte[64]).ReturnValue);
            Assert.Equal(2ul, ext.ReadVariable<ulong>("calls"));
            // bpftool's view of the link: a tracing link of the extension, attached to the target program.
            using var json = JsonDocument.Parse(KernelObjects.Bpftool("link", "show", "id", linkId.ToString(), "-j"));
            Assert.Equal("tracing", json.RootElement.GetProperty("type").GetString());
            Assert.Equal(dropAll.Id, json.RootElement.GetProperty("prog_id").GetInt32());
            output.WriteLine($"freplace link {linkId}: {json.RootElement}");
        }
        Assert.Equal(XdpPass, verdict.TestRun(new byte[64]).ReturnValue);
        Assert.Equal(2ul, ext.ReadVariable<ulong>("calls"));
        KernelObjects.AssertGone("link", linkId);
    }

    [Fact]
    public void FreplaceAttachesToASecondTargetWithTheSamePrototype()
    {
        KernelObjects.RequireBpf();
        using var first = BpfCollection.Load(Object("target"));
        using var second = BpfCollection.Load(Object("target"));
        var loader = new BpfObjectLoader(ObjectSpec.Load(Object("replacement")));
        loader.SetAttachTarget("drop_all", first.Programs["verdict"], "decide");
        using var ext = LoadOrSkip(loader);
        using (var link = TracingLink.AttachFreplace(ext.Programs["drop_all"], second.Programs["verdict"], "decide"))
        {
            Assert.Equal(XdpDrop, second.Programs["verdict"].TestRun(new byte[64]).ReturnValue);
            Assert.Equal(XdpPass, first.Programs["verdict"].TestRun(new byte[64]).ReturnValue);
        }
        Assert.Equal(XdpPass, second.Programs["verdict"].TestRun(new byte[64]).ReturnValue);
    }

    [Fact]
    public void FreplaceWithoutATargetFailsAsLibbpfDoesNamingTheProgram()
    {
        KernelObjects.RequireBpf();
        var e = Assert.Throws<BpfLoadException>(() => BpfCollection.Load(Object("replacement")));
        Assert.Contains("prog 'drop_all': attach program FD is not set", e.Message);

        using var target = BpfCollection.Load(Object("target"));
        var loader = new BpfObjectLoader(ObjectSpec.Load(Object("replacement")));
        loader.SetAttachTarget("drop_all", target.Programs["verdict"], "no_such_function");
        var missing = Assert.Throws<BpfLoadException>(() => loader.Load());
        Assert.Contains("'no_such_function'", missing.Message);
        Assert.Contains("is not found in the program's BTF", missing.Message);
    }

    [Fact]
    public void FentryAndFexitOnABpfFunctionSeeItsCallsReturnValueAndCookie()
    {
        KernelObjects.RequireBpf();
        using var target = BpfCollection.Load(Object("target"));
        var verdict = target.Programs["verdict"];
        var loader = new BpfObjectLoader(ObjectSpec.Load(Object("trace_target")));
        loader.SetAttachTarget("on_decide", verdict, "decide");
        loader.SetAttachTarget("after_decide", verdict, "decide");
        using (var traced = LoadOrSkip(loader))
        {
            Assert.Equal(BpfAttachType.TraceFentry, traced.Programs["on_decide"].ExpectedAttachType);
            using var entry = TracingLink.Attach(traced.Programs["on_decide"], cookie: 0x5eed);
            using var exit = SectionAttach.Attach(traced.Programs["after_decide"], "fexit/decide");
            for (int i = 0; i < 3; i++) verdict.TestRun(new byte[64]);
            Assert.Equal(3ul, traced.ReadVariable<ulong>("entries"));
            Assert.Equal((ulong)XdpPass, traced.ReadVariable<ulong>("last_ret"));
            Assert.Equal(0x5eedul, traced.ReadVariable<ulong>("last_cookie"));
        }
    }

    [Fact]
    public void TracingLinkOnABtfTracepointCarriesTheAttachCookie()
    {
        KernelObjects.RequireBpf();
        var loader = new BpfObjectLoader(ObjectSpec.Load(Object("cookie_tp_btf")));
        loader.SetVariable("target_tgid", (uint)Environment.ProcessId);
        using var c = loader.Load();
        var program = c.Programs["on_sys_enter"];
        Assert.Equal(BpfAttachType.TraceRawTp, program.ExpectedAttachType);
        int linkId;
        using (var link = TracingLink.Attach(program, cookie: 0xC0FFEE))
        {
            linkId = link.Id;
            for (int i = 0; i < 5; i++) NativeGetPid();
            Assert.True(c.ReadVariable<ulong>("getpids") >= 5, $"getpids = {c.ReadVariable<ulong>("getpids")}");
            Assert.Equal(0xC0FFEEul, c.ReadVariable<ulong>("seen_cookie"));
            using var json = System.Text.Json.JsonDocument.Parse(KernelObjects.Bpftool("link", "show", "id", linkId.ToString(), "-j"));
            output.WriteLine($"tracing link {linkId}: {json.RootElement}");
            Assert.Equal(program.Id, json.RootElement.GetProperty("prog_id").GetInt32());
        }
        var after = c.ReadVariable<ulong>("getpids");
        NativeGetPid();
        Assert.Equal(after, c.ReadVariable<ulong>("getpids"));
        KernelObjects.AssertGone("link", linkId);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "getpid")]
    private static extern int NativeGetPid();

    /// <summary>Loads, or skips saying so when the kernel refuses the program type to this process (EPERM, as to libbpf here).</summary>
    private static BpfCollection LoadOrSkip(BpfObjectLoader loader)
    {
        try
        {
            return loader.Load();
        }
        catch (BpfVerifierException e) when (e.Errno == 1)
        {
            Assert.Skip($"the kernel refuses program '{e.ProgramName}' (section '{e.SectionName}') with EPERM, to libbpf too " +
                "(RefusedTracingParityTests.ProgramLoadWithABpfTargetMatchesLibbpf compares the requests instead)");
            throw;
        }
    }
}
