using System.Collections.Concurrent;
using BpfSharp.Btf;
using BpfSharp.Tests.CoRe;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Objects;

namespace BpfSharp.Tests.CoReTools;

/// <summary>Objects and kernels shared by the CO-RE tools tests (compiled / decompressed once per process).</summary>
internal static class CoReToolsKit
{
    private static readonly ConcurrentDictionary<string, Lazy<BtfSpec>> Specs = new();

    /// <summary>Full (vmlinux) blobs of the shared kernel directory: every blob that is not split BTF.</summary>
    public static IEnumerable<string> VmlinuxBlobs =>
        KernelBlobs.All.Where(b => b.Base is null && b.Types > 10_000).Select(b => b.File); // not the distilled base

    public static TheoryData<string> VmlinuxBlobNames()
    {
        var data = new TheoryData<string>();
        foreach (var b in VmlinuxBlobs) data.Add(b);
        return data;
    }

    /// <summary>A raw copy of a blob (for bpftool and the libbpf oracle).</summary>
    public static string Raw(string blob) => CoReTestKit.RawKernelBlob(blob);

    /// <summary>A blob, parsed once.</summary>
    public static BtfSpec Spec(string blob) => Specs.GetOrAdd(blob, b => new Lazy<BtfSpec>(() => BtfSpec.Load(Raw(b)))).Value;

    private static readonly Lazy<string> KernelReadsObject = new(() =>
    {
        string dir = TestPaths.NewScratchDirectory("core-tools-kernel");
        ExternalTool.WriteVmlinuxHeader(dir);
        string source = Path.Combine(TestPaths.TestData, "core", "kernel", "kernel_reads.c");
        string obj = Path.Combine(dir, "kernel_reads.o");
        TestObjects.Run("clang-19", $"-O2 -g -target bpf -D__TARGET_ARCH_x86 -I{TestObjects.Quote(dir)} -c {TestObjects.Quote(source)} -o {TestObjects.Quote(obj)}");
        return obj;
    });

    /// <summary>A realistic tracing object (task_struct chains, files, sockets, enums) built against vmlinux.h.</summary>
    public static string KernelReads => KernelReadsObject.Value;

    /// <summary>testdata/objects/core_reads.c.</summary>
    public static string CoreReads => CoReTestKit.Compile(Path.Combine(TestPaths.TestData, "objects", "core_reads.c"));

    /// <summary>testdata/core_tools/NAME.c.</summary>
    public static string Tools(string name) => CoReTestKit.Compile(Path.Combine(TestPaths.TestData, "core_tools", name + ".c"));

    /// <summary>The objects checked against the kernel blobs.</summary>
    public static string[] KernelObjects => [KernelReads, CoreReads];
}
