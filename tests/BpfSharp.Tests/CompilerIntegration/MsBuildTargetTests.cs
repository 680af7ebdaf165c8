using System.Diagnostics;
using System.Text;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using BpfSharp.Compiler;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.CompilerIntegration;

/// <summary>
/// The BpfSharp package's build integration for real: <c>dotnet build</c> of a tool project compiles its BPF programs
/// in-process, embeds the object in the assembly, generates the typed skeleton the tool uses, reports every error
/// once at its C# line, and is incremental.
/// </summary>
[Collection(TinyBpfProjectCollection.Name)]
public sealed class MsBuildTargetTests(BuiltTinyProject built)
{
    /// <summary>The manifest resource <paramref name="name"/> of an assembly file, read with System.Reflection.Metadata.</summary>
    internal static byte[]? ReadResource(string assemblyPath, string name)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var md = pe.GetMetadataReader();
        foreach (var h in md.ManifestResources)
        {
            var r = md.GetManifestResource(h);
            if (md.GetString(r.Name) != name || !r.Implementation.IsNil) continue;
            var resources = pe.GetSectionData(pe.PEHeaders.CorHeader!.ResourcesDirectory.RelativeVirtualAddress);
            var reader = resources.GetReader((int)r.Offset, resources.Length - (int)r.Offset);
            var length = reader.ReadInt32();
            return reader.ReadBytes(length);
        }
        return null;
    }

    [Fact]
    public void BuildEmbedsTheObjectInTheAssembly()
    {
        var project = built.Project;

        var embedded = ReadResource(project.AssemblyPath, BpfObject.EmbeddedResourceName);
        Assert.True(embedded is not null, "no embedded object after dotnet build:\n" + built.BuildOutput);
        Assert.Equal(File.ReadAllBytes(project.IntermediateObjectPath), embedded);
        Assert.Equal(embedded, File.ReadAllBytes(project.ObjectPath));

        // The task runs the same compiler as the API, and the rewritten assembly (IL and PDB) compiles to the same object.
        var direct = BpfCompiler.Compile(project.AssemblyPath);
        Assert.True(direct.Success, string.Join("\n", direct.Diagnostics));
        Assert.Equal(direct.Object, embedded);

        var spec = ObjectSpec.Read(embedded, "embedded");
        Assert.Contains(spec.Programs, p => p.Name == "CountAndMeasure" && p.SectionName == "xdp");
        Assert.Contains(spec.Programs, p => p.Name == "CountSyscalls" && p.SectionName == "raw_tp/sys_enter");
        // Line info still points at the C# source after the rewrite.
        Assert.Contains("TinyProbes.cs", Encoding.UTF8.GetString(embedded));
    }

    [Fact]
    public void GeneratedSkeletonDrivesEveryKindOfGlobalAndMapInTheKernel()
    {
        KernelObjects.RequireBpf();

        var (code, output) = Run("dotnet", built.Project.AssemblyPath, "40");

        Assert.True(code == 0, output);
        var facts = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Contains('=') || l.StartsWith("rodata", StringComparison.Ordinal)).ToList();
        Assert.Equal("bias-before-load=40", facts[0]);
        Assert.Equal(["ret=104", "ret=104"], facts.Where(f => f.StartsWith("ret=", StringComparison.Ordinal)));
        Assert.Contains("runs=2", facts);
        Assert.Contains("percpu-runs=2", facts);
        Assert.Contains("by-length-64=2/128", facts);
        Assert.Contains("total=6", facts);          // 1 before Step was set from user space, 5 after
        Assert.Contains("last=2/64", facts);
        Assert.Contains("by-length-max-entries=32", facts);
        Assert.Contains("events-type=RingBuf", facts);
        Assert.Contains("events=1/64,2/64", facts);
        Assert.Contains("rodata-frozen", facts);
        Assert.Contains("links=1", facts);          // the raw tracepoint; XDP needs an interface from the caller
        Assert.Contains("syscalls-counted=True", facts);

        // Everything the tool made is gone once it exited: its link and its programs.
        var linkId = int.Parse(facts.Single(f => f.StartsWith("link-id=", StringComparison.Ordinal))["link-id=".Length..]);
        var progId = int.Parse(facts.Single(f => f.StartsWith("prog-id=", StringComparison.Ordinal))["prog-id=".Length..]);
        Assert.DoesNotContain(linkId, KernelObjects.Ids("link"));
        Assert.DoesNotContain(progId, KernelObjects.Ids("prog"));
    }

    [Fact]
    public void RebuildWithoutChangesDoesNotRecompileTheObject()
    {
        var project = built.Project;
        var before = File.GetLastWriteTimeUtc(project.IntermediateObjectPath);

        var (code, output) = project.Build();

        Assert.True(code == 0, output);
        Assert.Equal(before, File.GetLastWriteTimeUtc(project.IntermediateObjectPath));
        Assert.NotNull(ReadResource(project.AssemblyPath, BpfObject.EmbeddedResourceName));
    }

    [Fact]
    public void ErrorTheAnalyzerSeesIsReportedOnceAtItsLine()
    {
        const string bad = """
            using BpfSharp.Kernel;

            public static unsafe class Bad
            {
                [Xdp]
                public static int Scaled(XdpMd* ctx) => (int)(ctx->IngressIfindex * 1.5);
            }
            """;
        var project = TinyBpfProject.Create("msbuild-bad", ("TinyProbes.cs", TinyBpfProject.GoodSource), ("Bad.cs", bad));

        var (code, output) = project.Build();

        Assert.NotEqual(0, code);
        // MSBuild repeats errors in its closing summary: one problem is one distinct error line.
        Assert.Single(Regex.Matches(output, @"[^\r\n]*error BPFS1002[^\r\n]*").Select(m => m.Value).Distinct());
        Assert.Matches(@"Bad\.cs\(6,\d+\): error BPFS1002: ", output);
        Assert.False(File.Exists(project.ObjectPath), "a failed build must not leave an object next to the assembly");
    }

    [Fact]
    public void ErrorOnlyTheBpfCompilerSeesIsReportedOnceAtItsLine()
    {
        const string bad = """
            using BpfSharp.Kernel;

            public static unsafe class Loops
            {
                static int Depth(int n) => n == 0 ? 0 : 1 + Depth(n - 1);

                [Xdp]
                public static int Recurse(XdpMd* ctx) => Depth((int)ctx->IngressIfindex);
            }
            """;
        var project = TinyBpfProject.Create("msbuild-bpfonly", ("TinyProbes.cs", TinyBpfProject.GoodSource), ("Loops.cs", bad));

        var (code, output) = project.Build();

        Assert.NotEqual(0, code);
        Assert.Single(Regex.Matches(output, @"[^\r\n]*error BPFS1004[^\r\n]*").Select(m => m.Value).Distinct());
        Assert.Matches(@"Loops\.cs\(5,\d+\): error BPFS1004: ", output);
        Assert.DoesNotContain("exit code", output);
        Assert.False(File.Exists(project.IntermediateObjectPath));
    }

    [Fact]
    public void UserSpaceAccessToABpfStaticIsAWarningNamingTheSkeletonMember()
    {
        const string user = """
            public static class Peek
            {
                public static ulong Read() => TinyProbes.Total + (ulong)nameof(TinyProbes.Runs).Length;
            }
            """;
        var project = TinyBpfProject.Create("msbuild-peek", ("TinyProbes.cs", TinyBpfProject.GoodSource), ("Peek.cs", user));

        var (code, output) = project.Build();

        Assert.True(code == 0, output);
        var warning = Assert.Single(Regex.Matches(output, @"Peek\.cs\(3,\d+\): warning BPFS5001: [^\r\n]*").Select(m => m.Value).Distinct());
        Assert.Contains("Globals.Total", warning);
        Assert.Contains("TinyProbesSkeleton", warning);
    }

    [Fact]
    public void ProjectWithoutBpfProgramsBuildsWithoutAnObject()
    {
        var project = TinyBpfProject.Create("msbuild-none", ("Plain.cs", "public static class Plain { public static int Two() => 2; }"));

        var (code, output) = project.Build();

        Assert.True(code == 0, output);
        Assert.False(File.Exists(project.IntermediateObjectPath));
        Assert.Null(ReadResource(project.AssemblyPath, BpfObject.EmbeddedResourceName));
    }

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{file} did not finish within 2 minutes");
        }
        return (p.ExitCode, output + err.Result);
    }
}
