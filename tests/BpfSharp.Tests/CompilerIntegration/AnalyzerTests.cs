using System.Collections.Immutable;
using BpfSharp.Generators;
using BpfSharp.Generators.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace BpfSharp.Tests.CompilerIntegration;

/// <summary>
/// The analyzers and the code fix in-process, as an IDE runs them: what they report (and what they leave alone) on
/// small sources, and the fix that turns <c>Probes.Dropped</c> into <c>probes.Globals.Dropped</c>.
/// </summary>
public sealed class AnalyzerTests
{
    private const string Probes = """
        using BpfSharp.Kernel;

        public static unsafe class Probes
        {
            public static readonly HashMap<uint, ulong> Counts = new(maxEntries: 16);
            public static ulong Dropped;
            public const int Limit = 4;

            [Xdp]
            public static int Count(XdpMd* ctx)
            {
                const double Folded = 2.0 * 3;   // constant: C# folds it, no floating point reaches IL
                Dropped += (ulong)Folded;
                return Limit;
            }
        }

        // What the generator would write; only its name and shape matter here.
        public sealed class ProbesSkeleton
        {
            public GlobalsSection Globals { get; } = new();
            public sealed class GlobalsSection { public ulong Dropped { get; set; } }
        }
        """;

    private static Project NewProject(params (string Name, string Source)[] files)
    {
        var workspace = new AdhocWorkspace();
        var references = new[] { typeof(object), typeof(Enumerable), typeof(BpfSharp.Kernel.KernelMap) }
            .Select(t => MetadataReference.CreateFromFile(t.Assembly.Location)).ToList();
        var runtimeDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        references.Add(MetadataReference.CreateFromFile(Path.Combine(runtimeDir, "System.Runtime.dll")));
        var project = workspace.AddProject("Probes", LanguageNames.CSharp)
            .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true))
            .WithMetadataReferences(references);
        foreach (var (name, source) in files) project = project.AddDocument(name, SourceText.From(source)).Project;
        return project;
    }

    private static async Task<ImmutableArray<Diagnostic>> Analyze(Project project)
    {
        var compilation = (await project.GetCompilationAsync())!;
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return await compilation.WithAnalyzers([new BpfSideAnalyzer(), new UserSpaceAccessAnalyzer()]).GetAnalyzerDiagnosticsAsync();
    }

    [Fact]
    public async Task ConstantsAttributesAndMapInitialisersAreNotReported()
    {
        Assert.Empty(await Analyze(NewProject(("Probes.cs", Probes))));
    }

    [Fact]
    public async Task BpfSideProblemsAreReportedOncePerStatement()
    {
        const string bad = """
            using BpfSharp.Kernel;

            public static unsafe class Bad
            {
                [Xdp]
                public static int Run(XdpMd* ctx)
                {
                    double scaled = ctx->IngressIfindex * 1.5;
                    var buffer = new byte[16];
                    if (buffer.Length == 0) throw new System.InvalidOperationException();
                    return (int)scaled;
                }
            }
            """;
        var found = (await Analyze(NewProject(("Bad.cs", bad))))
            .Select(d => $"{d.Location.GetLineSpan().StartLinePosition.Line + 1}:{d.Id}").Order(StringComparer.Ordinal).ToList();

        // Line 10 has two problems (an allocation and a throw), each reported once; every other line one.
        Assert.Equal(["10:BPFS1007", "10:BPFS1008", "11:BPFS1002", "8:BPFS1002", "9:BPFS1007"], found);
    }

    [Fact]
    public async Task GlobalsSetOrReadOnlyByUserSpaceGetNoUnusedFieldWarnings()
    {
        const string source = """
            using BpfSharp.Kernel;

            public static unsafe class Probes
            {
                static readonly uint TargetPid;             // set by user space before load: CS0649
                static ulong Matches;                       // written here, read by user space: CS0414
                [Kconfig] static readonly uint LINUX_KERNEL_VERSION;

                [Xdp]
                public static int Count(XdpMd* ctx)
                {
                    Matches = 1;
                    return (int)(TargetPid + LINUX_KERNEL_VERSION);
                }
            }

            public static class NotBpf
            {
                static readonly uint Unset;                 // an ordinary class keeps its warnings
                static ulong Unread;
                public static uint Get() { Unread = 1; return Unset; }
            }
            """;
        var compilation = (await NewProject(("Probes.cs", source)).GetCompilationAsync())!;
        var plain = compilation.GetDiagnostics().Where(d => d.Id is "CS0649" or "CS0414").Select(d => $"{d.Id} {d.Location.GetLineSpan().StartLinePosition.Line + 1}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["CS0414 20", "CS0414 6", "CS0649 19", "CS0649 5", "CS0649 7"], plain);

        var analyzed = await compilation.WithAnalyzers([new KernelStaticWarningSuppressor()], new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]), onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: true))
            .GetAllDiagnosticsAsync();
        var left = analyzed.Where(d => d.Id is "CS0649" or "CS0414" && !d.IsSuppressed).Select(d => $"{d.Id} {d.Location.GetLineSpan().StartLinePosition.Line + 1}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["CS0414 20", "CS0649 19"], left);
    }

    [Fact]
    public async Task CodeFixUsesTheSkeletonInScope()
    {
        const string tool = """
            public static class Tool
            {
                public static ulong Report(ProbesSkeleton probes) => Probes.Dropped + 1;
            }
            """;
        var project = NewProject(("Probes.cs", Probes), ("Tool.cs", tool));
        var diagnostic = Assert.Single(await Analyze(project));
        Assert.Equal("BPFS5001", diagnostic.Id);

        var document = project.Documents.Single(d => d.Name == "Tool.cs");
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), CancellationToken.None);
        await new UseSkeletonMemberCodeFix().RegisterCodeFixesAsync(context);
        var action = Assert.Single(actions);
        Assert.Equal("Use probes.Globals.Dropped", action.Title);

        var operation = (await action.GetOperationsAsync(CancellationToken.None)).OfType<ApplyChangesOperation>().Single();
        var fixedText = (await operation.ChangedSolution.GetDocument(document.Id)!.GetTextAsync()).ToString();
        Assert.Contains("public static ulong Report(ProbesSkeleton probes) => probes.Globals.Dropped + 1;", fixedText);
        // The fixed project compiles and has nothing left to report.
        Assert.Empty(await Analyze(operation.ChangedSolution.GetProject(project.Id)!));
    }

    [Fact]
    public async Task NoFixIsOfferedWithoutASkeletonInScope()
    {
        const string tool = "public static class Tool { public static ulong Report() => Probes.Dropped; }";
        var project = NewProject(("Probes.cs", Probes), ("Tool.cs", tool));
        var diagnostic = Assert.Single(await Analyze(project));
        var actions = new List<CodeAction>();
        await new UseSkeletonMemberCodeFix().RegisterCodeFixesAsync(
            new CodeFixContext(project.Documents.Single(d => d.Name == "Tool.cs"), diagnostic, (a, _) => actions.Add(a), CancellationToken.None));
        Assert.Empty(actions);
        Assert.Contains("use Globals.Dropped of a loaded ProbesSkeleton", diagnostic.GetMessage());
    }
}
