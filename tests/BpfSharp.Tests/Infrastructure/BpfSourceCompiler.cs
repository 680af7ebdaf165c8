using BpfSharp.Compiler;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;

namespace BpfSharp.Tests.Infrastructure;

/// <summary>
/// C# BPF programs given as source, compiled in-process with Roslyn (an assembly and its portable PDB on disk,
/// against the framework and BpfSharp.Kernel) and then by <see cref="BpfCompiler"/>: a test's own programs without a
/// scratch project and 'dotnet build', which a shared machine pays for in minutes.
/// </summary>
internal static class BpfSourceCompiler
{
    /// <summary>Compiles <paramref name="source"/> (C# errors fail the test) and returns the BPF compilation.</summary>
    public static BpfCompilation Compile(string name, string source, Func<string, bool>? programFilter = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"bpfsharp-src-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var path = Path.Combine(dir, name + ".dll");
            var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: Path.Combine(dir, name + ".cs"),
                encoding: System.Text.Encoding.UTF8);
            var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, optimizationLevel: OptimizationLevel.Release);
            var compilation = CSharpCompilation.Create(name, [tree], PlatformReferences.All, options);
            using (var pe = File.Create(path))
            using (var pdb = File.Create(Path.ChangeExtension(path, ".pdb")))
            {
                var emitted = compilation.Emit(pe, pdb, options: new EmitOptions(debugInformationFormat: DebugInformationFormat.PortablePdb));
                Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
            }

            var bpfOptions = new BpfCompilerOptions { ProgramFilter = programFilter };
            bpfOptions.ReferenceDirectories.Add(AppContext.BaseDirectory);
            return BpfCompiler.Compile(path, bpfOptions);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
