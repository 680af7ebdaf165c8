using System.CommandLine;
using System.Diagnostics;
using System.IO.Compression;
using BpfSharp.Btf;
using BpfSharp.Btf.Writing;
using BpfSharp.Cli.Commands;
using BpfSharp.CoRe.Tools;
using BpfSharp.Linux.Links;
using BpfSharp.Objects;
using BpfSharp.Tests.CoReTools;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Robustness;

/// <summary>Issue 13, D1-D4, D13, C1, C2 and the EISDIR message: hostile files end in documented errors, bounded.</summary>
public class HostileFileTests
{
    private static string Scratch() => TestPaths.NewScratchDirectory("hostile");

    private static (int Exit, string Output) Check(params string[] args)
    {
        var root = new RootCommand { CoreCheckCommand.Create() };
        BpfSharp.Cli.GlobalOptions.AddTo(root);
        var output = new StringWriter();
        int exit = root.Parse(["check", .. args]).Invoke(new InvocationConfiguration { Output = output, Error = output, EnableDefaultExceptionHandler = false });
        return (exit, output.ToString());
    }

    private static byte[] Gzip(ReadOnlySpan<byte> data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(data);
        return ms.ToArray();
    }

    [Fact]
    public void NonGzipDotGzIsAFormatErrorNamingTheFile()
    {
        var path = Path.Combine(Scratch(), "kernel.btf.gz");
        File.WriteAllBytes(path, "this is not gzip at all, just text\n"u8.ToArray());
        foreach (var load in new Func<string, BtfSpec>[] { p => BtfSpec.Load(p), p => KernelBtfFiles.Load(p) })
        {
            var e = Assert.Throws<BpfFormatException>(() => load(path));
            Assert.Equal(BpfFormatError.ArchiveCorrupt, e.ErrorCode);
            Assert.Equal(path, e.FilePath);
            Assert.StartsWith(path + ": BPFF0601", e.Message);
        }
    }

    [Fact]
    public void CorruptGzipIsAFormatErrorNamingTheFile()
    {
        var good = File.ReadAllBytes(TestPaths.Kernel("ci-5.13.2.btf.gz"));
        var bad = (byte[])good.Clone();
        for (int i = bad.Length / 2; i < bad.Length / 2 + 64; i++) bad[i] ^= 0x5a; // deflate data and CRC no longer agree
        var path = Path.Combine(Scratch(), "corrupt.btf.gz");
        File.WriteAllBytes(path, bad);
        var e = Assert.Throws<BpfFormatException>(() => KernelBtfFiles.Load(path));
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void XzAndTarArchivesThatAreNotAreFormatErrors()
    {
        var dir = Scratch();
        var xz = Path.Combine(dir, "k.btf.xz");
        File.WriteAllBytes(xz, new byte[100]);
        Assert.Equal(BpfFormatError.ArchiveCorrupt, Assert.Throws<BpfFormatException>(() => KernelBtfFiles.Load(xz)).ErrorCode);
        var tar = Path.Combine(dir, "k.btf.tar.xz");
        File.WriteAllBytes(tar, new byte[100]);
        Assert.Equal(tar, Assert.Throws<BpfFormatException>(() => KernelBtfFiles.Load(tar)).FilePath);
    }

    [Fact]
    public void GzipBombStopsAtTheBound()
    {
        // 300 MiB of zeros compress to ~300 KiB; before the bound this inflated fully (4.2 GB for a 28 MB bomb).
        var path = Path.Combine(Scratch(), "bomb.btf.gz");
        var zeros = new byte[1 << 20];
        using (var file = File.Create(path))
        using (var gz = new GZipStream(file, CompressionLevel.Fastest))
            for (int i = 0; i < 300; i++) gz.Write(zeros);
        Assert.InRange(new FileInfo(path).Length, 1, 8 << 20);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<BpfFormatException>(() => BtfSpec.Load(path));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(BpfFormatError.ArchiveTooLarge, e.ErrorCode);
        Assert.Equal(path, e.FilePath);
        Assert.InRange(allocated, 0, 3L * InputFiles.MaxDecompressedBytes);
    }

    [Fact]
    public void EndlessNonRegularFilesAreReadWithABound()
    {
        Assert.True(File.Exists("/dev/zero"));
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<IOException>(() => ObjectSpec.Load("/dev/zero"));
        Assert.Contains("/dev/zero", e.Message);
        Assert.Contains("not a regular file", e.Message);
        Assert.Throws<IOException>(() => BtfSpec.Load("/dev/zero"));
        Assert.Throws<IOException>(() => ElfSymbolResolver.FileOffset("/dev/zero", "main"));
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 60);
        // An empty device still reads (as empty input, then a format error).
        Assert.Throws<BpfFormatException>(() => ObjectSpec.Load("/dev/null"));
    }

    [Fact]
    public void ADirectoryAsInputSaysEISDIR()
    {
        var dir = Scratch();
        foreach (var load in new Action[] { () => ObjectSpec.Load(dir), () => BtfSpec.Load(dir), () => KernelBtfFiles.Load(dir) })
        {
            var e = Assert.Throws<IOException>(load);
            Assert.Contains("is a directory (EISDIR)", e.Message);
        }
    }

    [Fact]
    public void DirectoryWalksSkipSymlinksAndSpecialFiles()
    {
        var dir = Scratch();
        File.Copy(TestPaths.Kernel("ci-5.13.2.btf.gz"), Path.Combine(dir, "5.13.btf.gz"));
        // Two self-links made the walk exponential (no output after 60 s); one listed every kernel again.
        Directory.CreateSymbolicLink(Path.Combine(dir, "loop1"), dir);
        Directory.CreateSymbolicLink(Path.Combine(dir, "loop2"), ".");
        File.CreateSymbolicLink(Path.Combine(dir, "alias.btf.gz"), Path.Combine(dir, "5.13.btf.gz"));
        File.CreateSymbolicLink(Path.Combine(dir, "zero.btf"), "/dev/zero");
        Assert.Equal(0, Process.Start("mkfifo", Path.Combine(dir, "pipe.btf"))!.WaitForExitAndGetCode());
        File.WriteAllBytes(Path.Combine(dir, "empty.btf"), []);
        var clock = Stopwatch.StartNew();
        var found = KernelBtfFiles.Expand([dir]);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 10);
        Assert.Equal([Path.Combine(dir, "5.13.btf.gz")], found);
    }

    [Fact]
    public void OneBadKernelAmongGoodOnesCostsOnlyItsColumn()
    {
        var dir = Scratch();
        File.Copy(TestPaths.Kernel("ci-5.13.2.btf.gz"), Path.Combine(dir, "5.13.btf.gz"));
        File.WriteAllBytes(Path.Combine(dir, "broken.btf.gz"), "not gzip"u8.ToArray());
        var (exit, text) = Check(CoReToolsKit.CoreReads, "--target", dir);
        Assert.Equal(CoreCheckCommand.FailsExitCode, exit);
        Assert.Contains("fails (unreadable)", text);
        Assert.Matches(@"(loads|guarded|fails) \(\d", text); // the good kernel's column is still there
    }

    [Fact]
    public void OneUnreadableObjectAmongGoodOnesCostsOnlyItsRow()
    {
        var dir = Scratch();
        var bad = Path.Combine(dir, "garbage.o");
        File.WriteAllBytes(bad, "\u007fELF but nothing else"u8.ToArray());
        var (exit, text) = Check(CoReToolsKit.CoreReads, bad, "--target", TestPaths.Kernel("ci-5.13.2.btf.gz"));
        Assert.Equal(CoreCheckCommand.FailsExitCode, exit);
        var lines = text.Split('\n');
        Assert.Contains(lines, l => l.Contains("garbage.o", StringComparison.Ordinal) && l.Contains("fails (unreadable)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("core_reads", StringComparison.Ordinal) && !l.Contains("unreadable", StringComparison.Ordinal));
        var row = CoReCheckObject.Load(bad);
        Assert.Null(row.Object);
        Assert.Contains("garbage.o", row.Error);
    }

    [Fact]
    public void CheckTakesTheBaseForSplitModuleBtf()
    {
        var dir = Scratch();
        var vmlinuxPath = TestPaths.Kernel("ci-5.13.2.btf.gz");
        var vmlinux = KernelBtfFiles.Load(vmlinuxPath);
        var module = new BtfBuilder(vmlinux);
        var s = module.AddStruct("bpfsharp_module_only", 4);
        module.AddMember(s, "x", module.AddInt("int", 4, BtfIntEncoding.Signed), 0);
        var modulePath = Path.Combine(dir, "mymod.btf");
        File.WriteAllBytes(modulePath, module.ToArray());

        var (_, without) = Check(CoReToolsKit.CoreReads, "--target", modulePath);
        Assert.Contains("unreadable", without); // split BTF needs its base
        var (exit, with) = Check(CoReToolsKit.CoreReads, "--target", modulePath, "-B", vmlinuxPath);
        Assert.DoesNotContain("unreadable", with);
        var (_, direct) = Check(CoReToolsKit.CoreReads, "--target", vmlinuxPath);
        // Relocating against vmlinux + the module gives the same verdicts as against vmlinux alone.
        Assert.Equal(Verdicts(direct), Verdicts(with));
        Assert.True(exit is 0 or CoreCheckCommand.FailsExitCode);

        static string Verdicts(string table) => string.Join("|", table.Split('\n').Where(l => l.Contains("core_reads", StringComparison.Ordinal))
            .Select(l => string.Concat(l.Split('|', StringSplitOptions.TrimEntries).Skip(2))));
    }
}

internal static class ProcessExtensions
{
    public static int WaitForExitAndGetCode(this Process p)
    {
        p.WaitForExit();
        return p.ExitCode;
    }
}
