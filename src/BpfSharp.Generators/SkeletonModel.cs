namespace BpfSharp.Generators;

/// <summary>
/// What a skeleton needs to know: plain strings and lists, equal by value (so incremental generator steps cache),
/// free of Roslyn (so the CLI's <c>gen skeleton</c> builds one from an object's BTF).
/// </summary>
/// <param name="Namespace">The namespace of the generated class, or null.</param>
/// <param name="SkeletonName">The generated class's name.</param>
/// <param name="IsPublic">Public, or internal when a type it exposes is not public.</param>
/// <param name="Origin">What it was generated from, for its documentation.</param>
/// <param name="OpenExpression">The C# expression that opens the <c>BpfObject</c> (may use <c>options</c>).</param>
/// <param name="ClassReference">The C# class with the programs, for <c>see cref</c>, or null for an object written in C.</param>
internal sealed record SkeletonModel(
    string? Namespace,
    string SkeletonName,
    bool IsPublic,
    string Origin,
    string OpenExpression,
    string? ClassReference,
    EquatableArray<string> Programs,
    EquatableArray<MapModel> Maps,
    EquatableArray<GlobalModel> Globals)
{
    /// <summary>C# lines written before the namespace (using directives the extra members need, pragmas).</summary>
    public string? Prologue { get; init; }

    /// <summary>C# members appended inside the class (<c>gen skeleton</c>: the embedded object bytes and the structs for its BTF types, nested so that two skeletons never clash).</summary>
    public string? ExtraMembers { get; init; }

    /// <summary>C# types appended after the class, at namespace level.</summary>
    public string? ExtraTypes { get; init; }

    /// <summary>How the documentation names a member of the BPF side.</summary>
    public string Describe(string member) =>
        ClassReference is null ? "<c>" + member + "</c>" : "<see cref=\"" + ClassReference + "." + member + "\"/>";
}

/// <summary>A map: its name, its kernel-side class (for documentation) and, for keyed and indexed maps, the C# key and value types (maps of maps: the key type).</summary>
internal sealed record MapModel(string Name, string KernelClass, string? KeyType, string? ValueType, bool TypesArePublic)
{
    /// <summary>An array or hash of maps: a <c>BpfMapOfMaps&lt;KeyType&gt;</c> (no value type: the values are inner maps).</summary>
    public bool IsMapOfMaps { get; init; }
}

/// <summary>A global variable (<c>.data</c>, <c>.bss</c>, or <c>.rodata</c> when read-only) with its C# type.</summary>
internal sealed record GlobalModel(string Name, string Type, bool IsReadOnly);
