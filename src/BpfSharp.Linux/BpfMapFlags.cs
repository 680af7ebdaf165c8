namespace BpfSharp.Linux;

/// <summary>Map creation flags (<c>map_flags</c> of <c>BPF_MAP_CREATE</c>, the <c>BPF_F_*</c> constants).</summary>
[Flags]
public enum BpfMapFlags : uint
{
    /// <summary>No flags.</summary>
    None = 0,
    /// <summary><c>BPF_F_NO_PREALLOC</c>: allocate hash elements on demand.</summary>
    NoPrealloc = 1u << 0,
    /// <summary><c>BPF_F_NO_COMMON_LRU</c>: per-CPU LRU lists.</summary>
    NoCommonLru = 1u << 1,
    /// <summary><c>BPF_F_NUMA_NODE</c>: honour <c>numa_node</c>.</summary>
    NumaNode = 1u << 2,
    /// <summary><c>BPF_F_RDONLY</c>: read-only from user space.</summary>
    ReadOnly = 1u << 3,
    /// <summary><c>BPF_F_WRONLY</c>: write-only from user space.</summary>
    WriteOnly = 1u << 4,
    /// <summary><c>BPF_F_STACK_BUILD_ID</c>: stack trace maps store build ids.</summary>
    StackBuildId = 1u << 5,
    /// <summary><c>BPF_F_ZERO_SEED</c>: zero hash seed (testing only).</summary>
    ZeroSeed = 1u << 6,
    /// <summary><c>BPF_F_RDONLY_PROG</c>: read-only for programs.</summary>
    ReadOnlyProgram = 1u << 7,
    /// <summary><c>BPF_F_WRONLY_PROG</c>: write-only for programs.</summary>
    WriteOnlyProgram = 1u << 8,
    /// <summary><c>BPF_F_CLONE</c>: clone storage on socket clone.</summary>
    Clone = 1u << 9,
    /// <summary><c>BPF_F_MMAPABLE</c>: the array can be mmap()ed.</summary>
    Mmapable = 1u << 10,
    /// <summary><c>BPF_F_PRESERVE_ELEMS</c>: keep perf event array entries when the fd closes.</summary>
    PreserveElements = 1u << 11,
    /// <summary><c>BPF_F_INNER_MAP</c>: inner map of a map-in-map with varying max_entries.</summary>
    InnerMap = 1u << 12,
    /// <summary><c>BPF_F_LINK</c>: struct_ops map usable as a link.</summary>
    Link = 1u << 13,
    /// <summary><c>BPF_F_SEGV_ON_FAULT</c>: an arena's user-space mapping raises SIGSEGV on a page no one allocated, instead of allocating it.</summary>
    SegvOnFault = 1u << 17,
    /// <summary><c>BPF_F_NO_USER_CONV</c>: an arena whose pointers programs do not convert to user-space addresses.</summary>
    NoUserConversion = 1u << 18,
}
