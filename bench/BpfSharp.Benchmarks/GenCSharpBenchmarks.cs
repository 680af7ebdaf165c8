using BenchmarkDotNet.Attributes;
using BpfSharp.Btf;
using BpfSharp.Btf.Formatting;

namespace BpfSharp.Benchmarks;

/// <summary>
/// <c>bpfsharp gen csharp</c> in process: [Relocatable] bindings for every type of the running kernel's BTF, written
/// to a null stream (docs/gen-csharp.md has the whole-process figures).
/// </summary>
[MemoryDiagnoser]
public class GenCSharpBenchmarks
{
    private BtfSpec _spec = null!;

    [GlobalSetup]
    public void Setup() => _spec = BtfSpec.Load(BtfBenchmarks.BtfPath);

    /// <summary>Every type of the kernel's BTF.</summary>
    [Benchmark]
    public void WholeKernel() => BtfCSharpFormatter.Write(_spec, Stream.Null);
}
