using System.Diagnostics;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.CompilerIntegration;

/// <summary>
/// A throw-away C# project in a scratch directory that references BpfSharp.Kernel, imports
/// src/BpfSharp.Compiler/build/BpfSharp.Compiler.targets and sets <c>BpfCompile</c>, built with <c>dotnet build</c>
/// exactly as a user would. The compiler the targets run is the bpfsharp.dll built with these tests.
/// </summary>
internal sealed class TinyBpfProject
{
    public const string Name = "TinyProbes";

    /// <summary>An XDP program that counts its runs in an array map and returns 40 + the packet length.</summary>
    public const string GoodSource = """
        using BpfSharp.Kernel;

        [assembly: License("GPL")]

        public static unsafe class TinyProbes
        {
            static readonly ArrayMap<ulong> Runs = new(maxEntries: 1);

            [Xdp]
            public static int CountAndMeasure(XdpMd* ctx)
            {
                ulong* n = Runs.Lookup(0);
                if (n != null) *n += 1;
                return 40 + (int)(ctx->DataEnd - ctx->Data);
            }
        }
        """;

    private TinyBpfProject(string directory) => ProjectDirectory = directory;

    public string ProjectDirectory { get; }

    public string OutputDirectory => Path.Combine(ProjectDirectory, "bin", "Debug", "net10.0");

    public string AssemblyPath => Path.Combine(OutputDirectory, Name + ".dll");

    /// <summary>The sidecar object next to the assembly.</summary>
    public string ObjectPath => Path.Combine(OutputDirectory, Name + ".bpf.o");

    public string IntermediateObjectPath => Path.Combine(ProjectDirectory, "obj", "Debug", "net10.0", Name + ".bpf.o");

    /// <summary>Writes the project with the given C# files into a fresh scratch directory.</summary>
    public static TinyBpfProject Create(string scratchName, params (string FileName, string Source)[] files)
    {
        var dir = TestPaths.NewScratchDirectory(scratchName);
        var bin = AppContext.BaseDirectory;
        var targets = Path.Combine(TestPaths.RepoRoot, "src", "BpfSharp.Compiler", "build", "BpfSharp.Compiler.targets");
        File.WriteAllText(Path.Combine(dir, Name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <AllowUnsafeBlocks>true</AllowUnsafeBlocks>
                <Nullable>disable</Nullable>
                <BpfCompile>true</BpfCompile>
                <BpfSharpCompilerTool>{Path.Combine(bin, "bpfsharp.dll")}</BpfSharpCompilerTool>
              </PropertyGroup>
              <ItemGroup>
                <Reference Include="BpfSharp.Kernel" HintPath="{Path.Combine(bin, "BpfSharp.Kernel.dll")}" />
              </ItemGroup>
              <Import Project="{targets}" />
            </Project>
            """);
        foreach (var (fileName, source) in files)
        {
            File.WriteAllText(Path.Combine(dir, fileName), source);
        }

        return new TinyBpfProject(dir);
    }

    /// <summary>Runs <c>dotnet build</c> (no build server or node left running) and returns its exit code and output.</summary>
    public (int ExitCode, string Output) Build()
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = ProjectDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "build", "-nologo", "-nodeReuse:false", "-p:UseSharedCompilation=false", "-clp:NoSummary" })
        {
            psi.ArgumentList.Add(a);
        }

        // The test host runs under dotnet test; its MSBuild variables must not leak into the child build.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            psi.Environment.Remove(key);
        }

        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("dotnet build did not finish within 5 minutes");
        }

        return (p.ExitCode, output + err.Result);
    }

    /// <summary>Copies the build output to a fresh directory (so a test can change files without affecting others).</summary>
    public string CopyOutput(string scratchName)
    {
        var dir = TestPaths.NewScratchDirectory(scratchName);
        foreach (var f in Directory.GetFiles(OutputDirectory))
        {
            File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        }

        return dir;
    }
}

/// <summary>The tests that share one build of the good tiny project.</summary>
[CollectionDefinition(Name)]
public sealed class TinyBpfProjectCollection : ICollectionFixture<BuiltTinyProject>
{
    public const string Name = "Tiny BPF project";
}

/// <summary>The good tiny project, built once for all tests that need it and deleted afterwards.</summary>
public sealed class BuiltTinyProject : IDisposable
{
    private readonly Lazy<(TinyBpfProject Project, int ExitCode, string Output)> _built = new(() =>
    {
        var project = TinyBpfProject.Create("msbuild-tiny", ("TinyProbes.cs", TinyBpfProject.GoodSource));
        var (code, output) = project.Build();
        return (project, code, output);
    });

    internal TinyBpfProject Project
    {
        get
        {
            var b = _built.Value;
            Assert.True(b.ExitCode == 0, "dotnet build of the tiny project failed:\n" + b.Output);
            return b.Project;
        }
    }

    internal string BuildOutput => _built.Value.Output;

    public void Dispose()
    {
        if (_built.IsValueCreated)
        {
            Directory.Delete(_built.Value.Project.ProjectDirectory, recursive: true);
        }
    }
}
