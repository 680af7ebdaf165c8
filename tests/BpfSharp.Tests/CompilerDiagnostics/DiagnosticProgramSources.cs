using System.Reflection;
using System.Text.RegularExpressions;
using BpfSharp.Compiler;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.CompilerDiagnostics;

/// <summary>
/// The programs of tests/BpfSharp.DiagnosticPrograms: one bad program per class, one class per file, the offending
/// line marked with <c>// expect: BPFS####</c>.
/// </summary>
internal static partial class DiagnosticProgramSources
{
    /// <summary>BpfSharp.DiagnosticPrograms.dll beside the test assembly.</summary>
    public static string AssemblyPath => Path.Combine(AppContext.BaseDirectory, "BpfSharp.DiagnosticPrograms.dll");

    /// <summary>The C# sources of the programs.</summary>
    public static string SourceDirectory => Path.Combine(TestPaths.RepoRoot, "tests", "BpfSharp.DiagnosticPrograms");

    /// <summary>The namespace every program class lives in.</summary>
    public const string Namespace = "BpfSharp.DiagnosticPrograms";

    /// <summary>Names of the classes that hold a program (a static method with a program attribute).</summary>
    public static IEnumerable<string> ProgramClasses() =>
        Assembly.LoadFrom(AssemblyPath).GetTypes()
            .Where(t => t.Namespace == Namespace)
            .Where(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
                .Any(m => m.GetCustomAttributes().Any(a => a.GetType().Namespace == "BpfSharp.Kernel" && a.GetType().Name != "BpfHelperAttribute")))
            .Select(t => t.Name)
            .Order(StringComparer.Ordinal);

    /// <summary>True for a diagnostic located in one of the program files of <see cref="ProgramClasses"/>.</summary>
    public static bool IsInProgramFile(CompilerDiagnostic d) =>
        Path.GetDirectoryName(d.Location.File) == SourceDirectory && d.Location.File.EndsWith(".cs", StringComparison.Ordinal);

    /// <summary>True for <c>BpfSharp.DiagnosticPrograms.Class.Method</c> (not for programs of nested namespaces).</summary>
    public static bool IsProgramOfAProgramClass(string methodFullName) =>
        methodFullName.StartsWith(Namespace + ".", StringComparison.Ordinal) && methodFullName[(Namespace.Length + 1)..].Split('.').Length == 2;

    /// <summary>Compiles only the programs declared in the given classes.</summary>
    public static BpfCompilation Compile(params string[] classes)
    {
        var prefixes = classes.Select(c => Namespace + "." + c + ".").ToArray();
        var options = new BpfCompilerOptions { ProgramFilter = name => prefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)) };
        return BpfCompiler.Compile(AssemblyPath, options);
    }

    /// <summary>The source file of a program class.</summary>
    public static string SourceFile(string className) => Path.Combine(SourceDirectory, className + ".cs");

    /// <summary>The 1-based lines of a file that contain <paramref name="marker"/>.</summary>
    public static List<int> LinesContaining(string path, string marker) =>
        File.ReadAllLines(path).Select((text, i) => (text, i)).Where(x => x.text.Contains(marker, StringComparison.Ordinal)).Select(x => x.i + 1).ToList();

    /// <summary>Every <c>// expect: BPFS####</c> marker in a program's file: diagnostic id and 1-based line.</summary>
    public static List<(string Id, int Line)> Markers(string className)
    {
        var lines = File.ReadAllLines(SourceFile(className));
        var result = new List<(string, int)>();
        for (var i = 0; i < lines.Length; i++)
        {
            var m = Marker().Match(lines[i]);
            if (m.Success)
            {
                result.Add((m.Groups[1].Value, i + 1));
            }
        }

        return result;
    }

    [GeneratedRegex(@"//\s*expect:\s*(BPFS\d{4})\b")]
    private static partial Regex Marker();
}
