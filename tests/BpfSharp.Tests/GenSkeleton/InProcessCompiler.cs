using System.Reflection;
using BpfSharp.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace BpfSharp.Tests.GenSkeleton;

/// <summary>
/// Compiles C# sources with Roslyn in-process against the assemblies this test process runs on (BpfSharp.Linux,
/// BpfSharp.Core and the framework), warnings as errors and documentation comments checked, then loads the result.
/// Much faster than a scratch project and 'dotnet build' on a shared machine.
/// </summary>
internal static class InProcessCompiler
{
    public static Assembly Compile(string assemblyName, params string[] sources)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.Diagnose);
        var trees = sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, parse, path: $"source{i}.cs")).ToArray();
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
            allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable,
            generalDiagnosticOption: ReportDiagnostic.Error, optimizationLevel: OptimizationLevel.Release);
        var compilation = CSharpCompilation.Create(assemblyName + "_" + Guid.NewGuid().ToString("N")[..8], trees, PlatformReferences.All, options);
        using var pe = new MemoryStream();
        var emitted = compilation.Emit(pe);
        var problems = emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        if (!emitted.Success || problems.Count > 0)
            Assert.Fail("the generated C# does not compile cleanly:\n" + string.Join("\n", problems.Take(30)));
        return Assembly.Load(pe.ToArray());
    }

    /// <summary>Calls a public static method of a compiled type, unwrapping the exception it throws.</summary>
    public static object? Call(Assembly assembly, string type, string method, params object?[] args)
    {
        var m = assembly.GetType(type, throwOnError: true)!.GetMethod(method)
            ?? throw new InvalidOperationException($"{type}.{method} not found");
        try
        {
            return m.Invoke(null, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}
