namespace BpfSharp.Kernel;

/// <summary>
/// The license string of the BPF object (<c>char LICENSE[] SEC("license")</c>). GPL-only helpers need a
/// GPL-compatible license. Without this attribute the compiler writes <c>"GPL"</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, Inherited = false)]
public sealed class LicenseAttribute(string license) : Attribute
{
    /// <summary>The license, e.g. <c>"GPL"</c> or <c>"Dual BSD/GPL"</c>.</summary>
    public string License { get; } = license;
}
