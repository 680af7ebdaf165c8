using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace BpfSharp.Generators;

/// <summary>
/// Warns when user-space code reads or writes a map or global variable of a BPF class directly: that touches the
/// .NET static, which the BPF programs never see, not the value in the kernel. The message names the generated
/// skeleton member to use instead. <c>nameof</c> is fine.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UserSpaceAccessAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor UserSpaceAccess = new("BPFS5001", "BPF-side static used from user-space code",
        "'{0}.{1}' lives in the kernel: here it is only the .NET static, which the BPF programs never see; use {2} of a loaded {3}",
        "BpfSharp", DiagnosticSeverity.Warning, isEnabledByDefault: true);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(UserSpaceAccess);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterOperationAction(c =>
        {
            var reference = (IFieldReferenceOperation)c.Operation;
            var field = reference.Field;
            if (!field.IsStatic || !BpfSymbols.IsBpfClass(field.ContainingType) || !BpfSymbols.IsKernelStatic(field)) return;
            // Code inside the BPF class (or nested in it) is BPF-side.
            for (var t = c.ContainingSymbol.ContainingType; t is not null; t = t.ContainingType)
                if (SymbolEqualityComparer.Default.Equals(t, field.ContainingType)) return;
            for (var p = reference.Parent; p is not null; p = p.Parent)
                if (p is INameOfOperation) return;

            var skeleton = field.ContainingType.Name + "Skeleton";
            for (var outer = field.ContainingType.ContainingType; outer is not null; outer = outer.ContainingType) skeleton = outer.Name + skeleton;
            var member = BpfSymbols.IsKernelMap(field.Type) ? "Maps." + field.Name : "Globals." + field.Name;
            // The code fix (BpfSharp.Generators.CodeFixes) reads these instead of working them out again.
            var properties = ImmutableDictionary<string, string?>.Empty.Add("Member", member).Add("Skeleton", skeleton);
            c.ReportDiagnostic(Diagnostic.Create(UserSpaceAccess, reference.Syntax.GetLocation(), properties, field.ContainingType.Name, field.Name, member, skeleton));
        }, OperationKind.FieldReference);
    }
}
