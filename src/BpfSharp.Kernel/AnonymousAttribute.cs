namespace BpfSharp.Kernel;

/// <summary>
/// On a field: the member has no name in BTF (a C anonymous struct or union member; the C# field name is only
/// for C# code). On a type: the BTF type itself is anonymous.
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Struct, Inherited = false)]
public sealed class AnonymousAttribute : Attribute
{
}
