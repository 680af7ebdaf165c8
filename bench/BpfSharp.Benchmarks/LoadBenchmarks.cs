using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;

namespace BpfSharp.Benchmarks;

/// <summary>
/// Opening and loading a whole object into the running kernel and closing it again: <c>ObjectSpec.Load</c> +
/// <c>BpfCollection.Load</c> (object BTF loaded into the kernel, maps created, CO-RE against
/// /sys/kernel/btf/vmlinux, programs verified) + <c>Dispose</c>. native/load_bench.c times libbpf's
/// <c>bpf_object__open_file</c> + <c>bpf_object__load</c> + <c>bpf_object__close</c> on the same objects.
/// The objects are compiled at bench time into <see cref="ObjectDirectory"/> (see docs/performance.md).
/// Needs root (or CAP_BPF).
/// </summary>
/// <remarks>
/// <see cref="OpenLoadClose"/> is a load in a long-running process: the running kernel's BTF and Kconfig come
/// from the <see cref="RunningKernel"/> cache. <see cref="OpenLoadCloseCold"/> flushes that cache first, so every
/// operation is a first load that reads and parses /sys/kernel/btf/vmlinux and /proc/config.gz, the same work
/// libbpf does on every <c>bpf_object__load</c>.
/// </remarks>
[MemoryDiagnoser]
public class LoadBenchmarks
{
    private string _path = "";
    private long _operations;
    private TimeSpan _userStart, _systemStart;

    /// <summary>Object file name (without .o) in <see cref="ObjectDirectory"/>.</summary>
    [Params("task_parent", "core_task", "everything", "execsnoop_cs")]
    public string Object { get; set; } = "";

    /// <summary>BPFSHARP_BENCH_LOAD_DIR, else artifacts/bench/load above the benchmark binary.</summary>
    public static string ObjectDirectory
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("BPFSHARP_BENCH_LOAD_DIR");
            if (env is not null) return env;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "artifacts", "bench", "load");
                if (Directory.Exists(candidate)) return candidate;
            }
            throw new DirectoryNotFoundException("artifacts/bench/load not found: compile the objects or set BPFSHARP_BENCH_LOAD_DIR");
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(ObjectDirectory, Object + ".o");
        if (!File.Exists(_path)) throw new FileNotFoundException($"{_path} is missing", _path);
        OpenLoadClose(); // fails early (with the loader's message) if the object does not load
        var process = Process.GetCurrentProcess();
        _userStart = process.UserProcessorTime;
        _systemStart = process.PrivilegedProcessorTime;
        _operations = 0;
    }

    /// <summary>
    /// Writes the mean user and system CPU time per operation (all benchmark invocations since setup, pilot and
    /// warm-up included) to load-cpu-OBJECT.txt in <see cref="ObjectDirectory"/>, like native/load_bench's
    /// load_LABEL_user / load_LABEL_sys lines.
    /// </summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        if (_operations == 0) return;
        var process = Process.GetCurrentProcess();
        double user = (process.UserProcessorTime - _userStart).TotalNanoseconds / _operations;
        double system = (process.PrivilegedProcessorTime - _systemStart).TotalNanoseconds / _operations;
        File.WriteAllText(Path.Combine(ObjectDirectory, $"load-cpu-{Object}.txt"), string.Create(CultureInfo.InvariantCulture,
            $"load_{Object}_user {user:F0}\nload_{Object}_sys {system:F0}\nload_{Object}_operations {_operations}\n"));
    }

    /// <summary>Open, load into the kernel, close everything; the running kernel's BTF and Kconfig come from the process-wide cache.</summary>
    [Benchmark]
    public int OpenLoadClose()
    {
        _operations++;
        return OpenLoadClose(_path);
    }

    /// <summary>The same as a first load in a process: the running-kernel cache is flushed before each operation.</summary>
    [Benchmark]
    public int OpenLoadCloseCold()
    {
        _operations++;
        RunningKernel.Flush();
        return OpenLoadClose(_path);
    }

    private static int OpenLoadClose(string path)
    {
        using var collection = BpfCollection.Load(ObjectSpec.Load(path));
        return collection.Programs.Count + collection.Maps.Count;
    }

    /// <summary>
    /// <c>--load-loop [-n ITERATIONS] LABEL=OBJ...</c>: the native/load_bench loop in this process, for running
    /// interleaved with it. Per object, after warm-up, ITERATIONS cold loads (cache flushed before each) and then
    /// ITERATIONS warm loads, each an open + load + close; prints the medians in nanoseconds as
    /// <c>load_LABEL_cold</c>, <c>load_LABEL_warm</c> and <c>load_LABEL_open</c> (ObjectSpec.Load alone).
    /// </summary>
    public static int RunLoop(IReadOnlyList<string> args)
    {
        int iterations = 20, at = 0;
        if (args.Count >= 2 && args[0] == "-n")
        {
            iterations = int.Parse(args[1], CultureInfo.InvariantCulture);
            at = 2;
        }
        if (at >= args.Count)
        {
            Console.Error.WriteLine("usage: --load-loop [-n ITERATIONS] LABEL=OBJ...");
            return 2;
        }
        var cold = new double[iterations];
        var warm = new double[iterations];
        var open = new double[iterations];
        for (; at < args.Count; at++)
        {
            var eq = args[at].IndexOf('=');
            var (label, path) = eq > 0 ? (args[at][..eq], args[at][(eq + 1)..]) : (Path.GetFileNameWithoutExtension(args[at]), args[at]);
            // Warm-up long enough for tiered compilation to finish optimising the load path.
            for (int i = 0; i < 30; i++) { RunningKernel.Flush(); OpenLoadClose(path); OpenLoadClose(path); }
            Thread.Sleep(500);
            for (int i = 0; i < 10; i++) { RunningKernel.Flush(); OpenLoadClose(path); OpenLoadClose(path); }
            for (int i = 0; i < iterations; i++)
            {
                long start = Stopwatch.GetTimestamp();
                RunningKernel.Flush();
                OpenLoadClose(path);
                cold[i] = Stopwatch.GetElapsedTime(start).TotalNanoseconds;
            }
            OpenLoadClose(path); // fills the cache
            for (int i = 0; i < iterations; i++)
            {
                long start = Stopwatch.GetTimestamp();
                OpenLoadClose(path);
                warm[i] = Stopwatch.GetElapsedTime(start).TotalNanoseconds;
            }
            for (int i = 0; i < iterations; i++)
            {
                long start = Stopwatch.GetTimestamp();
                ObjectSpec.Load(path);
                open[i] = Stopwatch.GetElapsedTime(start).TotalNanoseconds;
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"load_{label}_cold {Median(cold):F0}\nload_{label}_warm {Median(warm):F0}\nload_{label}_open {Median(open):F0}"));
        }
        return 0;
    }

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Only the user-space parse (libbpf's <c>bpf_object__open_file</c>): ELF, BTF, .BTF.ext, relocations.</summary>
    [Benchmark]
    public int Open() => ObjectSpec.Load(_path).Programs.Count;
}
