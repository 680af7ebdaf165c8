namespace BpfSharp.Kernel;

/// <summary>
/// Gives a type, field or enum member the name it has in the program's BTF, when that differs from the C# name
/// (e.g. <c>[BtfName("xdp_md")] struct XdpMd</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Enum | AttributeTargets.Field, Inherited = false)]
public sealed class BtfNameAttribute(string name) : Attribute
{
    /// <summary>The BTF name.</summary>
    public string Name { get; } = name;
}
