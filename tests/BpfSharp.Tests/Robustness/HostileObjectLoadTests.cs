using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Loading;
using BpfSharp.Tests.Runtime;

namespace BpfSharp.Tests.Robustness;

/// <summary>Issue 13, D11: objects the reader accepts never make the loader throw undocumented exception types.</summary>
[Collection(RuntimeCollection.Name)]
public class HostileObjectLoadTests
{
    private static readonly Lazy<byte[]> Object = new(() =>
    {
        var dir = TestPaths.NewScratchDirectory("hostile-load");
        var source = Path.Combine(dir, "hostile_load.c");
        File.WriteAllText(source, """
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>
            volatile char big[64];
            SEC("xdp") int entry(struct xdp_md *ctx) { big[1]++; return XDP_PASS; }
            char LICENSE[] SEC("license") = "GPL";
            """);
        return File.ReadAllBytes(LoaderObjects.Compile(source, mustCompile: true)!);
    });

    private static Exception? LoadAndDispose(byte[] elf, string name)
    {
        ObjectSpec spec;
        try { spec = ObjectSpec.Read(elf, name); }
        catch (BpfFormatException) { return null; } // the reader refused: fine too
        try
        {
            using var collection = BpfCollection.Load(spec);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    [Fact]
    public void AHugeBssCostsNoUserMemory()
    {
        KernelObjects.RequireBpf();
        // 256 MiB of .bss in a file of a few KB: the loader once allocated (and zeroed) all of it in user space.
        var elf = ElfPatch.SectionSize(Object.Value, ".bss", 256 << 20);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = LoadAndDispose(elf, "big_bss.o");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(error is null or BpfLoadException, error?.ToString());
        Assert.InRange(allocated, 0, 64 << 20);
    }

    [Theory]
    [InlineData(0x8000_0000UL)]
    [InlineData(0x1_0000_0000UL)]
    [InlineData(ulong.MaxValue)]
    public void ABssBeyondTheKernelsBoundIsALoadError(ulong size)
    {
        KernelObjects.RequireBpf();
        var error = LoadAndDispose(ElfPatch.SectionSize(Object.Value, ".bss", size), "huge_bss.o");
        if (error is null) return; // refused by the reader
        var load = Assert.IsType<BpfLoadException>(error, exactMatch: false);
        Assert.Contains(".bss", load.Message);
    }

    [Theory]
    [InlineData(0UL)]  // a zero-size FUNC (was ArgumentException)
    [InlineData(8UL)]  // the .bss ld_imm64 now lies outside the program (was ArgumentOutOfRangeException)
    [InlineData(16UL)]
    [InlineData(24UL)]
    public void AFunctionSizeThatCutsThroughTheCodeIsADocumentedError(ulong size)
    {
        KernelObjects.RequireBpf();
        var error = LoadAndDispose(ElfPatch.SymbolSize(Object.Value, "entry", size), "cut_func.o");
        Assert.True(error is null or BpfLoadException or BpfFormatException, error?.ToString());
    }
}
