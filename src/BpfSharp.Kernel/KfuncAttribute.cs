namespace BpfSharp.Kernel;

/// <summary>
/// Declares a kernel function (a kfunc, <c>extern … __ksym</c> in C) that BPF programs may call: the compiler turns
/// a call into <c>call</c> with the arguments in r1–r5 and the result in r0, and writes the function as clang does
/// (an undefined ELF symbol, a <c>BTF_FUNC_EXTERN</c> FUNC in the <c>.ksyms</c> DATASEC, an R_BPF_64_32
/// relocation on the call); the loader finds it in the kernel's (or a module's) BTF.
/// </summary>
/// <remarks>
/// Declare the method <c>static extern</c> (or with a body that throws <see cref="BpfOnlyException"/>), with C#
/// types that match the kernel's prototype: pointers to <see cref="RelocatableAttribute">[Relocatable]</see>
/// structs for kernel objects, integers of the same size, <see cref="KernelMap"/> for a <c>void *map</c>.
/// A kfunc returning a pointer to a [Relocatable] struct gives a pointer the verifier trusts: its fields are read
/// with direct loads. Which kfuncs a program may call depends on its type (the kernel registers kfunc sets per
/// program type); acquired objects must be released on every path, as in C.
/// </remarks>
/// <example>
/// <code>
/// [Kfunc("bpf_task_from_pid")] static extern TaskStruct* TaskFromPid(int pid);
/// [Kfunc("bpf_task_release")] static extern void TaskRelease(TaskStruct* task);
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class KfuncAttribute : Attribute
{
    /// <summary>Declares the kfunc named as the method.</summary>
    public KfuncAttribute()
    {
    }

    /// <summary>Declares the kfunc <paramref name="name"/>.</summary>
    /// <param name="name">The kernel function's name, e.g. <c>bpf_task_from_pid</c>.</param>
    public KfuncAttribute(string name) => Name = name;

    /// <summary>The kernel function's name, or null for the method's name.</summary>
    public string? Name { get; }

    /// <summary>A weak declaration (<c>__weak</c>): the object loads on a kernel without the kfunc, and a call to
    /// it then fails verification only if it is reachable (guard it with a <c>.rodata</c> flag set from user space,
    /// e.g. from <c>TracingProbes.KfuncExists</c>).</summary>
    public bool Weak { get; set; }
}
