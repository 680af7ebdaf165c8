using System.Runtime.CompilerServices;

namespace BpfSharp.Kernel;

/// <summary>
/// The interpolated string handler of <see cref="BpfLog"/>. The compiler reads the sequence of
/// <c>AppendLiteral</c>/<c>AppendFormatted</c> calls the C# compiler generates and emits one store per hole into a
/// record on the BPF stack; nothing here runs on .NET.
/// <list type="bullet">
/// <item>integers of every width, <c>bool</c>, <c>char</c> and enums: decimal, or hex with <c>{x:x}</c> / <c>{x:X}</c>;</item>
/// <item><see cref="Ipv4Address"/>, <see cref="Ipv6Address"/>, <see cref="MacAddress"/>; a <c>uint</c> in network
/// byte order with <c>{addr:ipv4}</c>;</item>
/// <item>pointers: the address in hex; with <c>{p:str}</c> the NUL-terminated string at <c>p</c> in kernel memory,
/// with <c>{p:ustr}</c> in user memory (64 bytes read at most; <c>str128</c>/<c>ustr16</c> choose another bound);</item>
/// <item><c>fixed byte</c>/<c>fixed sbyte</c> buffers as NUL-terminated UTF-8 text, <c>fixed char</c> buffers as
/// UTF-16 text (<c>{e->Comm}</c>).</item>
/// </list>
/// A hole's property name is the local, parameter, field or property it reads.
/// </summary>
[InterpolatedStringHandler]
public unsafe ref struct BpfLogMessage
{
    /// <summary>Called by the C# compiler at the start of an interpolated string.</summary>
    /// <param name="literalLength">Characters of literal text.</param>
    /// <param name="formattedCount">Number of holes.</param>
    public BpfLogMessage(int literalLength, int formattedCount) => throw new BpfOnlyException();

    /// <summary>Literal text: kept in the object, not in the record.</summary>
    /// <param name="text">The text.</param>
    public void AppendLiteral(string text) => throw new BpfOnlyException();

    /// <summary>A hole with a value of an unmanaged type.</summary>
    /// <typeparam name="T">An integer, <c>bool</c>, <c>char</c>, enum or address type.</typeparam>
    /// <param name="value">The value.</param>
    public void AppendFormatted<T>(T value) where T : unmanaged => throw new BpfOnlyException();

    /// <summary>A hole with a format: <c>x</c>, <c>X</c> or <c>ipv4</c>.</summary>
    /// <typeparam name="T">An integer, <c>bool</c>, <c>char</c>, enum or address type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="format">The format (a literal).</param>
    public void AppendFormatted<T>(T value, string format) where T : unmanaged => throw new BpfOnlyException();

    /// <summary>A pointer hole (or a fixed buffer, which C# passes as a pointer).</summary>
    /// <param name="value">The pointer.</param>
    public void AppendFormatted(void* value) => throw new BpfOnlyException();

    /// <summary>A pointer hole with a format: <c>str</c>, <c>ustr</c> (optionally followed by a bound), <c>x</c>.</summary>
    /// <param name="value">The pointer.</param>
    /// <param name="format">The format (a literal).</param>
    public void AppendFormatted(void* value, string format) => throw new BpfOnlyException();
}
