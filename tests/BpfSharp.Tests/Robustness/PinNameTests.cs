using System.Text;
using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Loading;

namespace BpfSharp.Tests.Robustness;

/// <summary>Issue 13, D7: names from an object file never pin outside the pin root.</summary>
public class PinNameTests
{
    private const string Placeholder = "zzzzzzzzzzzzzzzzzzzz"; // 20 bytes, patched in the object's string tables

    [Theory]
    [InlineData("../x")]
    [InlineData("/sys/fs/bpf/other")]
    [InlineData("a/../../x")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("a\0b")]
    [InlineData("sub/dir")]
    public void UnsafeNamesAreRefused(string name)
    {
        var e = Assert.Throws<BpfLoadException>(() => ObjectPins.ChildPath("/sys/fs/bpf/app", name, "map"));
        Assert.Contains("map '", e.Message);
    }

    [Fact]
    public void TooLongNamesAreRefusedAndPlainNamesStayUnderTheRoot()
    {
        Assert.Throws<BpfLoadException>(() => ObjectPins.ChildPath("/sys/fs/bpf", new string('a', 256), "map"));
        Assert.Equal("/sys/fs/bpf/app/counts", ObjectPins.ChildPath("/sys/fs/bpf/app/", "counts", "map"));
        Assert.Equal("/sys/fs/bpf/app/..x", ObjectPins.ChildPath("/sys/fs/bpf/app", "..x", "map"));
    }

    [Theory]
    [InlineData("../bpfsharp_escaped1")] // next to the root: would reuse another application's pin
    [InlineData("/sys/fs/bpf/bpfs_abs")] // absolute: Path.Combine dropped the root
    public void LoaderRefusesAPinByNameMapWhoseNameLeavesTheRoot(string hostileName)
    {
        KernelObjects.RequireBpf();
        Assert.Equal(Placeholder.Length, hostileName.Length);
        var dir = TestPaths.NewScratchDirectory("pin-names");
        var source = Path.Combine(dir, "pin_escape.c");
        File.WriteAllText(source, $$"""
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>
            struct {
                __uint(type, BPF_MAP_TYPE_ARRAY);
                __uint(max_entries, 1);
                __type(key, __u32);
                __type(value, __u64);
                __uint(pinning, LIBBPF_PIN_BY_NAME);
            } {{Placeholder}} SEC(".maps");
            SEC("xdp") int prog(struct xdp_md *ctx)
            {
                __u32 k = 0;
                __u64 *v = bpf_map_lookup_elem(&{{Placeholder}}, &k);
                if (v) *v += 1;
                return XDP_PASS;
            }
            char LICENSE[] SEC("license") = "GPL";
            """);
        var bytes = File.ReadAllBytes(LoaderObjects.Compile(source, mustCompile: true)!);
        var patched = Replace(bytes, Encoding.ASCII.GetBytes(Placeholder), Encoding.ASCII.GetBytes(hostileName));
        var spec = ObjectSpec.Read(patched, "pin_escape.o");
        Assert.Equal(hostileName, Assert.Single(spec.Maps).Name);

        var root = "/sys/fs/bpf/bpfsharp-pinroot-" + Guid.NewGuid().ToString("N")[..8];
        var escaped = Path.GetFullPath(Path.Join(root, hostileName));
        Assert.False(File.Exists(escaped));
        Directory.CreateDirectory(root);
        try
        {
            var e = Assert.Throws<BpfLoadException>(() => BpfCollection.Load(spec, new BpfLoaderOptions { PinRoot = root }));
            Assert.Contains(hostileName, e.Message);
            Assert.False(File.Exists(escaped), $"pinned outside the root at {escaped}");
            Assert.Empty(Directory.GetFileSystemEntries(root));
        }
        finally
        {
            if (File.Exists(escaped)) File.Delete(escaped);
            foreach (var f in Directory.GetFiles(root)) File.Delete(f);
            Directory.Delete(root);
        }
    }

    private static byte[] Replace(byte[] data, byte[] from, byte[] to)
    {
        var result = (byte[])data.Clone();
        var hits = 0;
        for (var i = data.AsSpan().IndexOf(from); i >= 0;)
        {
            to.CopyTo(result, i);
            hits++;
            var next = data.AsSpan(i + 1).IndexOf(from);
            i = next < 0 ? -1 : i + 1 + next;
        }
        Assert.True(hits > 0);
        return result;
    }
}
