using BenchmarkDotNet.Attributes;
using BpfSharp.Btf;

namespace BpfSharp.Benchmarks;

/// <summary>
/// The running kernel's BTF (/sys/kernel/btf/vmlinux): parse, name lookup and a full walk. The native harness
/// native/btf_bench.c measures the same operations with libbpf; scripts/bench.sh puts both side by side.
/// </summary>
[MemoryDiagnoser]
public class BtfBenchmarks
{
    /// <summary>The BTF file benchmarked (BPFSHARP_BENCH_BTF overrides the running kernel's).</summary>
    public static string BtfPath => Environment.GetEnvironmentVariable("BPFSHARP_BENCH_BTF") ?? "/sys/kernel/btf/vmlinux";

    /// <summary>Same 20 names, same order, as native/btf_bench.c.</summary>
    public static readonly string[] WellKnownStructs =
    [
        "task_struct", "sk_buff", "file", "inode", "dentry",
        "sock", "mm_struct", "super_block", "net_device", "page",
        "cred", "pid", "vm_area_struct", "socket", "bio",
        "cgroup", "bpf_prog", "bpf_map", "path", "seq_file",
    ];

    private byte[] _bytes = [];
    private byte[][] _names = [];
    private BtfSpec _warm = null!;
    private static readonly byte[] Missing = "no_such_struct_anywhere"u8.ToArray();

    [GlobalSetup]
    public void Setup()
    {
        _bytes = File.ReadAllBytes(BtfPath);
        _names = WellKnownStructs.Select(n => System.Text.Encoding.UTF8.GetBytes(n)).ToArray();
        _warm = BtfSpec.Parse(_bytes, source: BtfPath);
        if (Find20(_warm) <= 0) throw new InvalidOperationException("well-known structs missing from " + BtfPath);
    }

    /// <summary>Parse bytes already in memory (libbpf: btf__new).</summary>
    [Benchmark]
    public BtfSpec ParseMemory() => BtfSpec.Parse(_bytes, source: BtfPath);

    /// <summary>Read the file and parse it (libbpf: btf__parse).</summary>
    [Benchmark]
    public BtfSpec ParseFile() => BtfSpec.Load(BtfPath);

    /// <summary>Parse, then the 20 lookups; the first lookup builds the name index.</summary>
    [Benchmark]
    public long ParseAndFind20() => Find20(BtfSpec.Parse(_bytes, source: BtfPath));

    /// <summary>The 20 lookups on a spec whose name index exists.</summary>
    [Benchmark]
    public long Find20Warm() => Find20(_warm);

    /// <summary>One lookup of a name that does not exist.</summary>
    [Benchmark]
    public int FindMissing() => _warm.FindByName(Missing, BtfKind.Struct);

    /// <summary>Every type's kind, name and size.</summary>
    [Benchmark]
    public long IterateAllTypes()
    {
        long sum = 0;
        var spec = _warm;
        for (var id = 1; id < spec.TypeCount; id++)
        {
            var type = spec[id];
            var name = type.NameUtf8;
            sum += (int)type.Kind + name.Length + type.Size;
        }
        return sum;
    }

    private long Find20(BtfSpec spec)
    {
        long sum = 0;
        foreach (var name in _names)
        {
            var id = spec.FindByName(name, BtfKind.Struct);
            if (id <= 0) return -1;
            sum += id;
        }
        return sum;
    }
}
