using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using BpfSharp.Btf;
using BpfSharp.Btf.Formatting;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.GenCSharp;

/// <summary>
/// Generates C# for the running kernel (all types, a type set, a shallow type set), for every shared kernel blob
/// (the type set of full kernels, all types of modules over their base) and for testdata/gen-csharp/edge.c, writes
/// them into one scratch project that references BpfSharp.Kernel, builds it once with <c>dotnet build</c>, and
/// opens the result in a <see cref="MetadataLoadContext"/> for the shape checks.
/// </summary>
public sealed class GenCSharpFixture : IDisposable
{
    /// <summary>The roots of the type-set runs.</summary>
    public static readonly string[] TypeSet = ["task_struct", "sk_buff", "sock", "file", "inode", "mm_struct", "cred", "bpf_map"];

    private readonly MetadataLoadContext? _context;

    public GenCSharpFixture()
    {
        Directory = TestPaths.NewScratchDirectory("gen-csharp");
        var vmlinux = BtfSpec.Load(TestPaths.Vmlinux);
        Add("Running", vmlinux, new CSharpBindingsOptions { Namespace = "Gen.Running", TypeNames = TypeSet });
        Add("Shallow", vmlinux, new CSharpBindingsOptions { Namespace = "Gen.Shallow", TypeNames = ["task_struct"], Shallow = true });
        foreach (var (file, baseFile, _) in KernelBlobs.All)
        {
            if (file.EndsWith(".base.gz", StringComparison.Ordinal)) continue; // the distilled base is not a kernel
            var spec = KernelBlobs.Load(file);
            string key = NamespaceOf(file);
            // Full kernels: the type set. Modules: every type (the module's, plus the base types they use).
            Add(key, spec, new CSharpBindingsOptions { Namespace = "Gen." + key, TypeNames = baseFile is null ? TypeSet : null });
        }
        string edgeObject = Path.Combine(Directory, "edge.o");
        ExternalTool.RunChecked("clang-19", "-O2", "-g", "-target", "bpf", "-c", Path.Combine(TestPaths.TestData, "gen-csharp", "edge.c"), "-o", edgeObject);
        Add("Edge", BtfSpec.Load(edgeObject), new CSharpBindingsOptions { Namespace = "Gen.Edge" });

        // The whole running kernel, through the command line.
        string fullPath = Path.Combine(Directory, "Full.cs");
        var cli = GenCSharpCli.Run("gen", "csharp", "--namespace", "Gen.Full", "-o", fullPath);
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        Specs["Full"] = vmlinux;

        // A BPF program written against the generated types, compiled to BPF by the tests.
        File.Copy(Path.Combine(TestPaths.TestData, "compiler", "GeneratedBindingsProbe.cs"), Path.Combine(Directory, "GeneratedBindingsProbe.cs"), overwrite: true);
        File.Copy(Path.Combine(TestPaths.TestData, "compiler", "AnonymousMembersProbe.cs"), Path.Combine(Directory, "AnonymousMembersProbe.cs"), overwrite: true);

        string kernelProject = Path.Combine(TestPaths.RepoRoot, "src", "BpfSharp.Kernel", "BpfSharp.Kernel.csproj");
        File.WriteAllText(Path.Combine(Directory, "gen.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <OutputType>Library</OutputType>
                <AllowUnsafeBlocks>true</AllowUnsafeBlocks>
                <Nullable>enable</Nullable>
                <ImplicitUsings>disable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <GenerateDocumentationFile>true</GenerateDocumentationFile>
                <AssemblyName>gen</AssemblyName>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{kernelProject}" />
              </ItemGroup>
            </Project>
            """);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Directory };
        foreach (var a in new[] { "build", "gen.csproj", "-nologo", "-v", "q", "-clp:NoSummary" }) psi.ArgumentList.Add(a);
        var watch = Stopwatch.StartNew();
        using (var p = Process.Start(psi)!)
        {
            var err = p.StandardError.ReadToEndAsync();
            BuildOutput = p.StandardOutput.ReadToEnd() + err.Result;
            p.WaitForExit();
            BuildExitCode = p.ExitCode;
        }
        BuildTime = watch.Elapsed;
        string output = Path.Combine(Directory, "bin", "Debug", "net10.0");
        string dll = Path.Combine(output, "gen.dll");
        if (BuildExitCode == 0 && File.Exists(dll))
        {
            var paths = System.IO.Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll")
                .Append(dll).Append(Path.Combine(output, "BpfSharp.Kernel.dll"));
            _context = new MetadataLoadContext(new PathAssemblyResolver(paths));
            Assembly = _context.LoadFromAssemblyPath(dll);
        }
    }

    /// <summary>The built scratch assembly (gen.dll), or null if the build failed.</summary>
    public string? AssemblyPath => BuildExitCode == 0 ? Path.Combine(Directory, "bin", "Debug", "net10.0", "gen.dll") : null;

    /// <summary>The scratch project directory.</summary>
    public string Directory { get; }

    /// <summary>Namespace key (after "Gen.") → the BTF it was generated from.</summary>
    public Dictionary<string, BtfSpec> Specs { get; } = [];

    /// <summary>Namespace key → the generated source.</summary>
    public Dictionary<string, string> Sources { get; } = [];

    /// <summary>What <c>dotnet build</c> printed.</summary>
    public string BuildOutput { get; }

    /// <summary><c>dotnet build</c>'s exit code.</summary>
    public int BuildExitCode { get; }

    /// <summary>How long the build took.</summary>
    public TimeSpan BuildTime { get; }

    /// <summary>The built assembly, or null when the build failed.</summary>
    public Assembly? Assembly { get; }

    /// <summary>The namespace keys: the running kernel's runs, every kernel blob's, and the edge cases.</summary>
    public static TheoryData<string> Namespaces()
    {
        var data = new TheoryData<string> { "Full", "Running", "Shallow", "Edge" };
        foreach (var (file, _, _) in KernelBlobs.All)
            if (!file.EndsWith(".base.gz", StringComparison.Ordinal)) data.Add(NamespaceOf(file));
        return data;
    }

    /// <summary>The built assembly's types in namespace Gen.KEY (fails when the build did not succeed).</summary>
    public Type[] TypesOf(string key)
    {
        Assert.True(Assembly is not null, "the generated project did not build:\n" + BuildOutput);
        return Assembly!.GetTypes().Where(t => t.Namespace == "Gen." + key && !t.IsNested).OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();
    }

    /// <summary>The C# namespace part for a blob file name (debian-6.1.192-amd64.xfs.btf.gz → Debian_6_1_192_amd64_xfs).</summary>
    public static string NamespaceOf(string file)
    {
        string stem = file.Replace(".btf.gz", "", StringComparison.Ordinal);
        var chars = stem.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray();
        chars[0] = char.ToUpperInvariant(chars[0]);
        return new string(chars);
    }

    private void Add(string key, BtfSpec spec, CSharpBindingsOptions options)
    {
        string source = BtfCSharpFormatter.Format(spec, options);
        File.WriteAllText(Path.Combine(Directory, key + ".cs"), source);
        Specs[key] = spec;
        Sources[key] = source;
    }

    public void Dispose()
    {
        _context?.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }
}
