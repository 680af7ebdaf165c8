using System.Globalization;
using System.Text;

namespace BpfSharp.Linux.Inspection;

/// <summary>libbpf's (and so bpftool's) names for program and map types: <c>sched_cls</c>, <c>percpu_hash</c>, …</summary>
public static class BpfTypeNames
{
    private static readonly string[] MapTypes =
    [
        "unspec", "hash", "array", "prog_array", "perf_event_array", "percpu_hash", "percpu_array", "stack_trace",
        "cgroup_array", "lru_hash", "lru_percpu_hash", "lpm_trie", "array_of_maps", "hash_of_maps", "devmap", "sockmap",
        "cpumap", "xskmap", "sockhash", "cgroup_storage", "reuseport_sockarray", "percpu_cgroup_storage", "queue", "stack",
        "sk_storage", "devmap_hash", "struct_ops", "ringbuf", "inode_storage", "task_storage", "bloom_filter",
        "user_ringbuf", "cgrp_storage", "arena",
    ];

    /// <summary>The name of a program type (a number for types newer than this library).</summary>
    public static string Of(BpfProgramType type) => type switch
    {
        BpfProgramType.Unspecified => "unspec",
        BpfProgramType.LwtSeg6Local => "lwt_seg6local",
        _ when Enum.IsDefined(type) => SnakeCase(type.ToString()),
        _ => ((uint)type).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The name of a map type (a number for types newer than this library).</summary>
    public static string Of(BpfMapType type) =>
        (uint)type < (uint)MapTypes.Length ? MapTypes[(int)type] : ((uint)type).ToString(CultureInfo.InvariantCulture);

    private static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i])) builder.Append('_');
            builder.Append(char.ToLowerInvariant(name[i]));
        }
        return builder.ToString();
    }
}
