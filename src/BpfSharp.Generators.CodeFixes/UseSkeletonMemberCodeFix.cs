using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BpfSharp.Generators.CodeFixes;

/// <summary>
/// For BPFS5001 (user-space code touching a BPF static): rewrites <c>Probes.Dropped</c> to
/// <c>probes.Globals.Dropped</c> (or <c>.Maps.X</c>) when a skeleton instance is in scope there.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UseSkeletonMemberCodeFix)), Shared]
public sealed class UseSkeletonMemberCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("BPFS5001");

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        if (!diagnostic.Properties.TryGetValue("Member", out var member) || member is null) return;
        if (!diagnostic.Properties.TryGetValue("Skeleton", out var skeleton) || skeleton is null) return;
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null) return;
        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax access) return;

        // A local, parameter, field or property of the skeleton's type visible at the access.
        var instance = model.LookupSymbols(access.SpanStart)
            .FirstOrDefault(s => !s.IsStatic && TypeOf(s)?.Name == skeleton);
        if (instance is null) return;

        var replacement = SyntaxFactory.ParseExpression(instance.Name + "." + member).WithTriviaFrom(access);
        context.RegisterCodeFix(
            CodeAction.Create($"Use {instance.Name}.{member}",
                _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(access, replacement))),
                equivalenceKey: "BPFS5001:" + member),
            diagnostic);
    }

    private static ITypeSymbol? TypeOf(ISymbol symbol) => symbol switch
    {
        ILocalSymbol l => l.Type,
        IParameterSymbol p => p.Type,
        IFieldSymbol f => f.Type,
        IPropertySymbol p => p.Type,
        _ => null,
    };
}
