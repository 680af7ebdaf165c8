using BpfSharp.Compiler.Ir;
using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Backend;

/// <summary>What an ld_imm64 refers to: a map or a global (section symbol plus offset).</summary>
internal enum SymbolReferenceKind
{
    Map,
    Global,
}

/// <summary>An instruction that needs an ELF relocation.</summary>
internal readonly record struct SymbolReference(int Instruction, SymbolReferenceKind Kind, int Symbol, long Addend);

/// <summary>A CO-RE relocation on an emitted instruction.</summary>
internal readonly record struct CoReReference(int Instruction, CoReUse Use);

/// <summary>A program after code generation.</summary>
internal sealed class CompiledFunction
{
    public required string Name { get; init; }
    public required string Section { get; init; }
    public required Instruction[] Code { get; init; }
    public required List<SymbolReference> References { get; init; }
    public required List<CoReReference> CoRe { get; init; }
    public required List<(int Instruction, int Line)> Lines { get; init; }
    public required int StackSize { get; init; }
}
