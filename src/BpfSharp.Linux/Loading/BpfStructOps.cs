using BpfSharp.Linux.Links;
using BpfSharp.Objects;

namespace BpfSharp.Linux.Loading;

/// <summary>
/// A struct_ops map of a loaded object (a <c>.struct_ops</c> or <c>.struct_ops.link</c> variable) with its value
/// ready to register: the object's data members copied into the kernel's <c>bpf_struct_ops_NAME</c> layout, the
/// loaded programs' fds in its function pointer members.
/// </summary>
public sealed class BpfStructOps
{
    private readonly byte[] _value;

    internal BpfStructOps(StructOpsSpec spec, BpfMap map, byte[] value, int kernelTypeId, int kernelValueTypeId)
    {
        Spec = spec;
        Map = map;
        _value = value;
        KernelTypeId = kernelTypeId;
        KernelValueTypeId = kernelValueTypeId;
    }

    /// <summary>What the object says.</summary>
    public StructOpsSpec Spec { get; }

    /// <summary>The <c>BPF_MAP_TYPE_STRUCT_OPS</c> map (owned by the collection).</summary>
    public BpfMap Map { get; }

    /// <summary>The kernel's type id of the ops struct (e.g. <c>tcp_congestion_ops</c>): the programs' <c>attach_btf_id</c>.</summary>
    public int KernelTypeId { get; }

    /// <summary>The kernel's <c>bpf_struct_ops_NAME</c> type id: the map's <c>btf_vmlinux_value_type_id</c>.</summary>
    public int KernelValueTypeId { get; }

    /// <summary>The value <see cref="Register"/> writes (the kernel's layout, program fds filled in).</summary>
    public ReadOnlySpan<byte> Value => _value;

    /// <summary>
    /// Registers the ops with the kernel (libbpf's <c>bpf_map__attach_struct_ops</c>): a BPF link for
    /// <c>.struct_ops.link</c>, a map update otherwise. Disposing the result unregisters.
    /// </summary>
    /// <exception cref="BpfSyscallException">The kernel refused (e.g. EEXIST for a name already registered).</exception>
    public StructOpsLink Register() => StructOpsLink.Register(Map, _value);
}
