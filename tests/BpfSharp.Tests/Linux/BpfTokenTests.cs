using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Loading;

namespace BpfSharp.Tests.Linux;

/// <summary>
/// BPF tokens in the initial user namespace, where the kernel creates none: <c>BPF_TOKEN_CREATE</c> answers
/// EOPNOTSUPP for a bpffs root and EINVAL for a directory that is not one, and our errors say which and why, both
/// from <see cref="BpfToken.Create"/> and from a load that asks for a token.
/// </summary>
public class BpfTokenTests
{
    [Fact]
    public void TokenFromTheHostsBpffsIsRefusedWithEopnotsuppAndTheErrorSaysWhy()
    {
        KernelObjects.RequireBpf();
        Assert.True(File.Exists("/proc/self/uid_map"));
        var e = Assert.Throws<BpfTokenException>(() => BpfToken.Create("/sys/fs/bpf"));
        Assert.Equal("EOPNOTSUPP", e.ErrnoName);
        Assert.Contains("BPF_TOKEN_CREATE failed: EOPNOTSUPP", e.Message);
        Assert.Contains("initial user namespace", e.Message);
        Assert.Contains("'/sys/fs/bpf'", e.Message);
    }

    [Fact]
    public void TokenFromADirectoryThatIsNoBpffsIsRefusedWithEinval()
    {
        KernelObjects.RequireBpf();
        var dir = TestPaths.NewScratchDirectory("token");
        try
        {
            var e = Assert.Throws<BpfTokenException>(() => BpfToken.Create(dir));
            Assert.Equal("EINVAL", e.ErrnoName);
            Assert.Contains("not the root of a bpffs mount", e.Message);
            var missing = Assert.Throws<BpfTokenException>(() => BpfToken.Create(Path.Combine(dir, "absent")));
            Assert.Equal("ENOENT", missing.ErrnoName);
            Assert.Contains("cannot open", missing.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void LoadAskingForATokenFailsNamingThePathAndTheKernelsAnswer()
    {
        KernelObjects.RequireBpf();
        var e = Assert.Throws<BpfLoadException>(() =>
            BpfCollection.Load(LoaderObjects.Get("everything"), new BpfLoaderOptions { TokenPath = "/sys/fs/bpf" }));
        Assert.Contains("failed to create BPF token from '/sys/fs/bpf'", e.Message);
        Assert.Contains("EOPNOTSUPP", e.Message);
        Assert.IsType<BpfTokenException>(e.InnerException);
    }
}
