using BpfSharp.Compiler;

namespace BpfSharp.Tests.Compiler;

/// <summary>The C# test programs (tests/BpfSharp.TestPrograms) compiled once per test run with BpfCompiler.</summary>
internal static class CompiledTestPrograms
{
    private static readonly Lazy<(BpfCompilation Compilation, string ObjectPath)> Compiled = new(() =>
    {
        // The network hook programs have objects of their own (Runtime/NetworkHookPrograms): some of their sections
        // (sk_skb/verdict, cgroup/*_unix) are newer than bpftool 7.1's libbpf, which loads this object whole.
        var compilation = BpfCompiler.Compile(AssemblyPath,
            new BpfCompilerOptions { ProgramFilter = name => !name.StartsWith(NetworkNamespace, StringComparison.Ordinal) });
        var dir = Path.Combine(Path.GetTempPath(), "bpfsharp-compiler-tests-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "testprograms.bpf.o");
        if (compilation.Success)
        {
            File.WriteAllBytes(path, compilation.Object!);
        }

        return (compilation, path);
    });

    /// <summary>The namespace of the programs left out of this object.</summary>
    public const string NetworkNamespace = "BpfSharp.TestPrograms.Network.";

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
