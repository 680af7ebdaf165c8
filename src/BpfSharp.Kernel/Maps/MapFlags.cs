namespace BpfSharp.Kernel;

/// <summary>Map creation flags (<c>map_flags</c>, the kernel's <c>BPF_F_*</c> map flags).</summary>
[Flags]
public enum MapFlags : uint
{
    /// <summary>No flags.</summary>
    None = 0,
    /// <summary><c>BPF_F_NO_PREALLOC</c>: allocate hash elements on demand (required by some map types).</summary>
    [BtfName("BPF_F_NO_PREALLOC")] NoPrealloc = 1,
    /// <summary><c>BPF_F_NO_COMMON_LRU</c>: one LRU list per CPU instead of a shared one.</summary>
    [BtfName("BPF_F_NO_COMMON_LRU")] NoCommonLru = 2,
    /// <summary><c>BPF_F_NUMA_NODE</c>: allocate on the NUMA node given at creation.</summary>
    [BtfName("BPF_F_NUMA_NODE")] NumaNode = 4,
    /// <summary><c>BPF_F_RDONLY</c>: read-only for the syscall side.</summary>
    [BtfName("BPF_F_RDONLY")] RdOnly = 8,
    /// <summary><c>BPF_F_WRONLY</c>: write-only for the syscall side.</summary>
    [BtfName("BPF_F_WRONLY")] WrOnly = 16,
    /// <summary><c>BPF_F_STACK_BUILD_ID</c>: a stack trace map stores build id + offset instead of addresses.</summary>
    [BtfName("BPF_F_STACK_BUILD_ID")] StackBuildId = 32,
    /// <summary><c>BPF_F_ZERO_SEED</c>: hash with a zero seed (testing only).</summary>
    [BtfName("BPF_F_ZERO_SEED")] ZeroSeed = 64,
    /// <summary><c>BPF_F_RDONLY_PROG</c>: read-only for programs.</summary>
    [BtfName("BPF_F_RDONLY_PROG")] RdOnlyProg = 128,
    /// <summary><c>BPF_F_WRONLY_PROG</c>: write-only for programs.</summary>
    [BtfName("BPF_F_WRONLY_PROG")] WrOnlyProg = 256,
    /// <summary><c>BPF_F_CLONE</c>: clone local storage into a child socket.</summary>
    [BtfName("BPF_F_CLONE")] Clone = 512,
    /// <summary><c>BPF_F_MMAPABLE</c>: an array map user space may <c>mmap</c>.</summary>
    [BtfName("BPF_F_MMAPABLE")] Mmapable = 1024,
    /// <summary><c>BPF_F_PRESERVE_ELEMS</c>: keep perf event array entries when the map's file is closed.</summary>
    [BtfName("BPF_F_PRESERVE_ELEMS")] PreserveElems = 2048,
    /// <summary><c>BPF_F_INNER_MAP</c>: an inner map whose max_entries may differ between instances.</summary>
    [BtfName("BPF_F_INNER_MAP")] InnerMap = 4096,
    /// <summary><c>BPF_F_LINK</c>: a struct_ops map attached through a link.</summary>
    [BtfName("BPF_F_LINK")] Link = 8192,
    /// <summary><c>BPF_F_SEGV_ON_FAULT</c>: an arena map raises SIGSEGV in user space on unallocated pages.</summary>
    [BtfName("BPF_F_SEGV_ON_FAULT")] SegvOnFault = 131072,
    /// <summary><c>BPF_F_NO_USER_CONV</c>: an arena map without user-space pointer conversion.</summary>
    [BtfName("BPF_F_NO_USER_CONV")] NoUserConv = 262144,
}
