using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
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

    /// <summary>Open, load into the kernel, close everything.</summary>
    [Benchmark]
    public int OpenLoadClose()
    {
        _operations++;
        using var collection = BpfCollection.Load(ObjectSpec.Load(_path));
        return collection.Programs.Count + collection.Maps.Count;
    }

    /// <summary>Only the user-space parse (libbpf's <c>bpf_object__open_file</c>): ELF, BTF, .BTF.ext, relocations.</summary>
    [Benchmark]
    public int Open() => ObjectSpec.Load(_path).Programs.Count;
}
