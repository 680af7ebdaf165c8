using BpfSharp.Btf;
using BpfSharp.Btf.Writing;
using BpfSharp.Linux;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Btf;

/// <summary>The kernel's BTF verifier (<c>BPF_BTF_LOAD</c>) accepts what the builder writes.</summary>
public class BtfKernelLoadTests
{
    /// <summary>Loads BTF into the kernel and closes the fd again; fails with the kernel's BTF log when rejected.</summary>
    private static void AssertKernelAccepts(byte[] btf)
    {
        try
        {
            using var loaded = KernelBtf.Load(btf);
            Assert.True(loaded.Id > 0);
        }
        catch (BpfSyscallException e) when (e.IsPermissionDenied)
        {
            Assert.Skip("the kernel refused bpf() with EPERM (no CAP_BPF here)");
        }
        catch (BpfSyscallException e)
        {
            var lines = (e.Log ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Fail($"BPF_BTF_LOAD failed with {e.ErrnoName}; log tail:\n{string.Join('\n', lines.TakeLast(15))}");
        }
    }

    [Fact]
    public void EveryKindLoads() => AssertKernelAccepts(BtfBuilderTests.EveryKind().ToArray());

    [Fact]
    public void CopyOfKernelStructsWithTheirDependenciesLoads()
    {
        var spec = BtfSpec.Load(TestPaths.Vmlinux);
        var copy = BtfBuilderTests.CopyClosure(spec, "list_head", "rb_node", "callback_head", "timer_list", "sk_buff_head");
        AssertKernelAccepts(copy.ToArray());
    }

    [Fact]
    public void ClangObjectBtfRewrittenByTheBuilderLoads()
    {
        // clang's .BTF of maps.c has no extern VAR (the kernel rejects those). clang leaves DATASEC sizes (and some
        // variable offsets) 0; libbpf fills them in from the ELF symbols. Here: variables laid out one after another.
        var spec = BtfSpec.Load(BtfTestTools.CompileTestObject("maps"));
        var b = BtfBuilder.From(spec);
        for (int id = 1; id < spec.TypeCount; id++)
        {
            var t = spec[id];
            if (t.Kind != BtfKind.DataSec || t.Size != 0) continue;
            uint end = 0;
            for (int i = 0; i < t.Vlen; i++)
            {
                uint size = t.GetDataSecVar(i).Size;
                b.SetDataSecVar(id, i, end, size);
                end = (end + size + 7) & ~7u;
            }
            b.SetSize(id, end);
        }
        AssertKernelAccepts(b.ToArray());
    }

    [Fact]
    public void KernelRejectsBrokenBtfSoTheCheckIsReal()
    {
        var b = new BtfBuilder();
        int i = b.AddInt("int", 4, BtfIntEncoding.Signed);
        int s = b.AddStruct("bad", 4);
        b.AddMember(s, "x", i, 0);
        b.AddMember(s, "y", i, 64); // beyond the struct's size
        var ex = Assert.Throws<Xunit.Sdk.FailException>(() => AssertKernelAccepts(b.ToArray()));
        Assert.Contains("BPF_BTF_LOAD failed", ex.Message);
    }
}
