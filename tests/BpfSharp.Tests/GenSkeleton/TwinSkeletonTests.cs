using System.Reflection;
using BpfSharp.Cli.Commands;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Loading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace BpfSharp.Tests.GenSkeleton;

/// <summary>
/// The twins (one program written in C, testdata/twins, and in C#, tests/BpfSharp.TestPrograms/Twins, with the same
/// names): the skeleton <c>gen skeleton</c> writes for the C object and the one the source generator writes for the
/// C# class must have the same API, member for member (struct types compared by size: their names differ).
/// </summary>
public sealed class TwinSkeletonTests
{
    public static TheoryData<string, string> Twins => new()
    {
        { "global_counters", "GlobalCountersTwin" }, { "hash_counter", "HashCounterTwin" },
        { "array_stats", "ArrayStatsTwin" }, { "percpu_stats", "PerCpuStatsTwin" }, { "perf_output", "PerfOutputTwin" },
        { "pid_comm", "PidCommTwin" }, { "ringbuf_output", "RingbufOutputTwin" }, { "ringbuf_reserve", "RingbufReserveTwin" },
        { "xdp_parser", "XdpParserTwin" }, { "tc_classifier", "TcClassifierTwin" }, { "socket_filter", "SocketFilterTwin" },
        { "bounded_loop", "BoundedLoopTwin" }, { "switch_protocol", "SwitchProtocolTwin" }, { "map_of_maps", "MapOfMapsTwin" },
    };

    [Theory]
    [MemberData(nameof(Twins))]
    public void CSkeletonHasTheApiOfTheCSharpSkeleton(string cFile, string csClass)
    {
        string obj = LoaderObjects.Compile(Path.Combine(TestPaths.TestData, "twins", cFile + ".bpf.c"), mustCompile: true)!;
        var fromC = InProcessCompiler.Compile("c_" + cFile, GenSkeletonCommand.Generate(obj, "FromC", csClass + "Skeleton"))
            .GetType("FromC." + csClass + "Skeleton", throwOnError: true)!;
        var fromCSharp = GenerateFromCSharp(csClass).GetType("BpfSharp.TestPrograms.Twins." + csClass + "Skeleton", throwOnError: true)!;
        var expected = Surface(fromCSharp);
        var actual = Surface(fromC);
        Assert.True(expected.Count > 12, $"only {expected.Count} members in the C# skeleton");
        Assert.Equal(expected, actual);
    }

    /// <summary>Runs the BpfSharp source generator over the C# twin and compiles what it writes.</summary>
    private static Assembly GenerateFromCSharp(string csClass)
    {
        string dir = Path.Combine(TestPaths.RepoRoot, "tests", "BpfSharp.TestPrograms", "Twins");
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = new[] { csClass + ".cs", "PacketHeaders.cs" }
            .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(Path.Combine(dir, f)), parse, path: f)).ToArray();
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.Ordinal)).Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create("twin_" + csClass, trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
        var generator = (IIncrementalGenerator)Activator.CreateInstance(
            Assembly.LoadFrom(GeneratorPath()).GetType("BpfSharp.Generators.SkeletonGenerator", throwOnError: true)!)!;
        CSharpGeneratorDriver.Create(generator).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        Assert.Empty(diagnostics);
        Assert.Equal(trees.Length + 1, output.SyntaxTrees.Count()); // the skeleton
        using var pe = new MemoryStream();
        var emitted = output.Emit(pe);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return Assembly.Load(pe.ToArray());
    }

    private static string GeneratorPath()
    {
        // The tests build examples/execsnoop, which runs the generator: it is built beside the tests' configuration.
        var candidates = new[] { "Release", "Debug" }
            .Select(c => Path.Combine(TestPaths.RepoRoot, "src", "BpfSharp.Generators", "bin", c, "netstandard2.0", "BpfSharp.Generators.dll"))
            .Where(File.Exists).OrderByDescending(File.GetLastWriteTimeUtc).ToList();
        Assert.True(candidates.Count > 0, "build src/BpfSharp.Generators first");
        return candidates[0];
    }

    /// <summary>Every public member of the skeleton and its nested classes, with types (structs by size).</summary>
    private static SortedSet<string> Surface(Type skeleton)
    {
        var members = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in new[] { skeleton }.Concat(skeleton.GetNestedTypes().Where(t => t.IsClass)))
        {
            string owner = type == skeleton ? "" : type.Name + ".";
            const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var p in type.GetProperties(flags))
                members.Add($"{owner}{p.Name}: {Name(p.PropertyType, skeleton)} {(p.CanRead ? "get" : "")}{(p.CanWrite ? "set" : "")}");
            foreach (var f in type.GetFields(flags)) members.Add($"{owner}{f.Name}: {Name(f.FieldType, skeleton)}");
            foreach (var m in type.GetMethods(flags).Where(m => !m.IsSpecialName))
                members.Add($"{owner}{m.Name}({string.Join(", ", m.GetParameters().Select(p => Name(p.ParameterType, skeleton)))}): {Name(m.ReturnType, skeleton)}");
        }
        return members;
    }

    private static string Name(Type t, Type skeleton)
    {
        if (t == skeleton) return "Skeleton";
        if (t.DeclaringType == skeleton && t.IsClass) return t.Name;
        if (t.IsGenericType)
            return t.Name + "<" + string.Join(", ", t.GetGenericArguments().Select(a => Name(a, skeleton))) + ">";
        if (t.IsPrimitive || t.IsEnum || !t.IsValueType || t.Namespace == "System") return t.FullName ?? t.Name;
        return "struct(" + FixedLayoutChecker.SizeOf(t) + ")";
    }
}
