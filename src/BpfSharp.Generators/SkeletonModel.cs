using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace BpfSharp.Generators;

/// <summary>What the generator needs to know of one class with BPF programs: plain strings, so steps cache.</summary>
internal sealed record SkeletonModel(
    string? Namespace,
    string ClassName,
    string ClassReference,
    string SkeletonName,
    bool IsPublic,
    EquatableArray<string> Programs,
    EquatableArray<MapModel> Maps,
    EquatableArray<GlobalModel> Globals)
{
    public static SkeletonModel From(INamedTypeSymbol type)
    {
        var programs = ImmutableArray.CreateBuilder<string>();
        var maps = ImmutableArray.CreateBuilder<MapModel>();
        var globals = ImmutableArray.CreateBuilder<GlobalModel>();
        var isPublic = IsEffectivelyPublic(type);
        foreach (var member in type.GetMembers())
        {
            switch (member)
            {
                case IMethodSymbol method when method.IsStatic && BpfSymbols.IsProgram(method):
                    programs.Add(method.Name);
                    break;
                case IFieldSymbol field when BpfSymbols.IsKernelStatic(field):
                    if (BpfSymbols.IsKernelMap(field.Type))
                    {
                        var map = MapModel.From(field);
                        maps.Add(map);
                        isPublic &= map.TypesArePublic;
                    }
                    else
                    {
                        globals.Add(new GlobalModel(field.Name, Format(field.Type), field.IsReadOnly));
                        isPublic &= IsEffectivelyPublic(field.Type);
                    }
                    break;
            }
        }

        var ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
        var flatName = type.Name;
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType) flatName = outer.Name + flatName;
        return new SkeletonModel(ns, type.Name, Format(type), flatName + "Skeleton", isPublic,
            new EquatableArray<string>(programs.ToImmutable()), new EquatableArray<MapModel>(maps.ToImmutable()),
            new EquatableArray<GlobalModel>(globals.ToImmutable()));
    }

    public static string Format(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

    public static bool IsEffectivelyPublic(ITypeSymbol type)
    {
        if (type is IPointerTypeSymbol pointer) return IsEffectivelyPublic(pointer.PointedAtType);
        if (type.SpecialType != SpecialType.None) return true;
        for (ISymbol? s = type; s is INamedTypeSymbol; s = s.ContainingType)
            if (s.DeclaredAccessibility != Accessibility.Public) return false;
        if (type is INamedTypeSymbol named)
            foreach (var argument in named.TypeArguments)
                if (!IsEffectivelyPublic(argument)) return false;
        return true;
    }
}

/// <summary>A map field: its name and the user-space view the generated property returns.</summary>
internal sealed record MapModel(string Name, string KernelClass, string? KeyType, string? ValueType, bool TypesArePublic)
{
    public static MapModel From(IFieldSymbol field)
    {
        string? key = null, value = null;
        var isPublic = true;
        for (var t = field.Type as INamedTypeSymbol; t is not null; t = t.BaseType)
        {
            var name = t.OriginalDefinition.ToDisplayString();
            if (name == "BpfSharp.Kernel.KeyedMap<TKey, TValue>")
            {
                key = SkeletonModel.Format(t.TypeArguments[0]);
                value = SkeletonModel.Format(t.TypeArguments[1]);
                isPublic = SkeletonModel.IsEffectivelyPublic(t.TypeArguments[0]) && SkeletonModel.IsEffectivelyPublic(t.TypeArguments[1]);
                break;
            }
            if (name == "BpfSharp.Kernel.IndexedMap<TValue>")
            {
                key = "uint";
                value = SkeletonModel.Format(t.TypeArguments[0]);
                isPublic = SkeletonModel.IsEffectivelyPublic(t.TypeArguments[0]);
                break;
            }
        }
        return new MapModel(field.Name, field.Type.OriginalDefinition.Name, key, value, isPublic);
    }
}

/// <summary>A global variable field (<c>.data</c>, <c>.bss</c>, or <c>.rodata</c> when read-only).</summary>
internal sealed record GlobalModel(string Name, string Type, bool IsReadOnly);
