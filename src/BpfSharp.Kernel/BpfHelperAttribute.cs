namespace BpfSharp.Kernel;

/// <summary>
/// Binds a static method to a kernel BPF helper (<c>enum bpf_func_id</c>): the compiler turns a call into
/// <c>call N</c> with the arguments in r1–r5 and the result in r0. The method body never runs.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class BpfHelperAttribute(int id) : Attribute
{
    /// <summary>The helper id, e.g. 1 for <c>bpf_map_lookup_elem</c>.</summary>
    public int Id { get; } = id;
}
