using System.Diagnostics;
using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using BpfSharp.CoRe.Tools;
using BpfSharp.Objects;

namespace BpfSharp.Benchmarks;

/// <summary>
/// CO-RE tools: "core check" of 50 objects × 10 kernels (CoReCompatibility, parallel over kernels, each kernel
/// parsed once) against running libbpf's relocation once per (object, kernel) pair through the native oracle
/// (native/core_oracle.c, one process per pair, as a build pipeline scripting libbpf would), and minimal BTF
/// generation in process. <c>bpftool gen min_core_btf</c> vs <c>bpfsharp gen min-btf</c> whole-process is measured
/// with hyperfine (scripts/bench.sh). Needs clang-19, bpftool, make/gcc and libbpf-dev; kernels come from the shared
/// kernel directory (BPFSHARP_BENCH_KERNELS overrides it) and /sys/kernel/btf/vmlinux.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class CoReToolsBenchmarks
{
    private string _dir = "";
    private string _oracle = "";
    private List<(string Name, string Path)> _objects = [];
    private List<(string Name, string Raw)> _kernels = [];
    private List<CoReCheckObject> _checkObjects = [];
    private List<CoReKernel> _checkKernels = [];
    private Btf.BtfSpec _minTarget = null!;
    private List<ObjectSpec> _minObjects = [];

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Directory.Packages.props"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    private static string Run(string tool, string args)
    {
        var psi = new ProcessStartInfo(tool, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} {args} failed: {err}");
        return stdout.Result;
    }

    [GlobalSetup]
    public void Setup()
    {
        string root = RepoRoot();
        _dir = Directory.CreateTempSubdirectory("bpfsharp-bench-core-tools").FullName;
        File.WriteAllText(Path.Combine(_dir, "vmlinux.h"), Run("bpftool", "btf dump file /sys/kernel/btf/vmlinux format c"));
        string kernelReads = Path.Combine(_dir, "kernel_reads.o"), coreReads = Path.Combine(_dir, "core_reads.o");
        Run("clang-19", $"-O2 -g -target bpf -D__TARGET_ARCH_x86 -I{_dir} -c {root}/testdata/core/kernel/kernel_reads.c -o {kernelReads}");
        Run("clang-19", $"-O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c {root}/testdata/objects/core_reads.c -o {coreReads}");
        // 50 rows: the two objects, alternating, as distinct files
        for (int i = 0; i < 50; i++)
        {
            string src = i % 2 == 0 ? kernelReads : coreReads;
            string copy = Path.Combine(_dir, $"obj{i:D2}.o");
            File.Copy(src, copy);
            _objects.Add(($"obj{i:D2}", copy));
        }
        // 10 columns: every vmlinux blob plus the running kernel, repeated to ten
        string kernels = Environment.GetEnvironmentVariable("BPFSHARP_BENCH_KERNELS") ?? Path.Combine(root, "..", "shared", "kernels");
        var raws = new List<string>();
        foreach (var gz in new[] { "debian-6.1.192-amd64", "debian-6.12.117-amd64", "ci-5.13.2", "ci-2019-5.x", "ci-7.1-hdr32" })
        {
            string raw = Path.Combine(_dir, gz + ".btf");
            using (var input = new GZipStream(File.OpenRead(Path.Combine(kernels, gz + ".btf.gz")), CompressionMode.Decompress))
            using (var output = File.Create(raw)) input.CopyTo(output);
            raws.Add(raw);
        }
        raws.Add("/sys/kernel/btf/vmlinux");
        for (int i = 0; i < 10; i++) _kernels.Add(($"k{i}", raws[i % raws.Count]));
        Run("make", $"-s -C {root} -f native/core_oracle.mk OUT={_dir}/oracle");
        _oracle = Path.Combine(_dir, "oracle", "core_oracle");

        _checkObjects = _objects.Select(o => new CoReCheckObject(o.Name, ObjectSpec.Load(o.Path))).ToList();
        _checkKernels = _kernels.Select(k => new CoReKernel(k.Name, () => KernelBtfFiles.Load(k.Raw))).ToList();
        _minTarget = KernelBtfFiles.Load(raws[1]);
        _minObjects = [ObjectSpec.Load(kernelReads), ObjectSpec.Load(coreReads)];
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    /// <summary>50 objects × 10 kernels with CoReCompatibility (parse every kernel once, parallel over kernels).</summary>
    [Benchmark(Baseline = true)]
    public int Check50x10()
    {
        var report = CoReCompatibility.Check(_checkObjects, _checkKernels);
        int fails = 0;
        for (int o = 0; o < report.Objects.Count; o++)
            for (int k = 0; k < report.Kernels.Count; k++)
                if (report[o, k].Verdict == CoReLoadVerdict.Fails) fails++;
        return fails;
    }

    /// <summary>The same 500 pairs through libbpf (bpf_core_calc_relo_insn + patch), one oracle process per pair, two at a time.</summary>
    [Benchmark]
    public int LibbpfOraclePerPair()
    {
        int done = 0;
        var pairs = _objects.SelectMany(o => _kernels.Select(k => (o.Path, k.Raw))).ToList();
        Parallel.ForEach(pairs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, pair =>
        {
            Run(_oracle, $"{pair.Path} vmlinux={pair.Raw}");
            Interlocked.Increment(ref done);
        });
        return done;
    }

    /// <summary>Minimal BTF of the 6.12 kernel for the two objects, in process (target already parsed).</summary>
    [Benchmark]
    public int MinimalBtfInProcess() => MinimalBtf.GenerateBytes(_minTarget, _minObjects).Length;
}
