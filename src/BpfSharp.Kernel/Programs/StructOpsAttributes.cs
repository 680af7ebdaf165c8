namespace BpfSharp.Kernel;

/// <summary>
/// Makes a static class one struct_ops variable: the C
/// <c>SEC(".struct_ops.link") struct TYPE NAME = { .member = (void *)program, .name = "…" };</c>. Its
/// <see cref="StructOpsMethodAttribute"/> methods are the programs of the function pointer members, its
/// <see cref="StructOpsMemberAttribute"/> constants the data members. The loader matches the members by name with
/// the kernel's <paramref name="typeName"/> (e.g. <c>tcp_congestion_ops</c>) and creates a
/// <c>BPF_MAP_TYPE_STRUCT_OPS</c> map named as the class (or its <see cref="BtfNameAttribute"/>); registering that map
/// hands the ops to the kernel.
/// </summary>
/// <param name="typeName">The kernel struct the class implements.</param>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class StructOpsAttribute(string typeName) : Attribute
{
    /// <summary>The kernel struct (<c>tcp_congestion_ops</c>, <c>sched_ext_ops</c>, …).</summary>
    public string TypeName { get; } = typeName;

    /// <summary>
    /// True: the variable goes into <c>.struct_ops.link</c> (the map has <c>BPF_F_LINK</c>, a BPF link registers it and
    /// closing the link unregisters; Linux 6.4). False: <c>.struct_ops</c>, registered by updating the map.
    /// </summary>
    public bool Link { get; set; }
}

/// <summary>
/// A program of a <see cref="StructOpsAttribute"/> class, set into the function pointer member
/// <paramref name="member"/>; placed in section <c>struct_ops/MEMBER</c> (<c>struct_ops.s/MEMBER</c> when
/// <see cref="Sleepable"/>). The context is the member's arguments as 8-byte slots (<c>ulong* ctx</c>, as libbpf's
/// <c>BPF_PROG</c>): <c>(Sock*)ctx[0]</c> is a BTF pointer the program may read directly.
/// </summary>
/// <param name="member">The function pointer member of the kernel struct (<c>cong_avoid</c>).</param>
public sealed class StructOpsMethodAttribute(string member) : BpfProgramAttribute("struct_ops/" + member)
{
    /// <summary>The function pointer member this program fills.</summary>
    public string Member { get; } = member;

    /// <summary>A sleepable program (<c>struct_ops.s/</c>), for members the kernel allows to sleep.</summary>
    public bool Sleepable { get; set; }
}

/// <summary>
/// A data member of a <see cref="StructOpsAttribute"/> class's struct: put it on a <c>const</c> field, whose value is
/// the member's initial value (an integer, <c>bool</c>, enum, or a <c>string</c> for a <c>char</c> array).
/// </summary>
/// <param name="name">The member's name in the kernel struct (<c>name</c>, <c>flags</c>).</param>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
public sealed class StructOpsMemberAttribute(string name) : Attribute
{
    /// <summary>The member's name in the kernel struct.</summary>
    public string Name { get; } = name;

    /// <summary>
    /// For a string: the length of the <c>char</c> array (e.g. 16 for <c>tcp_congestion_ops.name</c>); the string's
    /// UTF-8 bytes are zero-padded to it. 0 (the default) is the string's length plus its terminating zero.
    /// </summary>
    public int Length { get; set; }
}
