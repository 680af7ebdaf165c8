using System.Runtime.Loader;
using BpfSharp.Compiler;
using BpfSharp.Compilation;
using BpfSharp.Linux.Loading;
using BpfSharp.Tests.CompilerDiagnostics;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.CompilerIntegration;

/// <summary>
/// <see cref="BpfProgramSet"/>: compile-and-load in one call, and loading the object the MSBuild target left next to
/// an assembly (or compiling the assembly when there is none or it is stale), checked by running the program.
/// </summary>
[Collection(TinyBpfProjectCollection.Name)]
public sealed class BpfProgramSetTests(BuiltTinyProject built)
{
    private static readonly byte[] Packet = new byte[64];

    private static void AssertRuns(BpfCollection collection)
    {
        Assert.Equal(40u + (uint)Packet.Length, collection.Programs["CountAndMeasure"].TestRun(Packet).ReturnValue);
    }

    /// <summary>Loads a copy of the tiny assembly in its own load context, so its Location is the copy.</summary>
    private static T WithAssemblyAt<T>(string directory, Func<System.Reflection.Assembly, T> use)
    {
        var context = new AssemblyLoadContext("bpfsharp-tiny-" + Guid.NewGuid().ToString("N")[..8], isCollectible: true);
        try
        {
            return use(context.LoadFromAssemblyPath(Path.Combine(directory, TinyBpfProject.Name + ".dll")));
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void CompileAndLoadRunsTheProgram()
    {
        KernelObjects.RequireBpf();
        using var collection = BpfProgramSet.CompileAndLoad(built.Project.AssemblyPath);

        AssertRuns(collection);
    }

    [Fact]
    public void CompileAndOpenSetsReadOnlyDataBeforeLoad()
    {
        KernelObjects.RequireBpf();
        using var opened = BpfProgramSet.CompileAndOpen(built.Project.AssemblyPath);
        opened.Variable<uint>("Bias").Value = 1000;
        opened.Load();

        Assert.Equal(1000u + (uint)Packet.Length, opened.Program("CountAndMeasure").TestRun(Packet).ReturnValue);
        Assert.Throws<InvalidOperationException>(() => opened.Variable<uint>("Bias").Value = 1);
    }

    [Fact]
    public void CompileAndLoadThrowsWithTheDiagnostics()
    {
        var e = Assert.Throws<BpfCompilationException>(() => BpfProgramSet.CompileAndLoad(DiagnosticProgramSources.AssemblyPath));

        Assert.Equal(DiagnosticProgramSources.ProgramClasses().Count(), e.Diagnostics.Count(d => d.IsError && DiagnosticProgramSources.IsInProgramFile(d)));
        var (id, line) = Assert.Single(DiagnosticProgramSources.Markers("DirectRecursion"));
        Assert.Contains($"{DiagnosticProgramSources.SourceFile("DirectRecursion")}({line},", e.Message);
        Assert.Contains(e.Diagnostics, d => d.Id == id && d.Location.Line == line);
    }

    [Fact]
    public void LoadCompiledForPrefersTheEmbeddedObject()
    {
        KernelObjects.RequireBpf();
        var dir = built.Project.CopyOutput("embedded-first");
        var sidecar = Path.Combine(dir, TinyBpfProject.Name + ".bpf.o");
        File.WriteAllBytes(sidecar, "not an ELF object"u8.ToArray());
        File.SetLastWriteTimeUtc(sidecar, DateTime.UtcNow.AddMinutes(1));

        WithAssemblyAt(dir, assembly =>
        {
            using var collection = BpfProgramSet.LoadCompiledFor(assembly);
            AssertRuns(collection);
            return 0;
        });
    }

    [Fact]
    public void LoadCompiledForUsesTheSidecarObject()
    {
        KernelObjects.RequireBpf();
        var dir = built.SidecarOnly.CopyOutput("sidecar-used");

        WithAssemblyAt(dir, assembly =>
        {
            Assert.Equal(Path.Combine(dir, TinyBpfProject.Name + ".bpf.o"), BpfProgramSet.FindObjectFor(assembly));
            using var collection = BpfProgramSet.LoadCompiledFor(assembly);
            AssertRuns(collection);
            return 0;
        });
    }

    [Fact]
    public void LoadCompiledForReadsTheSidecarRatherThanCompiling()
    {
        var dir = built.SidecarOnly.CopyOutput("sidecar-garbage");
        var sidecar = Path.Combine(dir, TinyBpfProject.Name + ".bpf.o");
        File.WriteAllBytes(sidecar, "not an ELF object"u8.ToArray());
        File.SetLastWriteTimeUtc(sidecar, DateTime.UtcNow.AddMinutes(1));

        WithAssemblyAt(dir, assembly => Assert.Throws<BpfFormatException>(() => BpfProgramSet.LoadCompiledFor(assembly)));
    }

    [Fact]
    public void LoadCompiledForIgnoresAStaleSidecarAndCompiles()
    {
        KernelObjects.RequireBpf();
        var dir = built.SidecarOnly.CopyOutput("sidecar-stale");
        var sidecar = Path.Combine(dir, TinyBpfProject.Name + ".bpf.o");
        File.WriteAllBytes(sidecar, "stale garbage"u8.ToArray());
        File.SetLastWriteTimeUtc(sidecar, File.GetLastWriteTimeUtc(Path.Combine(dir, TinyBpfProject.Name + ".dll")).AddHours(-1));

        WithAssemblyAt(dir, assembly =>
        {
            Assert.Null(BpfProgramSet.FindObjectFor(assembly));
            using var collection = BpfProgramSet.LoadCompiledFor(assembly);
            AssertRuns(collection);
            return 0;
        });
    }

    [Fact]
    public void LoadCompiledForCompilesWhenThereIsNoSidecar()
    {
        KernelObjects.RequireBpf();
        var dir = built.SidecarOnly.CopyOutput("sidecar-none");
        File.Delete(Path.Combine(dir, TinyBpfProject.Name + ".bpf.o"));

        WithAssemblyAt(dir, assembly =>
        {
            Assert.Null(BpfProgramSet.FindObjectFor(assembly));
            using var collection = BpfProgramSet.LoadCompiledFor(assembly);
            AssertRuns(collection);
            return 0;
        });
    }
}
