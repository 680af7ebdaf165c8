using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.ObjectWriting;

/// <summary>The hand-built and the re-emitted objects in the running kernel: loaded by our loader and by bpftool.</summary>
[Collection("Loader kernel tests")]
public sealed class BuilderKernelTests
{
    private static readonly byte[] Packet = new byte[64];

    [Fact]
    public void OurLoaderLoadsTheHandBuiltObjectAndTheProgramRuns()
    {
        KernelObjects.RequireBpf();
        var o = HandBuiltObject.Build();
        using var c = BpfCollection.Load(ObjectSpec.Read(o.Bytes, "hand.o"));
        Assert.True(c.Maps.ContainsKey("counts"));
        var run = c.Programs["xdp_prog"].TestRun(Packet);
        Assert.Equal((uint)HandBuiltObject.XdpPass, run.ReturnValue);
        // add_one(41) stored through the .data symbol and the .bss section symbol + 4.
        Assert.Equal(HandBuiltObject.CalledWith + 1, c.ReadVariable<int>("counter"));
        Assert.Equal((uint)HandBuiltObject.CalledWith + 1, c.ReadVariable<uint>("bss_b"));
        Assert.Equal(0u, c.ReadVariable<uint>("bss_a"));
    }

    [Fact]
    public void BpftoolLoadsTheHandBuiltObject()
    {
        KernelObjects.RequireBpf();
        var o = HandBuiltObject.Build();
        string dir = TestPaths.NewScratchDirectory("object-writing-bpftool");
        string path = Path.Combine(dir, "hand.o");
        File.WriteAllBytes(path, o.Bytes);
        LoadAllWithBpftool(path, "hand", ["xdp_prog"], pins =>
        {
            // The kernel kept the func_info and line_info: bpftool prints them from the loaded program.
            string xlated = ExternalTool.RunText("bpftool", "prog", "dump", "xlated", "pinned", Path.Combine(pins, "xdp_prog"), "linum");
            Assert.Contains("int xdp_prog(struct xdp_md * ctx):", xlated);
            Assert.Contains("int add_one(int x):", xlated);
            Assert.Contains("; return Rodata.Value; [file:prog.cs line_num:14 line_col:9]", xlated);
        });
    }

    /// <summary>Runs <c>bpftool prog loadall</c> into a fresh bpffs directory, checks the pinned programs, and unpins them.</summary>
    internal static void LoadAllWithBpftool(string path, string tag, string[] expectedPrograms, Action<string>? inspect = null)
    {
        string pins = "/sys/fs/bpf/bpfsharp-objwrite-" + tag + "-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var result = ExternalTool.Run("bpftool", ["prog", "loadall", path, pins]);
            if (result.ExitCode != 0 && result.Stderr.Contains("Operation not permitted"))
                Assert.Skip("the kernel refuses BPF_PROG_LOAD (EPERM): " + result.Stderr);
            Assert.True(result.ExitCode == 0, "bpftool prog loadall failed:\n" + result.Stderr);
            Assert.True(!result.Stderr.Contains("libbpf:"), "libbpf warned:\n" + result.Stderr);
            Assert.Equal(expectedPrograms.Order(), Directory.GetFiles(pins).Select(Path.GetFileName).Order());
            inspect?.Invoke(pins);
        }
        finally
        {
            if (Directory.Exists(pins))
            {
                foreach (var f in Directory.GetFiles(pins)) File.Delete(f);
                Directory.Delete(pins);
            }
        }
    }
}
