using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace BpfSharp.Generators;

/// <summary>
/// For every class that declares BPF programs, generates <c>{Class}Skeleton</c>: it opens the object the build
/// embedded in the assembly and exposes the programs, maps and global variables by their C# names and types
/// (bpftool's skeleton, in C#). Nothing is looked up by a string the user writes.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class SkeletonGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var models = context.SyntaxProvider.CreateSyntaxProvider(
                static (node, _) => node is ClassDeclarationSyntax c && c.Members.Any(m => m is MethodDeclarationSyntax { AttributeLists.Count: > 0 }),
                static (ctx, ct) =>
                {
                    var type = ctx.SemanticModel.GetDeclaredSymbol(ctx.Node, ct) as INamedTypeSymbol;
                    // A partial class is seen once per declaration: keep the first so the skeleton is generated once.
                    if (type is null || !BpfSymbols.IsBpfClass(type) || type.IsGenericType) return null;
                    if (type.DeclaringSyntaxReferences[0].GetSyntax(ct) != ctx.Node) return null;
                    return SkeletonModelBuilder.FromClass(type);
                })
            .Where(static m => m is not null);

        context.RegisterSourceOutput(models, static (spc, model) =>
        {
            var hint = (model!.Namespace is null ? "" : model.Namespace + ".") + model.SkeletonName + ".g.cs";
            spc.AddSource(hint, SourceText.From(SkeletonWriter.Write(model), Encoding.UTF8));
        });
    }
}
