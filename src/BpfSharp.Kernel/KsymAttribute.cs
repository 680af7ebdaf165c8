namespace BpfSharp.Kernel;

/// <summary>
/// Declares a kernel variable (C's <c>extern const T name __ksym</c>): a <c>static readonly</c> pointer field whose
/// value, in a program, is the variable's address in the kernel, put in by the loader. A pointer to a
/// <see cref="RelocatableAttribute">[Relocatable]</see> struct is a typed ksym, found in the kernel's BTF (the
/// verifier knows its type: fields of a plain variable are read with direct loads, a per-CPU one such as
/// <c>runqueues</c> is reached through <see cref="Bpf.ThisCpuPtr"/> or <see cref="Bpf.PerCpuPtr"/>); <c>void*</c> is a
/// typeless ksym, an address from kallsyms.
/// </summary>
/// <example>
/// <code>
/// [Ksym] static readonly Rq* runqueues;              // extern const struct rq runqueues __ksym;
/// [Ksym] static readonly void* bpf_prog_active;      // extern const void bpf_prog_active __ksym;
/// Rq* rq = (Rq*)Bpf.ThisCpuPtr(runqueues);
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
public sealed class KsymAttribute : Attribute
{
    /// <summary>Declares the variable named as the field.</summary>
    public KsymAttribute()
    {
    }

    /// <summary>Declares the kernel variable <paramref name="name"/>.</summary>
    /// <param name="name">The kernel's name for it.</param>
    public KsymAttribute(string name) => Name = name;

    /// <summary>The variable's name, or null for the field's name.</summary>
    public string? Name { get; }

    /// <summary>A weak declaration (<c>__weak</c>): the address is 0 where the kernel lacks the variable.</summary>
    public bool Weak { get; set; }
}
