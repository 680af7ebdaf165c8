using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace BpfSharp.Generators;

/// <summary>
/// Suppresses C#'s "never assigned" (CS0649) and "assigned but never used" (CS0414) warnings on the global variables
/// of BPF classes: user space sets them before load (<c>.rodata</c>, a target pid) and reads what the programs
/// wrote (<c>.bss</c> counters) through the skeleton, and the loader fills in <c>[Kconfig]</c> values, none of
/// which C# can see. Other fields keep their warnings.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class KernelStaticWarningSuppressor : DiagnosticSuppressor
{
    internal static readonly SuppressionDescriptor NeverAssigned = new("BPFSP0649", "CS0649",
        "A global variable of a BPF class is assigned by user space (through the skeleton) or by the loader, which C# cannot see");

    internal static readonly SuppressionDescriptor NeverRead = new("BPFSP0414", "CS0414",
        "A global variable of a BPF class is read by user space (through the skeleton), which C# cannot see");

    /// <inheritdoc />
    public override ImmutableArray<SuppressionDescriptor> SupportedSuppressions { get; } = ImmutableArray.Create(NeverAssigned, NeverRead);

    /// <inheritdoc />
    public override void ReportSuppressions(SuppressionAnalysisContext context)
    {
        foreach (var diagnostic in context.ReportedDiagnostics)
        {
            var tree = diagnostic.Location.SourceTree;
            if (tree is null) continue;
            var model = context.GetSemanticModel(tree);
            var node = tree.GetRoot(context.CancellationToken).FindNode(diagnostic.Location.SourceSpan);
            if (model.GetDeclaredSymbol(node, context.CancellationToken) is IFieldSymbol field
                && BpfSymbols.IsKernelStatic(field) && !BpfSymbols.IsKernelMap(field.Type) && BpfSymbols.IsBpfClass(field.ContainingType))
            {
                context.ReportSuppression(Suppression.Create(diagnostic.Id == "CS0649" ? NeverAssigned : NeverRead, diagnostic));
            }
        }
    }
}
