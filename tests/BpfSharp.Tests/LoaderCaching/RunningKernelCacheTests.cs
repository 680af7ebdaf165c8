using System.Text;
using BpfSharp.Btf;
using BpfSharp.Btf.Writing;
using BpfSharp.Linux;
using BpfSharp.Linux.Interop;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Loading;

namespace BpfSharp.Tests.LoaderCaching;

/// <summary>Tests flush the process-wide cache and count its hits and misses, so they run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunningKernelCacheCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "Running kernel cache";
}

/// <summary>
/// The process-wide <see cref="RunningKernel"/> cache: one parse shared by every access, flush and staleness
/// rules, thread safety, and loads through it giving the same result as loads that read everything afresh.
/// </summary>
[Collection(RunningKernelCacheCollection.Name)]
public sealed class RunningKernelCacheTests
{
    [Fact]
    public void VmlinuxBtfIsParsedOnceAndShared()
    {
        RunningKernel.Flush();
        long misses = RunningKernel.CacheMisses, hits = RunningKernel.CacheHits;
        var first = RunningKernel.Btf;
        var second = RunningKernel.Btf;
        Assert.Same(first, second);
        Assert.Equal(misses + 1, RunningKernel.CacheMisses);
        Assert.Equal(hits + 1, RunningKernel.CacheHits);
        // The cached spec is the kernel's BTF: same types as an independent read with BtfSpec.Load.
        var reference = BtfSpec.Load(RunningKernel.VmlinuxBtfPath);
        Assert.Equal(reference.TypeCount, first.TypeCount);
        int taskStruct = reference.FindByName("task_struct", BtfKind.Struct);
        Assert.True(taskStruct > 0);
        Assert.Equal(taskStruct, first.FindByName("task_struct", BtfKind.Struct));
        Assert.Equal(reference[taskStruct].Size, first[taskStruct].Size);
    }

    [Fact]
    public async Task PrefetchFillsTheCacheAheadOfTheFirstAccess()
    {
        RunningKernel.Flush();
        long misses = RunningKernel.CacheMisses;
        await RunningKernel.PrefetchAsync();
        Assert.Equal(misses + 2, RunningKernel.CacheMisses); // vmlinux BTF and Kconfig
        long hits = RunningKernel.CacheHits;
        _ = RunningKernel.Btf;
        _ = RunningKernel.Config;
        Assert.Equal(misses + 2, RunningKernel.CacheMisses);
        Assert.Equal(hits + 2, RunningKernel.CacheHits);
    }

    [Fact]
    public void FlushMakesTheNextAccessParseAgain()
    {
        var before = RunningKernel.Btf;
        var config = RunningKernel.Config;
        long misses = RunningKernel.CacheMisses;
        RunningKernel.Flush();
        var after = RunningKernel.Btf;
        Assert.NotSame(before, after);
        Assert.Equal(before.TypeCount, after.TypeCount);
        Assert.NotSame(config, RunningKernel.Config);
        Assert.Equal(misses + 2, RunningKernel.CacheMisses);
        // A spec handed out before the flush stays usable.
        Assert.Equal(after.FindByName("task_struct", BtfKind.Struct), before.FindByName("task_struct", BtfKind.Struct));
    }

    [Fact]
    public void ConcurrentFirstAccessesShareOneParse()
    {
        RunningKernel.Flush();
        long misses = RunningKernel.CacheMisses;
        const int threads = 8;
        var results = new BtfSpec[threads];
        var configs = new KernelConfig[threads];
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            results[i] = RunningKernel.Btf;
            configs[i] = RunningKernel.Config;
        })).ToList();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());
        Assert.All(results, r => Assert.Same(results[0], r));
        Assert.All(configs, c => Assert.Same(configs[0], c));
        Assert.Equal(misses + 2, RunningKernel.CacheMisses);
    }

    [Fact]
    public void ConcurrentLoadsThroughTheCacheSucceed()
    {
        KernelObjects.RequireBpf();
        var spec = ObjectSpec.Load(LoaderObjects.Get("core_task"));
        using var expected = BpfCollection.Load(spec);
        RunningKernel.Flush();
        var errors = new List<Exception>();
        var workers = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            try
            {
                for (int i = 0; i < 3; i++)
                {
                    using var c = BpfCollection.Load(spec);
                    Assert.Equal(expected.LoaderLog, c.LoaderLog);
                }
            }
            catch (Exception e)
            {
                lock (errors) errors.Add(e);
            }
        })).ToList();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());
        Assert.Empty(errors);
    }

    [Fact]
    public void OptingOutReadsAfreshAndRelocatesTheSame()
    {
        KernelObjects.RequireBpf();
        var spec = ObjectSpec.Load(LoaderObjects.Get("core_task"));
        using var cached = BpfCollection.Load(spec);
        long hits = RunningKernel.CacheHits, misses = RunningKernel.CacheMisses;
        using var fresh = BpfCollection.Load(spec, new BpfLoaderOptions { UseRunningKernelCache = false });
        Assert.Equal(hits, RunningKernel.CacheHits);
        Assert.Equal(misses, RunningKernel.CacheMisses);
        Assert.Contains(cached.LoaderLog, l => l.Contains("CO-RE", StringComparison.OrdinalIgnoreCase) || l.Contains("relo", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(cached.LoaderLog, fresh.LoaderLog);
        // A default load does use the cache.
        using var again = BpfCollection.Load(spec);
        Assert.True(RunningKernel.CacheHits > hits);
        Assert.Equal(misses, RunningKernel.CacheMisses);
    }

    [Fact]
    public void ExplicitTargetBtfIsUsedAsIs()
    {
        KernelObjects.RequireBpf();
        var spec = ObjectSpec.Load(LoaderObjects.Get("core_task"));
        using var cached = BpfCollection.Load(spec);
        var target = BtfSpec.Load(RunningKernel.VmlinuxBtfPath);
        long hits = RunningKernel.CacheHits, misses = RunningKernel.CacheMisses;
        using var withTarget = BpfCollection.Load(spec, new BpfLoaderOptions { TargetBtf = target });
        Assert.Equal(hits, RunningKernel.CacheHits);
        Assert.Equal(misses, RunningKernel.CacheMisses);
        Assert.Equal(cached.LoaderLog, withTarget.LoaderLog);
    }

    [Fact]
    public void KconfigCacheEqualsAFreshReadAndTheKernelsOwnFile()
    {
        var cached = RunningKernel.Config;
        Assert.Same(cached, RunningKernel.Config);
        var fresh = KernelConfig.ReadRunning();
        Assert.Equal(fresh.Source, cached.Source);
        Assert.Equal(fresh.Release, cached.Release);
        Assert.Equal(fresh.Entries.OrderBy(e => e.Key, StringComparer.Ordinal), cached.Entries.OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.NotNull(cached.Source);
        // Independent oracle: zcat and the .config line format.
        var text = cached.Source!.EndsWith(".gz", StringComparison.Ordinal)
            ? ExternalTool.RunText("zcat", cached.Source) : File.ReadAllText(cached.Source);
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith("CONFIG_", StringComparison.Ordinal) || !line.Contains('=')) continue;
            int eq = line.IndexOf('=');
            expected[line[..eq]] = line[(eq + 1)..].TrimEnd();
        }
        Assert.True(expected.Count > 100, $"only {expected.Count} CONFIG_ lines");
        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), cached.Entries.OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.Equal("y", cached["CONFIG_BPF_SYSCALL"]);
        Assert.Equal(RunningKernel.ReadBootId(), File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim());
        Assert.Equal(KernelConfig.RunningRelease(), RunningKernel.Release);
    }

    [Fact]
    public void KconfigParserHandlesWhitespaceCommentsAndCrlf()
    {
        var cfg = KernelConfig.FromText(
            "# CONFIG_A is not set\r\n  CONFIG_B=y\r\nCONFIG_C\nCONFIG_D=\"two words\"  \nCONFIG_E=m\nCONFIG_F=0x10\nNOT_CONFIG=1\nCONFIG_G=", "6.1.0");
        Assert.Null(cfg["CONFIG_A"]);
        Assert.Equal("y", cfg["CONFIG_B"]);
        Assert.Null(cfg["CONFIG_C"]);
        Assert.Equal("\"two words\"", cfg["CONFIG_D"]);
        Assert.Equal("m", cfg["CONFIG_E"]);
        Assert.Equal("0x10", cfg["CONFIG_F"]);
        Assert.Equal("", cfg["CONFIG_G"]);
        Assert.Equal(5, cfg.Entries.Count);
    }

    [Fact]
    public void FileIdentityChangesWhenContentIsRewrittenWithTheSameSizeAndTime()
    {
        var path = Path.Combine(TestPaths.NewScratchDirectory("file-identity"), "f.bin");
        File.WriteAllBytes(path, [1, 2, 3, 4]);
        var first = FileIdentity.Of(path);
        Assert.NotNull(first);
        Assert.Equal(first, FileIdentity.Of(path));
        Assert.Equal(4, first.Value.Size);
        var reference = path + ".times";
        File.WriteAllBytes(reference, []);
        ExternalTool.RunChecked("touch", "-r", path, reference); // remembers the times to the nanosecond
        Thread.Sleep(20);
        File.WriteAllBytes(path, [5, 6, 7, 8]); // same inode, same size
        ExternalTool.RunChecked("touch", "-m", "-r", reference, path); // modification time put back; change time cannot be
        var second = FileIdentity.Of(path);
        Assert.Equal(first.Value.Inode, second!.Value.Inode);
        Assert.Equal(first.Value.ModifiedNanoseconds, second.Value.ModifiedNanoseconds);
        Assert.NotEqual(first, second);
        Assert.Null(FileIdentity.Of(path + ".missing"));
    }

    [Fact]
    public void ModuleBtfIsCachedPerLoadedInstanceAndDroppedWhenGone()
    {
        var vmlinux = RunningKernel.Btf;
        var directory = TestPaths.NewScratchDirectory("module-btf");
        var saved = RunningKernel.ModuleDirectory;
        RunningKernel.ModuleDirectory = directory;
        try
        {
            WriteModuleBtf(directory, "bpfsharp_mod_a", "bpfsharp_type_a", vmlinux);
            WriteModuleBtf(directory, "bpfsharp_mod_b", "bpfsharp_type_b", vmlinux);
            Assert.Equal(new[] { "bpfsharp_mod_a", "bpfsharp_mod_b" }, RunningKernel.GetModuleNames());
            long misses = RunningKernel.CacheMisses;
            var a = RunningKernel.GetModuleBtf("bpfsharp_mod_a");
            Assert.NotNull(a);
            Assert.Same(vmlinux, a.Base);
            Assert.True(a.FindByName("bpfsharp_type_a", BtfKind.Struct) >= vmlinux.TypeCount);
            Assert.Same(a, RunningKernel.GetModuleBtf("bpfsharp_mod_a"));
            Assert.Equal(misses + 1, RunningKernel.CacheMisses);

            // "Reloading" the module: a new file (new inode) under the same name is parsed again.
            WriteModuleBtf(directory, "bpfsharp_mod_a", "bpfsharp_type_a2", vmlinux);
            var reloaded = RunningKernel.GetModuleBtf("bpfsharp_mod_a");
            Assert.NotSame(a, reloaded);
            Assert.True(reloaded!.FindByName("bpfsharp_type_a2", BtfKind.Struct) > 0);
            Assert.Equal(-1, reloaded.FindByName("bpfsharp_type_a", BtfKind.Struct));

            // Unloading: gone from the listing and from the cache.
            File.Delete(Path.Combine(directory, "bpfsharp_mod_a"));
            Assert.Null(RunningKernel.GetModuleBtf("bpfsharp_mod_a"));
            Assert.Equal(new[] { "bpfsharp_mod_b" }, RunningKernel.GetModuleNames());

            // A re-read vmlinux means module BTFs are parsed again on top of the new base.
            var b = RunningKernel.GetModuleBtf("bpfsharp_mod_b");
            RunningKernel.Flush();
            var b2 = RunningKernel.GetModuleBtf("bpfsharp_mod_b");
            Assert.NotSame(b, b2);
            Assert.Same(RunningKernel.Btf, b2!.Base);

            Assert.Null(RunningKernel.GetModuleBtf("bpfsharp_no_such_module"));
            Assert.Throws<ArgumentException>(() => RunningKernel.GetModuleBtf("vmlinux"));
            Assert.Throws<ArgumentException>(() => RunningKernel.GetModuleBtf("../vmlinux"));
            Assert.Throws<ArgumentException>(() => RunningKernel.GetModuleBtf(""));
        }
        finally
        {
            RunningKernel.ModuleDirectory = saved;
            RunningKernel.Flush();
        }
    }

    [Fact]
    public void RealModuleListingMatchesSysfs()
    {
        var expected = Directory.GetFiles(RunningKernel.BtfDirectory).Select(f => Path.GetFileName(f)).Where(n => n != "vmlinux")
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, RunningKernel.GetModuleNames());
        foreach (var name in expected.Take(3))
        {
            var module = RunningKernel.GetModuleBtf(name);
            Assert.NotNull(module);
            Assert.Same(module, RunningKernel.GetModuleBtf(name));
            Assert.Same(RunningKernel.Btf, module.Base);
        }
    }

    /// <summary>Writes split BTF on top of <paramref name="vmlinux"/> with one struct, replacing any file (new inode).</summary>
    private static void WriteModuleBtf(string directory, string module, string typeName, BtfSpec vmlinux)
    {
        var builder = new BtfBuilder(vmlinux);
        int s = builder.AddStruct(typeName, 4);
        builder.AddMember(s, "x", vmlinux.FindByName("int", BtfKind.Int), 0);
        var temp = Path.Combine(directory, "." + module + ".tmp");
        File.WriteAllBytes(temp, builder.ToArray());
        File.Move(temp, Path.Combine(directory, module), overwrite: true);
    }
}
