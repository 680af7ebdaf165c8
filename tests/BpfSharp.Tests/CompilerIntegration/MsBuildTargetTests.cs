using BpfSharp.Compiler;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.CompilerIntegration;

/// <summary>
/// build/BpfSharp.Compiler.targets for real: <c>dotnet build</c> of a project with <c>BpfCompile</c> writes the BPF
/// object next to the assembly, the kernel loads and runs it, and a bad program fails the build at its C# line.
/// </summary>
[Collection(TinyBpfProjectCollection.Name)]
public sealed class MsBuildTargetTests(BuiltTinyProject built)
{
    [Fact]
    public void BuildWritesTheObjectNextToTheAssembly()
    {
        var project = built.Project;

        Assert.True(File.Exists(project.ObjectPath), "no sidecar object after dotnet build:\n" + built.BuildOutput);
        Assert.True(File.Exists(project.IntermediateObjectPath));
        Assert.Equal(File.ReadAllBytes(project.IntermediateObjectPath), File.ReadAllBytes(project.ObjectPath));

        // The target runs the same compiler as the API: the object is exactly what BpfCompiler makes of the dll.
        var direct = BpfCompiler.Compile(project.AssemblyPath);
        Assert.True(direct.Success, string.Join("\n", direct.Diagnostics));
        Assert.Equal(direct.Object, File.ReadAllBytes(project.ObjectPath));

        var spec = ObjectSpec.Load(project.ObjectPath);
        Assert.Contains(spec.Programs, p => p.Name == "CountAndMeasure" && p.SectionName == "xdp");
    }

    [Fact]
    public void BuiltObjectLoadsAndRunsInTheKernel()
    {
        KernelObjects.RequireBpf();
        using var collection = BpfCollection.Load(built.Project.ObjectPath);

        var result = collection.Programs["CountAndMeasure"].TestRun(new byte[64]);

        Assert.Equal(40u + 64, result.ReturnValue);
        Assert.True(collection.Maps["Runs"].TryLookup(0u, out ulong runs));
        Assert.Equal(1ul, runs);
    }

    [Fact]
    public void RebuildWithoutChangesDoesNotRecompileTheObject()
    {
        var project = built.Project;
        var before = File.GetLastWriteTimeUtc(project.IntermediateObjectPath);

        var (code, output) = project.Build();

        Assert.True(code == 0, output);
        Assert.Equal(before, File.GetLastWriteTimeUtc(project.IntermediateObjectPath));
        Assert.True(File.Exists(project.ObjectPath));
    }

    [Fact]
    public void BadProgramFailsTheBuildWithTheCSharpFileAndLine()
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
        Assert.Matches(@"Bad\.cs\(6,\d+\): error BPFS1002: ", output);
        Assert.False(File.Exists(project.ObjectPath), "a failed BPF compile must not leave an object next to the assembly");
        Assert.False(File.Exists(project.IntermediateObjectPath));
    }
}
