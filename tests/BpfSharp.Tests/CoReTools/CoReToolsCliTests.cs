using System.CommandLine;
using System.Text.Json;
using BpfSharp.Btf;
using BpfSharp.Cli.Commands;
using BpfSharp.CoRe.Tools;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.CoReTools;

/// <summary>The <c>core check</c> and <c>gen min-btf</c> commands.</summary>
public sealed class CoReToolsCliTests
{
    private static (int Exit, string Output) Run(params string[] args)
    {
        var root = new RootCommand { CoreCheckCommand.Create(), GenCommand.Create() };
        BpfSharp.Cli.GlobalOptions.AddTo(root);
        var output = new StringWriter();
        int exit = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = output, EnableDefaultExceptionHandler = false });
        return (exit, output.ToString());
    }

    [Fact]
    public void Check_PlainMatrix_AndExitCode()
    {
        string guards = CoReToolsKit.Tools("guards"), carrier = CoReToolsKit.Tools("guards___target");
        var (exit, text) = Run("check", guards, CoReToolsKit.CoreReads, "--target", carrier, "--programs", "--details");
        Assert.Equal(CoreCheckCommand.FailsExitCode, exit);
        string[] lines = text.Split('\n');
        Assert.Contains(lines, l => l.Contains("guards.o:guarded", StringComparison.Ordinal) && l.Contains("guarded (2/", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("guards.o:unguarded", StringComparison.Ordinal) && l.Contains("fails (1/1)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("guards.o:clean", StringComparison.Ordinal) && l.Contains("loads (3)", StringComparison.Ordinal));
        Assert.Contains("and reachable", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_Json_MatchesLibraryReport()
    {
        string guards = CoReToolsKit.Tools("guards"), carrier = CoReToolsKit.Tools("guards___target");
        var (exit, text) = Run("check", guards, "--target", carrier, "--json");
        Assert.Equal(CoreCheckCommand.FailsExitCode, exit);
        using var doc = JsonDocument.Parse(text);
        var cell = doc.RootElement.GetProperty("objects")[0].GetProperty("kernels")[0];
        var lib = CoReCompatibility.Check([CoReCheckObject.Load(guards)], [CoReKernel.FromFile(carrier)])[0, 0];
        Assert.Equal(lib.Verdict.ToString().ToLowerInvariant(), cell.GetProperty("verdict").GetString());
        Assert.Equal(lib.Relocations.Count, cell.GetProperty("relocations").GetArrayLength());
        Assert.Equal(lib.Counts.Guarded, cell.GetProperty("guarded").GetInt32());
        Assert.False(doc.RootElement.GetProperty("all_load").GetBoolean());
    }

    [Fact]
    public void Check_Directory_OnlyBtfNames()
    {
        string dir = TestPaths.NewScratchDirectory("core-tools-cli");
        File.Copy(TestPaths.Kernel("ci-5.13.2.btf.gz"), Path.Combine(dir, "5.13.btf.gz"));
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "not a kernel");
        var (exit, text) = Run("check", CoReToolsKit.CoreReads, "--target", dir);
        Assert.Contains("5.13", text, StringComparison.Ordinal);
        Assert.DoesNotContain("notes", text, StringComparison.Ordinal);
        Assert.True(exit is 0 or CoreCheckCommand.FailsExitCode);
    }

    [Fact]
    public void GenMinBtf_WritesWhatTheLibraryBuilds()
    {
        string dir = TestPaths.NewScratchDirectory("core-tools-gen");
        string output = Path.Combine(dir, "min.btf");
        string kernel = TestPaths.Kernel("debian-6.12.117-amd64.btf.gz");
        var (exit, text) = Run("gen", "min-btf", kernel, output, CoReToolsKit.KernelReads);
        Assert.True(exit == 0, text);
        var expected = MinimalBtf.GenerateBytes(KernelBtfFiles.Load(kernel), [ObjectSpec.Load(CoReToolsKit.KernelReads)]);
        Assert.Equal(expected, File.ReadAllBytes(output));
        Assert.True(BtfSpec.Load(output).TypeCount > 10);
    }
}
