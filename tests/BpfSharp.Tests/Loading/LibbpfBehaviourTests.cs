using BpfSharp.Btf;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Loading;

/// <summary>
/// Objects that libbpf loads (or refuses) in a particular way, each built from our own C in testdata/loader: the
/// loader must do what libbpf does, checked by running the program (and by bpftool in <see cref="LoaderParityTests"/>).
/// </summary>
[Collection("Loader kernel tests")]
public sealed class LibbpfBehaviourTests
{
    [Fact]
    public void KsymExistsOnAKfuncLoadsItsAddressRatherThanCallingIt()
    {
        KernelObjects.RequireBpf();
        using var c = BpfCollection.Load(LoaderObjects.Get("ksym_exists"));

        var kernelHasKfunc = BtfSpec.Load(TestPaths.Vmlinux).FindByName("bpf_rcu_read_lock", BtfKind.Func) > 0;
        // bit 0: bpf_rcu_read_lock is there (as vmlinux BTF says); bit 1: the made-up kfunc is not.
        Assert.Equal(kernelHasKfunc ? 1u : 0u, c.Programs["kfunc_exists"].TestRun(new byte[64]).ReturnValue);
    }

    [Fact]
    public void HiddenGlobalSubprogramIsVerifiedInItsCallersContext()
    {
        KernelObjects.RequireBpf();
        var spec = ObjectSpec.Load(LoaderObjects.Get("hidden_subprog"));
        var hidden = Assert.Single(spec.Programs, p => p.Name == "read_twice");
        Assert.Equal(ElfSymbolBinding.Global, hidden.Symbol.Binding);
        Assert.Equal(ElfSymbolVisibility.Hidden, hidden.Symbol.Visibility);

        using var c = BpfCollection.Load(spec);

        Assert.Equal(42u, c.Programs["calls_hidden"].TestRun(new byte[64]).ReturnValue);
        // The BTF given to the kernel has the function static, as libbpf loads it; the object's own stays global.
        static BtfLinkage LinkageOf(BtfSpec btf) => btf[btf.FindByName("read_twice", BtfKind.Func)].Linkage;
        Assert.Equal(BtfLinkage.Global, LinkageOf(spec.Btf!));
        Assert.Equal(BtfLinkage.Static, LinkageOf(BtfSpec.Parse(LoadableBtf.Prepare(spec, BtfFeatures.All).ToArray())));
    }

    [Fact]
    public void ObjectWithOnlyLegacyMapsIsRefusedAtOpenAsLibbpfDoes()
    {
        var spec = ObjectSpec.Load(LoaderObjects.Get("legacy_maps"));

        var e = Assert.Throws<BpfLoadException>(() => new BpfObjectLoader(spec));

        Assert.Contains("legacy map definitions in 'maps' section", e.Message);
        Assert.Contains("legacy_maps", e.Message);
        // bpftool (libbpf 1.1) refuses the same object before loading anything.
        var bpftool = ExternalTool.Run("bpftool", ["prog", "loadall", LoaderObjects.Get("legacy_maps"), "/sys/fs/bpf/bpfsharp-legacy-" + Guid.NewGuid().ToString("N")[..8]]);
        Assert.NotEqual(0, bpftool.ExitCode);
        Assert.Contains("legacy map definitions in 'maps' section", bpftool.Stderr);
    }
}
