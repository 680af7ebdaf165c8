using BpfSharp.Btf.Formatting.CSharp;

namespace BpfSharp.Btf.Formatting;

/// <summary>
/// Writes kernel types from BTF as C# definitions for BPF programs written in C# (the C# counterpart of
/// <c>vmlinux.h</c>): <c>[Relocatable]</c> structs, explicit-layout unions and enums whose field accesses the
/// BpfSharp compiler turns into CO-RE relocations. The rules are listed in docs/gen-csharp.md.
/// </summary>
/// <remarks>The output depends only on the BTF and the options: two runs write the same bytes.</remarks>
public static class BtfCSharpFormatter
{
    /// <summary>Writes the C# source for <paramref name="spec"/> to <paramref name="output"/> (UTF-8, no BOM).</summary>
    /// <param name="spec">The BTF to print (for split BTF the base is consulted for referenced types).</param>
    /// <param name="output">Receives the source; not closed.</param>
    /// <param name="options">Namespace and type selection; null for the defaults.</param>
    /// <exception cref="ArgumentException">A name in <see cref="CSharpBindingsOptions.TypeNames"/> is not a struct,
    /// union, enum or typedef of the BTF, or the namespace is not a valid C# name.</exception>
    /// <exception cref="BpfFormatException">The BTF is malformed (a type chain or nesting beyond the bounds).</exception>
    public static void Write(BtfSpec spec, Stream output, CSharpBindingsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(output);
        options ??= new CSharpBindingsOptions();
        var emitter = new CSharpBindingsEmitter(spec, options);
        emitter.Select();
        emitter.AssignNames();
        var writer = new CSharpOutput(output);
        emitter.Emit(writer);
        writer.Flush();
    }

    /// <summary>
    /// Writes the types <paramref name="roots"/> name, and every type they reference by value, as C# declarations
    /// for embedding in a generated file (the <c>bpfsharp gen skeleton</c> structs): no file header, no namespace
    /// line, top-level types sorted by name. The file needs the <see cref="CSharpTypeDeclarations.Usings"/>.
    /// </summary>
    /// <param name="spec">The BTF of the types.</param>
    /// <param name="roots">The types to write; each gets a spelling in <see cref="CSharpTypeDeclarations.Spellings"/>.</param>
    /// <param name="options">
    /// <see cref="CSharpBindingsOptions.FixedLayout"/> is what skeletons use; <see cref="CSharpBindingsOptions.Namespace"/>
    /// and <see cref="CSharpBindingsOptions.TypeNames"/> are ignored. Null: fixed layout.
    /// </param>
    /// <param name="reservedNames">C# names the generated types must not take (members of the enclosing class).</param>
    /// <exception cref="ArgumentException">A root's type id is not in the BTF.</exception>
    /// <exception cref="BpfFormatException">The BTF is malformed (a type chain or nesting beyond the bounds).</exception>
    public static CSharpTypeDeclarations FormatTypes(BtfSpec spec, IReadOnlyList<CSharpTypeRoot> roots,
        CSharpBindingsOptions? options = null, IEnumerable<string>? reservedNames = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(roots);
        options ??= new CSharpBindingsOptions { FixedLayout = true };
        var emitter = new CSharpBindingsEmitter(spec, options, roots, reservedNames);
        emitter.Select();
        emitter.AssignNames();
        var spellings = emitter.RootSpellings();
        using var buffer = new MemoryStream();
        var writer = new CSharpOutput(buffer);
        emitter.Emit(writer);
        writer.Flush();
        return new CSharpTypeDeclarations(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), spellings);
    }

    /// <summary>The C# source as a string (see <see cref="Write(BtfSpec, Stream, CSharpBindingsOptions?)"/>).</summary>
    /// <param name="spec">The BTF to print.</param>
    /// <param name="options">Namespace and type selection; null for the defaults.</param>
    /// <exception cref="ArgumentException">See <see cref="Write(BtfSpec, Stream, CSharpBindingsOptions?)"/>.</exception>
    /// <exception cref="BpfFormatException">See <see cref="Write(BtfSpec, Stream, CSharpBindingsOptions?)"/>.</exception>
    public static string Format(BtfSpec spec, CSharpBindingsOptions? options = null)
    {
        using var buffer = new MemoryStream();
        Write(spec, buffer, options);
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}

/// <summary>A root type for <see cref="BtfCSharpFormatter.FormatTypes"/>.</summary>
/// <param name="TypeId">The BTF type id (any type: an INT is spelled <c>uint</c>, an array gets an inline-array struct).</param>
/// <param name="AnonymousName">
/// The C name to give the type when it is (an array of) an anonymous struct or union that no typedef names, as in
/// <c>struct { int a; } cfg;</c> (the variable's or map's name, say).
/// </param>
public readonly record struct CSharpTypeRoot(int TypeId, string AnonymousName);

/// <summary>What <see cref="BtfCSharpFormatter.FormatTypes"/> wrote.</summary>
/// <param name="Source">The declarations (each line ends with a newline).</param>
/// <param name="Spellings">How each root type id is spelled in C#; a root C# cannot name (void, a function) is absent.</param>
public sealed record CSharpTypeDeclarations(string Source, IReadOnlyDictionary<int, string> Spellings)
{
    /// <summary>The namespaces the declarations use unqualified (<c>StructLayout</c>, <c>FieldOffset</c>, <c>InlineArray</c>).</summary>
    public static IReadOnlyList<string> Usings { get; } = ["System.Runtime.CompilerServices", "System.Runtime.InteropServices"];
}
