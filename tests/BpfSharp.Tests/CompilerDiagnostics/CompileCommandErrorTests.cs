using System.Diagnostics;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.CompilerDiagnostics;

/// <summary><c>bpfsharp compile</c> on an assembly with bad programs, run as a process like a build would run it.</summary>
public sealed class CompileCommandErrorTests
{
    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "bpfsharp.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, err.Result);
    }

    [Fact]
    public void ErrorsArePrintedInMsBuildFormatAndExitCodeIsOne()
    {
        var dir = TestPaths.NewScratchDirectory("compile-errors");
        var target = Path.Combine(dir, "bad.bpf.o");

        var (code, _, err) = Cli("compile", DiagnosticProgramSources.AssemblyPath, "-o", target);

        Assert.Equal(1, code);
        Assert.False(File.Exists(target), "no object may be written when there are errors");
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var inProgramFiles = lines.Where(l => l.StartsWith(DiagnosticProgramSources.SourceDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            && !l[(DiagnosticProgramSources.SourceDirectory.Length + 1)..].Split('(')[0].Contains(Path.DirectorySeparatorChar));
        Assert.Equal(DiagnosticProgramSources.ProgramClasses().Count(), inProgramFiles.Count(l => l.Contains(": error BPFS", StringComparison.Ordinal)));
        foreach (var program in new[] { "DoubleArithmetic", "DirectRecursion", "VirtualCall", "StackTooLarge", "RelocatableSizeof" })
        {
            var (id, line) = Assert.Single(DiagnosticProgramSources.Markers(program));
            var prefix = $"{DiagnosticProgramSources.SourceFile(program)}({line},";
            var printed = Assert.Single(lines, l => l.StartsWith(prefix, StringComparison.Ordinal));
            Assert.Matches(@"^.+\(\d+,\d+\): error " + id + ": .+", printed);
        }
    }

    [Fact]
    public void MissingAssemblyIsAnErrorWithExitCodeOne()
    {
        var (code, _, err) = Cli("compile", Path.Combine(TestPaths.NewScratchDirectory("compile-missing"), "nothing.dll"));

        Assert.Equal(1, code);
        Assert.Contains("error BPFS2001", err);
    }
}
