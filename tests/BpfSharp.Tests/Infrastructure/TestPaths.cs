namespace BpfSharp.Tests.Infrastructure;

/// <summary>Locations of the repository, the shared kernel BTF blobs and scratch space.</summary>
public static class TestPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "BpfSharp.slnx"))) return dir.FullName;
        throw new InvalidOperationException("BpfSharp.slnx not found above " + AppContext.BaseDirectory);
    });

    /// <summary>The repository root (holds BpfSharp.slnx).</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>The build configuration these tests were built in (Release or Debug): sibling projects' outputs are there too.</summary>
    public static string Configuration =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    /// <summary>The kernel BTF blobs shared beside the repository (../shared/kernels), or BPFSHARP_KERNELS.</summary>
    public static string Kernels =>
        Environment.GetEnvironmentVariable("BPFSHARP_KERNELS") ?? Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "kernels"));

    /// <summary>A shared kernel blob by file name.</summary>
    public static string Kernel(string fileName) => Path.Combine(Kernels, fileName);

    /// <summary>The running kernel's BTF.</summary>
    public const string Vmlinux = "/sys/kernel/btf/vmlinux";

    /// <summary>C sources for test objects.</summary>
    public static string TestData => Path.Combine(RepoRoot, "testdata");

    /// <summary>A fresh scratch directory for one test (under the system temp dir).</summary>
    public static string NewScratchDirectory(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "bpfsharp-tests", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
