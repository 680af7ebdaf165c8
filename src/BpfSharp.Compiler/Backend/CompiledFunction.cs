using BpfSharp.Compiler.Ir;
using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Backend;

/// <summary>What an instruction refers to: an ld_imm64 of a map, a global (section symbol plus offset) or a
/// subprogram's address, or a BPF-to-BPF call.</summary>
internal enum SymbolReferenceKind
{
    Map,
    Global,
    Subprogram,
    FunctionCall,
    Kfunc,
}

/// <summary>An instruction that needs an ELF relocation.</summary>
internal readonly record struct SymbolReference(int Instruction, SymbolReferenceKind Kind, int Symbol, long Addend);

/// <summary>A CO-RE relocation on an emitted instruction.</summary>
internal readonly record struct CoReReference(int Instruction, CoReUse Use);

/// <summary>A function as the object describes it: its code and its BTF signature.</summary>
/// <param name="Function">The generated code.</param>
/// <param name="Parameters">Parameter names and types for FUNC_PROTO.</param>
/// <param name="ReturnType">The return type (int for programs).</param>
/// <param name="IsSubprogram">A .text function (callback or called function), not an entry program.</param>
/// <param name="IsGlobal">A global .text function (BTF_FUNC_GLOBAL, a global symbol), else static.</param>
internal sealed record EmittedFunction(CompiledFunction Function, IReadOnlyList<(string Name, Frontend.CType Type)> Parameters,
    Frontend.CType ReturnType, bool IsSubprogram, bool IsGlobal = false);

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

    /// <summary>For a subprogram: its index in the compilation unit's subprogram list; -1 for programs.</summary>
    public int Symbol { get; set; } = -1;
}
