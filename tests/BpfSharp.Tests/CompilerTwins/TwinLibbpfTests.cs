using BpfSharp.Objects;
using BpfSharp.Tests.Compiler;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.CompilerTwins;

/// <summary>The compiled C# object (twins included) through libbpf: bpftool prog loadall and bpftool gen object, warning-free.</summary>
public sealed class TwinLibbpfTests
{
    /// <summary>Fails on anything libbpf or bpftool print as a warning or error.</summary>
    private static void AssertQuiet(string what, ToolResult result)
    {
        Assert.True(result.ExitCode == 0, $"{what} exited with {result.ExitCode}: {result.Stderr}");
        var noise = result.Stderr.Split('\n').Where(l => l.Contains("libbpf", StringComparison.OrdinalIgnoreCase)
            || l.Contains("warn", StringComparison.OrdinalIgnoreCase) || l.Contains("error", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(noise.Count == 0, $"{what} printed:\n{string.Join('\n', noise)}");
    }

    [Fact]
    public void BpftoolLoadsEveryCompiledProgram()
    {
        KernelObjects.RequireBpf();
        string pins = "/sys/fs/bpf/bpfsharp-twins-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            AssertQuiet("bpftool prog loadall", ExternalTool.Run("bpftool", ["prog", "loadall", CompiledTestPrograms.ObjectPath, pins]));
            var expected = CompiledTestPrograms.Compilation.Programs.Count;
            Assert.Equal(expected, Directory.GetFiles(pins).Length);
            foreach (var twin in Twin.All)
                Assert.True(File.Exists(Path.Combine(pins, twin.Program)), $"bpftool did not pin {twin.Program}");
        }
        finally
        {
            if (Directory.Exists(pins))
            {
                foreach (var f in Directory.GetFiles(pins)) File.Delete(f);
                Directory.Delete(pins);
            }
        }
    }

    [Fact]
    public void BpftoolGenObjectLinksTheCompiledObject()
    {
        string dir = TestPaths.NewScratchDirectory("twins-gen-object");
        string linked = Path.Combine(dir, "linked.bpf.o");
        AssertQuiet("bpftool gen object", ExternalTool.Run("bpftool", ["gen", "object", linked, CompiledTestPrograms.ObjectPath]));
        var spec = ObjectSpec.Load(linked);
        var original = ObjectSpec.Load(CompiledTestPrograms.ObjectPath);
        Assert.Equal(original.Programs.Where(p => !p.IsSubprogram).Select(p => p.Name).Order(StringComparer.Ordinal),
            spec.Programs.Where(p => !p.IsSubprogram).Select(p => p.Name).Order(StringComparer.Ordinal));
        foreach (var p in original.Programs)
            Assert.Equal(p.InstructionCount, spec.FindProgram(p.Name)!.InstructionCount);
    }
}
