using System.Globalization;

namespace BpfSharp.Linux.Inspection;

/// <summary>libbpf's (<c>libbpf_bpf_attach_type_str</c>, so bpftool's) names for attach types: <c>cgroup_inet_ingress</c>, <c>tcx_ingress</c>, …</summary>
public static class BpfAttachTypeNames
{
    private static readonly string[] Names =
    [
        "cgroup_inet_ingress", "cgroup_inet_egress", "cgroup_inet_sock_create", "cgroup_sock_ops", "sk_skb_stream_parser",
        "sk_skb_stream_verdict", "cgroup_device", "sk_msg_verdict", "cgroup_inet4_bind", "cgroup_inet6_bind",
        "cgroup_inet4_connect", "cgroup_inet6_connect", "cgroup_inet4_post_bind", "cgroup_inet6_post_bind",
        "cgroup_udp4_sendmsg", "cgroup_udp6_sendmsg", "lirc_mode2", "flow_dissector", "cgroup_sysctl",
        "cgroup_udp4_recvmsg", "cgroup_udp6_recvmsg", "cgroup_getsockopt", "cgroup_setsockopt", "trace_raw_tp",
        "trace_fentry", "trace_fexit", "modify_return", "lsm_mac", "trace_iter", "cgroup_inet4_getpeername",
        "cgroup_inet6_getpeername", "cgroup_inet4_getsockname", "cgroup_inet6_getsockname", "xdp_devmap",
        "cgroup_inet_sock_release", "xdp_cpumap", "sk_lookup", "xdp", "sk_skb_verdict", "sk_reuseport_select",
        "sk_reuseport_select_or_migrate", "perf_event", "trace_kprobe_multi", "lsm_cgroup", "struct_ops", "netfilter",
        "tcx_ingress", "tcx_egress", "trace_uprobe_multi", "cgroup_unix_connect", "cgroup_unix_sendmsg",
        "cgroup_unix_recvmsg", "cgroup_unix_getpeername", "cgroup_unix_getsockname", "netkit_primary", "netkit_peer",
        "trace_kprobe_session", "trace_uprobe_session",
    ];

    /// <summary>How many attach types this library names (<c>__MAX_BPF_ATTACH_TYPE</c> as far as it knows).</summary>
    public static int Count => Names.Length;

    /// <summary>The name of an attach type, or null for one newer than this library.</summary>
    public static string? TryOf(BpfAttachType type) => (uint)type < (uint)Names.Length ? Names[(int)type] : null;

    /// <summary>The name of an attach type (its number for one newer than this library).</summary>
    public static string Of(BpfAttachType type) => TryOf(type) ?? ((uint)type).ToString(CultureInfo.InvariantCulture);
}
