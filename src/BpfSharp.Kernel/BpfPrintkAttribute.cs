namespace BpfSharp.Kernel;

/// <summary>
/// Marks a <c>Printk</c> overload (<see cref="Bpf.Printk(string)"/>): its first argument must be a string literal,
/// which the compiler encodes as UTF-8 with a terminating NUL in <c>.rodata</c>; the call becomes
/// <c>bpf_trace_printk(&amp;literal, length + 1, args…)</c> (helper 6) with the remaining arguments in r3–r5.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class BpfPrintkAttribute : Attribute
{
}
