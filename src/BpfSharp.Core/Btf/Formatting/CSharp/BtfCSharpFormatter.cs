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
