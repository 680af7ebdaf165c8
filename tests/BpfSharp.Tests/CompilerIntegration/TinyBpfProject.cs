using System.Diagnostics;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.CompilerIntegration;

/// <summary>
/// A throw-away C# tool project in a scratch directory, built with <c>dotnet build</c> exactly as a user's would be:
/// it references BpfSharp.Kernel and BpfSharp.Linux and imports the BpfSharp package's buildTransitive props and
/// targets, with the build task and source generator built alongside these tests (the package itself is tested
/// from a folder feed by the packaging tests).
/// </summary>
internal sealed class TinyBpfProject
{
    public const string Name = "TinyProbes";

    /// <summary>
    /// An XDP program that counts its runs in maps and globals of every kind and returns <c>Bias</c> (a .rodata
    /// constant, 40 by default) + the packet length, and a raw tracepoint that counts system calls.
    /// </summary>
    public const string GoodSource = """
        using BpfSharp.Kernel;

        [assembly: License("GPL")]

        public struct LengthStats
        {
            public ulong Packets;
            public ulong Bytes;
        }

        public static unsafe class TinyProbes
        {
            public static readonly ArrayMap<ulong> Runs = new(maxEntries: 1);
            static readonly HashMap<uint, LengthStats> ByLength = new(maxEntries: 16);
            static readonly PerCpuArrayMap<ulong> PerCpuRuns = new(maxEntries: 1);
            static readonly RingBuffer Events = new(size: 4096);

            static readonly uint Bias = 40;
            static long Step = 1;
            public static ulong Total;
            static LengthStats Last;
            static ulong Syscalls;

            [Xdp]
            public static int CountAndMeasure(XdpMd* ctx)
            {
                uint length = (uint)(ctx->DataEnd - ctx->Data);
                ulong* n = Runs.Lookup(0);
                if (n != null) *n += 1;
                ulong* c = PerCpuRuns.Lookup(0);
                if (c != null) *c += 1;
                LengthStats* s = ByLength.Lookup(length);
                if (s != null)
                {
                    s->Packets += 1;
                    s->Bytes += length;
                }
                else
                {
                    LengthStats first;
                    first.Packets = 1;
                    first.Bytes = length;
                    ByLength.Update(length, first);
                }
                Total += (ulong)Step;
                Last.Packets += 1;
                Last.Bytes = length;
                LengthStats* e = Events.Reserve<LengthStats>();
                if (e != null)
                {
                    e->Packets = Last.Packets;
                    e->Bytes = length;
                    Events.Submit(e);
                }
                return (int)(Bias + length);
            }

            [RawTracepoint("sys_enter")]
            public static int CountSyscalls(void* ctx)
            {
                System.Threading.Interlocked.Increment(ref Syscalls);
                return 0;
            }
        }
        """;

    /// <summary>The user-space half: drives the generated skeleton and prints what it sees, one fact per line.</summary>
    public const string ToolSource = """
        using System;
        using System.Diagnostics;

        public static class Tool
        {
            public static int Main(string[] args)
            {
                using var probes = TinyProbesSkeleton.Open();
                probes.Globals.Bias = uint.Parse(args[0]);
                probes.MaxEntries.ByLength = 32;
                Console.WriteLine($"bias-before-load={probes.Globals.Bias}");
                probes.Load();

                var packet = new byte[64];
                Console.WriteLine($"ret={probes.Programs.CountAndMeasure.TestRun(packet).ReturnValue}");
                probes.Globals.Step = 5;
                Console.WriteLine($"ret={probes.Programs.CountAndMeasure.TestRun(packet).ReturnValue}");
                Console.WriteLine($"runs={probes.Maps.Runs[0]}");
                ulong perCpu = 0;
                foreach (var v in probes.Maps.PerCpuRuns.LookupPerCpu(0)) perCpu += v;
                Console.WriteLine($"percpu-runs={perCpu}");
                var stats = probes.Maps.ByLength[64];
                Console.WriteLine($"by-length-64={stats.Packets}/{stats.Bytes}");
                Console.WriteLine($"total={probes.Globals.Total}");
                Console.WriteLine($"last={probes.Globals.Last.Packets}/{probes.Globals.Last.Bytes}");
                Console.WriteLine($"by-length-max-entries={probes.Maps.ByLength.Map.MaxEntries}");
                Console.WriteLine($"events-type={probes.Maps.Events.Type}");
                using (var reader = new BpfSharp.Linux.RingBuffer.RingBufferReader(probes.Maps.Events))
                {
                    var records = new System.Collections.Generic.List<string>();
                    reader.Consume(r => records.Add(System.Runtime.InteropServices.MemoryMarshal.Read<LengthStats>(r).Packets + "/" + System.Runtime.InteropServices.MemoryMarshal.Read<LengthStats>(r).Bytes));
                    Console.WriteLine($"events={string.Join(",", records)}");
                }
                try
                {
                    probes.Globals.Bias = 1;
                    Console.WriteLine("rodata-written");
                }
                catch (InvalidOperationException)
                {
                    Console.WriteLine("rodata-frozen");
                }

                using (var links = probes.AttachAll())
                {
                    Console.WriteLine($"links={links.Links.Count}");
                    foreach (var link in links.Links) Console.WriteLine($"link-id={link.Id}");
                    for (var i = 0; i < 100; i++) _ = Process.GetCurrentProcess().Id;
                    System.IO.File.Exists("/");
                    Console.WriteLine($"syscalls-counted={probes.Globals.Syscalls > 0}");
                }
                Console.WriteLine($"prog-id={probes.Programs.CountAndMeasure.Id}");
                return 0;
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
    public static TinyBpfProject Create(string scratchName, params (string FileName, string Source)[] files) =>
        Create(scratchName, exe: false, files);

    /// <summary>Writes the project (a library, or an executable whose Main is in <paramref name="files"/>).</summary>
    public static TinyBpfProject Create(string scratchName, bool exe, params (string FileName, string Source)[] files)
    {
        var dir = TestPaths.NewScratchDirectory(scratchName);
        var bin = AppContext.BaseDirectory;
        var package = Path.Combine(TestPaths.RepoRoot, "src", "BpfSharp");
        var task = Path.Combine(TestPaths.RepoRoot, "src", "BpfSharp.Build", "bin", TestPaths.Configuration, "net10.0", "BpfSharp.Build.dll");
        var generator = Path.Combine(TestPaths.RepoRoot, "src", "BpfSharp.Generators", "bin", TestPaths.Configuration, "netstandard2.0", "BpfSharp.Generators.dll");
        File.WriteAllText(Path.Combine(dir, Name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <Import Project="{Path.Combine(package, "buildTransitive", "BpfSharp.props")}" />
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <OutputType>{(exe ? "Exe" : "Library")}</OutputType>
                <Nullable>disable</Nullable>
                <BpfSidecarObject>true</BpfSidecarObject>
                <BpfSharpTaskAssembly>{task}</BpfSharpTaskAssembly>
              </PropertyGroup>
              <ItemGroup>
                <Reference Include="BpfSharp.Kernel" HintPath="{Path.Combine(bin, "BpfSharp.Kernel.dll")}" />
                <Reference Include="BpfSharp.Linux" HintPath="{Path.Combine(bin, "BpfSharp.Linux.dll")}" />
                <Reference Include="BpfSharp.Core" HintPath="{Path.Combine(bin, "BpfSharp.Core.dll")}" />
                <Analyzer Include="{generator}" />
              </ItemGroup>
              <Import Project="{Path.Combine(package, "buildTransitive", "BpfSharp.targets")}" />
            </Project>
            """);
        foreach (var (fileName, source) in files)
        {
            File.WriteAllText(Path.Combine(dir, fileName), source);
        }

        return new TinyBpfProject(dir);
    }

    /// <summary>Runs <c>dotnet build</c> (no build server or node left running) and returns its exit code and output.</summary>
    public (int ExitCode, string Output) Build(params string[] properties)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = ProjectDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "build", "-nologo", "-nodeReuse:false", "-p:UseSharedCompilation=false", "-clp:NoSummary" }.Concat(properties.Select(p => "-p:" + p)))
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
        var project = TinyBpfProject.Create("msbuild-tiny", exe: true, ("TinyProbes.cs", TinyBpfProject.GoodSource), ("Tool.cs", TinyBpfProject.ToolSource));
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

    private readonly Lazy<(TinyBpfProject Project, int ExitCode, string Output)> _sidecarOnly = new(() =>
    {
        var project = TinyBpfProject.Create("msbuild-sidecar", ("TinyProbes.cs", TinyBpfProject.GoodSource));
        var (code, output) = project.Build("BpfEmbedObject=false");
        return (project, code, output);
    });

    /// <summary>The library alone built with <c>BpfEmbedObject=false</c>: the object is only a sidecar file.</summary>
    internal TinyBpfProject SidecarOnly
    {
        get
        {
            var b = _sidecarOnly.Value;
            Assert.True(b.ExitCode == 0, "dotnet build of the sidecar-only project failed:\n" + b.Output);
            return b.Project;
        }
    }

    public void Dispose()
    {
        if (_built.IsValueCreated)
        {
            Directory.Delete(_built.Value.Project.ProjectDirectory, recursive: true);
        }

        if (_sidecarOnly.IsValueCreated)
        {
            Directory.Delete(_sidecarOnly.Value.Project.ProjectDirectory, recursive: true);
        }
    }
}
