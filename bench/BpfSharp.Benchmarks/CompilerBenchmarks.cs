using BenchmarkDotNet.Attributes;
using BpfSharp.Compiler;

namespace BpfSharp.Benchmarks;

/// <summary>
/// Compile time of the whole C# test program assembly (tests/BpfSharp.TestPrograms: the semantics programs and the
/// C/C# twins) into one BPF object, from reading IL and PDB to the finished ELF bytes.
/// </summary>
[MemoryDiagnoser]
public class CompilerBenchmarks
{
    private string _assembly = "";

    [GlobalSetup]
    public void Setup()
    {
        _assembly = Path.Combine(AppContext.BaseDirectory, "BpfSharp.TestPrograms.dll");
        var first = BpfCompiler.Compile(_assembly);
        if (!first.Success)
            throw new InvalidOperationException("the test programs do not compile: " + string.Join("; ", first.Diagnostics));
    }

    /// <summary>BpfCompiler.Compile on BpfSharp.TestPrograms.dll.</summary>
    [Benchmark]
    public int CompileTestPrograms() => BpfCompiler.Compile(_assembly).Object!.Length;
}
