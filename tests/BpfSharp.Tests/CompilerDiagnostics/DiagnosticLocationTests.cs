using BpfSharp.Compiler;

namespace BpfSharp.Tests.CompilerDiagnostics;

/// <summary>
/// What cannot run in BPF is a compile error with the C# file and line from the PDB, never a silent miscompile
/// or a crash: each program of tests/BpfSharp.DiagnosticPrograms is compiled on its own and must fail with exactly
/// the diagnostic its <c>// expect: BPFS####</c> marker names, located on the marked line.
/// </summary>
public sealed class DiagnosticLocationTests
{
    public static TheoryData<string> Programs() => new(DiagnosticProgramSources.ProgramClasses());

    /// <summary>
    /// Programs the compiler rejects, but with a wrong id or line today. Their test still runs in full: while the
    /// compiler is wrong it is skipped with the reason below; once the compiler is right it fails, asking for the
    /// entry to be removed, so this table cannot go stale.
    /// </summary>
    private static readonly Dictionary<string, string> KnownCompilerBugs = new()
    {
    };

    [Theory]
    [MemberData(nameof(Programs))]
    public void BadProgramIsReportedAtTheMarkedLine(string program)
    {
        // Rejected with exactly one error, always: a known bug below is about the id or line, never about this.
        var compilation = DiagnosticProgramSources.Compile(program);
        Assert.False(compilation.Success, $"{program} compiled to an object although it must not");
        Assert.Null(compilation.Object);
        var error = Assert.Single(compilation.Diagnostics, d => d.IsError);
        Assert.Matches(@"^BPFS\d{4}$", error.Id);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));

        if (!KnownCompilerBugs.TryGetValue(program, out var bug))
        {
            CheckIdAndLocation(program, error);
            return;
        }

        try
        {
            CheckIdAndLocation(program, error);
        }
        catch (Xunit.Sdk.XunitException e)
        {
            Assert.Skip(bug + " — " + e.Message);
        }

        Assert.Fail($"{program} is now diagnosed correctly: remove it from {nameof(KnownCompilerBugs)}");
    }

    private static void CheckIdAndLocation(string program, CompilerDiagnostic error)
    {
        var (expectedId, expectedLine) = Assert.Single(DiagnosticProgramSources.Markers(program));
        var where = $"{program}: got {error}";
        Assert.True(expectedId == error.Id, $"expected {expectedId}; {where}");
        Assert.True(Path.GetFileName(error.Location.File) == program + ".cs", $"expected file {program}.cs; {where}");
        Assert.EndsWith(Path.Combine("BpfSharp.DiagnosticPrograms", program + ".cs"), error.Location.File);
        Assert.True(expectedLine == error.Location.Line, $"expected line {expectedLine}; {where}");
        Assert.True(error.Location.Column > 0, where);
        Assert.StartsWith($"{error.Location.File}({expectedLine},{error.Location.Column}): error {expectedId}: ", error.ToString());
    }

    [Fact]
    public void EveryProgramFileHasExactlyOneMarkerAndOneProgramClass()
    {
        var classes = DiagnosticProgramSources.ProgramClasses().ToHashSet();
        var files = Directory.GetFiles(DiagnosticProgramSources.SourceDirectory, "*.cs").Select(Path.GetFileNameWithoutExtension).ToHashSet();
        Assert.Equal(files.Order(), classes.Order());
        foreach (var c in classes)
        {
            Assert.Single(DiagnosticProgramSources.Markers(c));
        }
    }

    [Fact]
    public void ErrorsInTwoProgramsAreBothReported()
    {
        var compilation = DiagnosticProgramSources.Compile("DoubleArithmetic", "DirectRecursion");

        Assert.False(compilation.Success);
        var errors = compilation.Diagnostics.Where(d => d.IsError).ToList();
        Assert.Equal(2, errors.Count);
        foreach (var program in new[] { "DoubleArithmetic", "DirectRecursion" })
        {
            var (id, line) = Assert.Single(DiagnosticProgramSources.Markers(program));
            Assert.Contains(errors, e => e.Id == id && Path.GetFileName(e.Location.File) == program + ".cs" && e.Location.Line == line);
        }
    }

    [Fact]
    public void ProgramFilterLeavesOutEverythingElse()
    {
        // Every program of the assembly is bad, so compiling none of them is "no programs", not their errors.
        var compilation = BpfCompiler.Compile(DiagnosticProgramSources.AssemblyPath, new BpfCompilerOptions { ProgramFilter = _ => false });

        var error = Assert.Single(compilation.Diagnostics);
        Assert.Equal(DiagnosticIds.NoPrograms, error.Id);
    }

    [Fact]
    public void WholeAssemblyReportsOneErrorPerProgram()
    {
        var compilation = BpfCompiler.Compile(DiagnosticProgramSources.AssemblyPath,
            new BpfCompilerOptions { ProgramFilter = DiagnosticProgramSources.IsProgramOfAProgramClass });

        Assert.False(compilation.Success);
        var files = compilation.Diagnostics.Where(d => d.IsError).Select(d => Path.GetFileNameWithoutExtension(d.Location.File)).Order().ToList();
        Assert.Equal(DiagnosticProgramSources.ProgramClasses().Order(), files);
    }
}
