using BpfSharp.Compiler;

namespace BpfSharp.Tests.Compiler;

/// <summary>The C# test programs (tests/BpfSharp.TestPrograms) compiled once per test run with BpfCompiler.</summary>
internal static class CompiledTestPrograms
{
    private static readonly Lazy<(BpfCompilation Compilation, string ObjectPath)> Compiled = new(() =>
    {
        var compilation = BpfCompiler.Compile(AssemblyPath);
        var dir = Path.Combine(Path.GetTempPath(), "bpfsharp-compiler-tests-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "testprograms.bpf.o");
        if (compilation.Success)
        {
            File.WriteAllBytes(path, compilation.Object!);
        }

        return (compilation, path);
    });

    /// <summary>BpfSharp.TestPrograms.dll beside the test assembly.</summary>
    public static string AssemblyPath => Path.Combine(AppContext.BaseDirectory, "BpfSharp.TestPrograms.dll");

    public static BpfCompilation Compilation => Compiled.Value.Compilation;

    /// <summary>The object on disk (for bpftool and llvm-objdump).</summary>
    public static string ObjectPath
    {
        get
        {
            var c = Compiled.Value;
            Assert.True(c.Compilation.Success, string.Join("\n", c.Compilation.Diagnostics));
            return c.ObjectPath;
        }
    }
}
