using BenchmarkDotNet.Attributes;
using BpfSharp.Btf;
using BpfSharp.CoRe;
using BpfSharp.Objects;

namespace BpfSharp.Benchmarks;

/// <summary>
/// CO-RE relocation of a small realistic object (testdata/core/kernel/kernel_reads.c) and a generated one with
/// ~30,000 relocations against the running kernel's BTF. scripts/core-bench-objects.sh builds both objects;
/// native/core_bench.c times libbpf doing the same work and scripts/bench.sh puts both side by side.
/// </summary>
[MemoryDiagnoser]
public class CoReBenchmarks
{
    /// <summary>Directory with small.o and large.o (BPFSHARP_BENCH_CORE_DIR, default artifacts/bench/core).</summary>
    public static string ObjectDirectory =>
        Environment.GetEnvironmentVariable("BPFSHARP_BENCH_CORE_DIR") ?? Path.GetFullPath("artifacts/bench/core");

    private string _small = "", _large = "";
    private CoReTarget[] _warmTargets = [];

    [GlobalSetup]
    public void Setup()
    {
        _small = Path.Combine(ObjectDirectory, "small.o");
        _large = Path.Combine(ObjectDirectory, "large.o");
        foreach (var path in new[] { _small, _large })
            if (!File.Exists(path))
                throw new InvalidOperationException($"{path} is missing: run scripts/core-bench-objects.sh first");
        _warmTargets = [new CoReTarget("vmlinux", BtfSpec.Load(BtfBenchmarks.BtfPath))];
        // One relocation per object up front: checks that both relocate cleanly and builds the target's name index.
        foreach (var path in new[] { _small, _large })
        {
            var result = CoReObjectRelocation.Relocate(ObjectSpec.Load(path), _warmTargets).Result;
            if (!result.Succeeded || result.Relocations.Count == 0)
                throw new InvalidOperationException($"{path}: relocation failed (errno {result.Errno})");
        }
    }

    /// <summary>Read the target BTF file and parse it, read the small object, relocate it.</summary>
    [Benchmark]
    public CoReObjectResult ParseAndRelocateSmall() => ParseAndRelocate(_small);

    /// <summary>Read the target BTF file and parse it, read the ~30,000-relocation object, relocate it.</summary>
    [Benchmark]
    public CoReObjectResult ParseAndRelocateLarge() => ParseAndRelocate(_large);

    /// <summary>Read the small object and relocate it against a target parsed (and name-indexed) before.</summary>
    [Benchmark]
    public CoReObjectResult RelocateSmallWarm() => CoReObjectRelocation.Relocate(ObjectSpec.Load(_small), _warmTargets);

    /// <summary>Read the large object and relocate it against a target parsed (and name-indexed) before.</summary>
    [Benchmark]
    public CoReObjectResult RelocateLargeWarm() => CoReObjectRelocation.Relocate(ObjectSpec.Load(_large), _warmTargets);

    private static CoReObjectResult ParseAndRelocate(string objectPath) =>
        CoReObjectRelocation.Relocate(ObjectSpec.Load(objectPath),
            [new CoReTarget("vmlinux", BtfSpec.Load(BtfBenchmarks.BtfPath))]);
}
