using Microsoft.CodeAnalysis;

namespace BpfSharp.Generators;

/// <summary>How the generator and analyzers recognise BpfSharp's kernel-side API: by metadata name, never by reference.</summary>
internal static class BpfSymbols
{
    public const string KernelNamespace = "BpfSharp.Kernel";
    public const string ProgramAttribute = "BpfSharp.Kernel.BpfProgramAttribute";
    public const string KernelMap = "BpfSharp.Kernel.KernelMap";
    public const string Relocatable = "BpfSharp.Kernel.RelocatableAttribute";

    /// <summary>True for a static method marked with <c>[BpfProgram]</c> or one of its shorthands (<c>[Kprobe]</c>, <c>[Xdp]</c>, …).</summary>
    public static bool IsProgram(IMethodSymbol method)
    {
        foreach (var a in method.GetAttributes())
            if (DerivesFrom(a.AttributeClass, ProgramAttribute)) return true;
        return false;
    }

    /// <summary>True for a class that declares at least one BPF program: everything in it is BPF-side code.</summary>
    public static bool IsBpfClass(INamedTypeSymbol? type)
    {
        if (type is null || type.TypeKind != TypeKind.Class) return false;
        foreach (var m in type.GetMembers())
            if (m is IMethodSymbol method && method.IsStatic && IsProgram(method)) return true;
        return false;
    }

    /// <summary>True for the kernel-side map classes (<c>HashMap&lt;K,V&gt;</c>, <c>RingBuffer</c>, …).</summary>
    public static bool IsKernelMap(ITypeSymbol? type) => DerivesFrom(type as INamedTypeSymbol, KernelMap);

    public static bool IsRelocatable(ITypeSymbol? type)
    {
        if (type is null) return false;
        foreach (var a in type.GetAttributes())
            if (a.AttributeClass?.ToDisplayString() == Relocatable) return true;
        return false;
    }

    public static bool DerivesFrom(INamedTypeSymbol? type, string metadataName)
    {
        for (var t = type; t is not null; t = t.BaseType)
            if (t.OriginalDefinition.ToDisplayString() == metadataName) return true;
        return false;
    }

    /// <summary>True for a <c>[Kconfig]</c> field: an extern the loader fills in, not a variable of the object.</summary>
    public static bool IsKconfig(IFieldSymbol field)
    {
        foreach (var a in field.GetAttributes())
            if (a.AttributeClass?.ToDisplayString() == KernelNamespace + ".KconfigAttribute") return true;
        return false;
    }

    /// <summary>The static fields of a BPF class that live in the kernel: maps and global variables (not constants).</summary>
    public static bool IsKernelStatic(IFieldSymbol field) =>
        field.IsStatic && !field.IsConst && !field.IsImplicitlyDeclared && (IsKernelMap(field.Type) || field.Type.IsUnmanagedType);
}
