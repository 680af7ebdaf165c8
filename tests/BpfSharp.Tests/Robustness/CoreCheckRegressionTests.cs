using BpfSharp.CoRe.Tools;
using BpfSharp.Tests.CoRe;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Robustness;

/// <summary>Issue 13, C4: a poisoned relocation in a function nothing calls is never loaded, so it cannot fail.</summary>
public class CoreCheckRegressionTests
{
    [Fact]
    public void PoisonInAnUncalledTextFunctionIsNotAFailure()
    {
        var dir = TestPaths.NewScratchDirectory("c4");
        var source = Path.Combine(dir, "lonely_text.c");
        File.WriteAllText(source, """
            struct bpfsharp_absent { int field; } __attribute__((preserve_access_index));
            __attribute__((noinline)) int lonely(struct bpfsharp_absent *p) { return p->field; }
            char LICENSE[] __attribute__((section("license"), used)) = "GPL";
            """);
        var obj = CoReCheckObject.Load(CoReTestKit.Compile(source));
        Assert.NotNull(obj.Object);
        var lonely = Assert.Single(obj.Object!.Programs);
        Assert.True(lonely.IsSubprogram);
        var cell = CoReCompatibility.Check([obj], [CoReKernel.FromFile(TestPaths.Kernel("ci-5.13.2.btf.gz"))])[0, 0];
        var relocation = Assert.Single(cell.Relocations);
        Assert.Equal(CoReLoadVerdict.Guarded, relocation.Verdict);
        Assert.Contains("no program calls", relocation.Reason);
        Assert.NotEqual(CoReLoadVerdict.Fails, cell.Verdict);
    }

    [Fact]
    public void PoisonInACalledTextFunctionStillFails()
    {
        var dir = TestPaths.NewScratchDirectory("c4");
        var source = Path.Combine(dir, "called_text.c");
        File.WriteAllText(source, """
            #include <linux/bpf.h>
            struct bpfsharp_absent { int field; } __attribute__((preserve_access_index));
            __attribute__((noinline)) int helper(struct bpfsharp_absent *p) { return p->field; }
            __attribute__((section("xdp"), used)) int entry(struct xdp_md *ctx) { return helper((void *)(long)ctx->data); }
            char LICENSE[] __attribute__((section("license"), used)) = "GPL";
            """);
        var obj = CoReCheckObject.Load(CoReTestKit.Compile(source));
        var cell = CoReCompatibility.Check([obj], [CoReKernel.FromFile(TestPaths.Kernel("ci-5.13.2.btf.gz"))])[0, 0];
        Assert.Equal(CoReLoadVerdict.Fails, Assert.Single(cell.Relocations).Verdict);
    }
}

/// <summary>Issue 13, T1: a fatal relocation error ends the log with libbpf's closing line.</summary>
public class CoReLogClosingLineTests
{
    [Fact]
    public void FatalErrorEndsWithLibbpfsClosingLine()
    {
        var obj = BpfSharp.Objects.ObjectSpec.Load(CoReTestKit.Compile("size"));
        var target = BpfSharp.Btf.BtfSpec.Load(CoReTestKit.Compile("size___err_ambiguous"));
        var log = new BpfSharp.CoRe.CoReLog();
        var result = BpfSharp.CoRe.CoReObjectRelocation.Relocate(obj, [new BpfSharp.CoRe.CoReTarget("vmlinux", target)], null, log);
        Assert.False(result.Result.Succeeded);
        Assert.Equal($"libbpf: failed to perform CO-RE relocations: {BpfSharp.CoRe.CoReErrno.ToErrString(result.Result.Errno)}", log.Lines[^1].Text);
        Assert.Matches("^libbpf: failed to perform CO-RE relocations: -E[A-Z0-9]+$", log.Lines[^1].Text);
    }
}
