using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace BpfSharp.Generators;

/// <summary>Builds a <see cref="SkeletonModel"/> from a C# class with BPF programs.</summary>
internal static class SkeletonModelBuilder
{
    public static SkeletonModel FromClass(INamedTypeSymbol type)
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
                case IFieldSymbol field when BpfSymbols.IsKernelStatic(field) && !BpfSymbols.IsKconfig(field):
                    if (BpfSymbols.IsKernelMap(field.Type))
                    {
                        var map = FromMapField(field);
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
        var reference = Format(type);
        return new SkeletonModel(ns, flatName + "Skeleton", isPublic,
            "the BPF programs of <see cref=\"" + reference + "\"/>, compiled by the build and embedded in this assembly",
            "global::BpfSharp.Linux.Loading.BpfObject.OpenEmbedded(typeof(" + reference + ").Assembly, options)", reference,
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

    private static MapModel FromMapField(IFieldSymbol field)
    {
        string? key = null, value = null;
        var isPublic = true;
        for (var t = field.Type as INamedTypeSymbol; t is not null; t = t.BaseType)
        {
            var name = t.OriginalDefinition.ToDisplayString();
            if (name == "BpfSharp.Kernel.KeyedMap<TKey, TValue>")
            {
                key = Format(t.TypeArguments[0]);
                value = Format(t.TypeArguments[1]);
                isPublic = IsEffectivelyPublic(t.TypeArguments[0]) && IsEffectivelyPublic(t.TypeArguments[1]);
                break;
            }
            if (name is "BpfSharp.Kernel.TaskStorageMap<TValue>" or "BpfSharp.Kernel.SocketStorageMap<TValue>"
                or "BpfSharp.Kernel.InodeStorageMap<TValue>" or "BpfSharp.Kernel.CgroupStorageMap<TValue>")
            {
                key = "int"; // user space names the owner by a file descriptor (a pidfd, socket, file or cgroup)
                value = Format(t.TypeArguments[0]);
                isPublic = IsEffectivelyPublic(t.TypeArguments[0]);
                break;
            }
            if (name is "BpfSharp.Kernel.ArrayOfMaps<TInner>" or "BpfSharp.Kernel.HashOfMaps<TKey, TInner>")
            {
                // The values are inner maps: user space stores map fds and reads back map ids.
                var keyType = t.TypeArguments.Length == 2 ? t.TypeArguments[0] : null;
                return new MapModel(field.Name, field.Type.OriginalDefinition.Name, keyType is null ? "uint" : Format(keyType), null,
                    keyType is null || IsEffectivelyPublic(keyType)) { IsMapOfMaps = true };
            }
            if (name == "BpfSharp.Kernel.IndexedMap<TValue>")
            {
                key = "uint";
                value = Format(t.TypeArguments[0]);
                isPublic = IsEffectivelyPublic(t.TypeArguments[0]);
                break;
            }
        }
        return new MapModel(field.Name, field.Type.OriginalDefinition.Name, key, value, isPublic);
    }
}
