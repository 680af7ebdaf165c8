namespace BpfSharp.Kernel;

/// <summary>
/// Declares a value the loader fills in from the running kernel (C's <c>extern … __kconfig</c>): a
/// <c>CONFIG_*</c> option of the kernel's configuration (bool and tristate options as <c>bool</c> or an integer:
/// n = 0, y = 1, m = 2; numbers as integers; strings as a fixed <c>byte</c> buffer) or
/// <c>LINUX_KERNEL_VERSION</c> (<c>KERNEL_VERSION(a, b, c)</c>). The field must be <c>static readonly</c>; the
/// program reads it like a constant known only at load time, and the verifier prunes branches that depend on it.
/// </summary>
/// <example>
/// <code>
/// [Kconfig] static readonly uint LINUX_KERNEL_VERSION;
/// [Kconfig(Weak = true)] static readonly bool CONFIG_BPF_JIT;   // false where the kernel has no such option
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
public sealed class KconfigAttribute : Attribute
{
    /// <summary>Declares the value named as the field.</summary>
    public KconfigAttribute()
    {
    }

    /// <summary>Declares the value <paramref name="name"/>.</summary>
    /// <param name="name">The option (<c>CONFIG_HZ</c>) or <c>LINUX_KERNEL_VERSION</c>.</param>
    public KconfigAttribute(string name) => Name = name;

    /// <summary>The option's name, or null for the field's name.</summary>
    public string? Name { get; }

    /// <summary>A weak declaration (<c>__weak</c>): 0 where the kernel's configuration lacks the option, instead of a
    /// load error.</summary>
    public bool Weak { get; set; }
}
