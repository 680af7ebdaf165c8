using BpfSharp.Compiler;
using BpfSharp.Tests.Compiler;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Robustness;

/// <summary>Issue 13, D12: a corrupted assembly is a compiler diagnostic, never an exception from the metadata reader.</summary>
public class CorruptAssemblyTests
{
    [Fact]
    public void MutatedAssembliesGiveDiagnosticsNotExceptions()
    {
        var original = File.ReadAllBytes(CompiledTestPrograms.AssemblyPath);
        var dir = TestPaths.NewScratchDirectory("corrupt-assembly");
        var options = new BpfCompilerOptions();
        options.ReferenceDirectories.Add(AppContext.BaseDirectory);
        var random = new Random(13);
        var outcomes = new Dictionary<string, int>();
        for (int i = 0; i < 150; i++)
        {
            var mutant = (byte[])original.Clone();
            // A few bytes anywhere, or a run in the metadata half where the tables and heaps are.
            int flips = 1 + random.Next(8);
            for (int f = 0; f < flips; f++)
                mutant[random.Next(i % 2 == 0 ? 0 : mutant.Length / 2, mutant.Length)] = (byte)random.Next(256);
            var path = Path.Combine(dir, $"mutant{i}.dll");
            File.WriteAllBytes(path, mutant);
            BpfCompilation result;
            try
            {
                result = BpfCompiler.Compile(path, options);
            }
            catch (Exception e)
            {
                Assert.Fail($"mutant {i}: {e.GetType().Name} escaped: {e}");
                throw;
            }
            var key = result.Success ? "compiled" : result.Diagnostics.First(d => d.IsError).Id;
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
            File.Delete(path);
        }
        Assert.True(outcomes.Count > 1, string.Join(", ", outcomes));
    }
}
