using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace BpfSharp.Generators;

/// <summary>
/// The BpfSharp compiler's diagnostics that need no IL, reported as the user types: floating point, allocation,
/// exceptions and <c>sizeof</c> of <c>[Relocatable]</c> types inside a class with BPF programs (everything in such a
/// class is BPF-side code). Same ids as the compiler's, so the build reports each problem once: the C# compile
/// stops at the analyzer's error before the BPF compile runs. Constant expressions are left alone (C# folds them).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BpfSideAnalyzer : DiagnosticAnalyzer
{
    private const string Category = "BpfSharp";

    internal static readonly DiagnosticDescriptor FloatingPoint = new("BPFS1002", "Floating point in BPF code",
        "BPF has no floating point: '{0}' is {1}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    internal static readonly DiagnosticDescriptor ReferenceType = new("BPFS1007", "Allocation in BPF code",
        "BPF code cannot allocate: '{0}' creates {1} on the managed heap (use a struct, a stackalloc'd span or a map value)", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    internal static readonly DiagnosticDescriptor Exceptions = new("BPFS1008", "Exception handling in BPF code",
        "BPF has no exceptions: {0} cannot be compiled (return an error code instead)", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    internal static readonly DiagnosticDescriptor RelocatableLayout = new("BPFS4001", "Size of a [Relocatable] type",
        "'{0}' is [Relocatable]: its size and layout come from the target kernel at load time, so {1} is not allowed", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(FloatingPoint, ReferenceType, Exceptions, RelocatableLayout);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterOperationBlockStartAction(start =>
        {
            if (start.OwningSymbol is not IMethodSymbol method || method.MethodKind == MethodKind.StaticConstructor) return;
            if (!BpfSymbols.IsBpfClass(method.ContainingType)) return;

            // One diagnostic of each kind per statement is enough to point at the problem.
            var reported = new HashSet<(int, string)>();
            void Report(OperationAnalysisContext c, DiagnosticDescriptor d, IOperation at, params object[] args)
            {
                var statement = at;
                while (statement.Parent is not null and not IBlockOperation) statement = statement.Parent;
                // Attributes on the method are metadata, not code.
                if (statement is IAttributeOperation) return;
                lock (reported)
                {
                    if (!reported.Add((statement.Syntax.SpanStart, d.Id))) return;
                }
                c.ReportDiagnostic(Diagnostic.Create(d, at.Syntax.GetLocation(), args));
            }

            start.RegisterOperationAction(c =>
            {
                var op = c.Operation;
                if (op.ConstantValue.HasValue) return;
                ITypeSymbol? floating = op.Type is not null && IsFloating(op.Type) ? op.Type : null;
                if (op is IConversionOperation conversion)
                {
                    // (float)3 is folded; (int)someDouble converts at run time.
                    if (conversion.Operand.ConstantValue.HasValue) return;
                    if (floating is null && conversion.Operand.Type is { } from && IsFloating(from)) floating = from;
                }
                if (floating is not null) Report(c, FloatingPoint, op, op.Syntax.ToString(), floating.ToDisplayString());
            }, OperationKind.Binary, OperationKind.Conversion, OperationKind.Unary, OperationKind.Invocation);

            start.RegisterOperationAction(c =>
            {
                var declarator = (IVariableDeclaratorOperation)c.Operation;
                if (declarator.Symbol.IsConst) return;   // a constant is folded wherever it is used
                var type = declarator.Symbol.Type;
                if (IsFloating(type)) Report(c, FloatingPoint, declarator, declarator.Symbol.Name, type.ToDisplayString());
                else if (BpfSymbols.IsRelocatable(type)) Report(c, RelocatableLayout, declarator, type.Name, "a local of it");
            }, OperationKind.VariableDeclarator);

            start.RegisterOperationAction(c =>
            {
                var op = c.Operation;
                switch (op)
                {
                    case IObjectCreationOperation { Type.IsReferenceType: true } creation:
                        Report(c, ReferenceType, op, op.Syntax.ToString(), "a " + creation.Type!.Name);
                        break;
                    case IArrayCreationOperation:
                        Report(c, ReferenceType, op, op.Syntax.ToString(), "an array");
                        break;
                    case IAnonymousFunctionOperation or IDelegateCreationOperation:
                        Report(c, ReferenceType, op, op.Syntax.ToString(), "a delegate");
                        break;
                }
            }, OperationKind.ObjectCreation, OperationKind.ArrayCreation, OperationKind.AnonymousFunction, OperationKind.DelegateCreation);

            start.RegisterOperationAction(c =>
            {
                var what = c.Operation.Kind switch
                {
                    OperationKind.Throw => "throw",
                    OperationKind.Try => "try",
                    OperationKind.Using or OperationKind.UsingDeclaration => "using (a try/finally)",
                    _ => "lock (a try/finally)",
                };
                Report(c, Exceptions, c.Operation, what);
            }, OperationKind.Throw, OperationKind.Try, OperationKind.Using, OperationKind.UsingDeclaration, OperationKind.Lock);

            start.RegisterOperationAction(c =>
            {
                switch (c.Operation)
                {
                    case ISizeOfOperation size when BpfSymbols.IsRelocatable(size.TypeOperand):
                        Report(c, RelocatableLayout, size, size.TypeOperand.Name, "sizeof");
                        break;
                    case IInvocationOperation { TargetMethod: { Name: "SizeOf", IsGenericMethod: true } target } call
                        when target.ContainingType.ToDisplayString() == "System.Runtime.CompilerServices.Unsafe"
                             && BpfSymbols.IsRelocatable(target.TypeArguments[0]):
                        Report(c, RelocatableLayout, call, target.TypeArguments[0].Name, "Unsafe.SizeOf");
                        break;
                }
            }, OperationKind.SizeOf, OperationKind.Invocation);
        });
    }

    private static bool IsFloating(ITypeSymbol type) =>
        type.SpecialType is SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal
        || type.ToDisplayString() is "System.Half";
}
