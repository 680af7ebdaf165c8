using System.Runtime.InteropServices;

namespace BpfSharp.Linux.Interop;

// More members of `union bpf_attr`: links, pinning, id iteration and batch map operations. Offsets follow the UAPI
// header; SyscallLayoutTests-style checks compare them with the running kernel's BTF.

/// <summary><c>BPF_LINK_CREATE</c> attributes (the common part plus the target-specific union members used here).</summary>
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal struct LinkCreateAttr
{
    [FieldOffset(0)] public uint ProgFd;
    /// <summary><c>target_fd</c> / <c>target_ifindex</c>.</summary>
    [FieldOffset(4)] public uint TargetFd;
    [FieldOffset(8)] public uint AttachType;
    [FieldOffset(12)] public uint Flags;
    /// <summary><c>target_btf_id</c>, or <c>tcx.relative_fd</c>.</summary>
    [FieldOffset(16)] public uint TargetBtfId;
    /// <summary><c>tracing.cookie</c> (fentry/fexit/fmod_ret/lsm, after <c>tracing.target_btf_id</c>).</summary>
    [FieldOffset(24)] public ulong TracingCookie;
    /// <summary><c>perf_event.bpf_cookie</c>.</summary>
    [FieldOffset(16)] public ulong PerfEventBpfCookie;
    /// <summary><c>tcx.expected_revision</c>.</summary>
    [FieldOffset(24)] public ulong TcxExpectedRevision;
    /// <summary><c>iter_info</c>: pointer to a <c>union bpf_iter_link_info</c>.</summary>
    [FieldOffset(16)] public ulong IterInfo;
    [FieldOffset(24)] public uint IterInfoLen;
    [FieldOffset(16)] public uint KprobeMultiFlags;
    [FieldOffset(20)] public uint KprobeMultiCnt;
    [FieldOffset(24)] public ulong KprobeMultiSyms;
    [FieldOffset(32)] public ulong KprobeMultiAddrs;
    [FieldOffset(40)] public ulong KprobeMultiCookies;
    [FieldOffset(16)] public ulong UprobeMultiPath;
    [FieldOffset(24)] public ulong UprobeMultiOffsets;
    [FieldOffset(32)] public ulong UprobeMultiRefCtrOffsets;
    [FieldOffset(40)] public ulong UprobeMultiCookies;
    [FieldOffset(48)] public uint UprobeMultiCnt;
    [FieldOffset(52)] public uint UprobeMultiFlags;
    [FieldOffset(56)] public uint UprobeMultiPid;
}

/// <summary><c>BPF_ITER_CREATE</c> attributes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 8)]
internal struct IterCreateAttr
{
    [FieldOffset(0)] public uint LinkFd;
    [FieldOffset(4)] public uint Flags;
}

/// <summary><c>union bpf_iter_link_info</c>: which map, cgroup or task an iterator walks.</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct IterLinkInfo
{
    /// <summary><c>map.map_fd</c>.</summary>
    [FieldOffset(0)] public uint MapFd;
    /// <summary><c>cgroup.order</c>.</summary>
    [FieldOffset(0)] public uint CgroupOrder;
    /// <summary><c>cgroup.cgroup_fd</c>.</summary>
    [FieldOffset(4)] public uint CgroupFd;
    /// <summary><c>cgroup.cgroup_id</c>.</summary>
    [FieldOffset(8)] public ulong CgroupId;
    /// <summary><c>task.tid</c>.</summary>
    [FieldOffset(0)] public uint TaskTid;
    /// <summary><c>task.pid</c>.</summary>
    [FieldOffset(4)] public uint TaskPid;
    /// <summary><c>task.pid_fd</c>.</summary>
    [FieldOffset(8)] public uint TaskPidFd;
}

/// <summary><c>BPF_RAW_TRACEPOINT_OPEN</c> attributes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
internal struct RawTracepointOpenAttr
{
    [FieldOffset(0)] public ulong Name;
    [FieldOffset(8)] public uint ProgFd;
    [FieldOffset(16)] public ulong Cookie;
}

/// <summary><c>BPF_OBJ_PIN</c> / <c>BPF_OBJ_GET</c> attributes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
internal struct ObjPinAttr
{
    [FieldOffset(0)] public ulong Pathname;
    [FieldOffset(8)] public uint BpfFd;
    [FieldOffset(12)] public uint FileFlags;
    [FieldOffset(16)] public int PathFd;
}

/// <summary><c>BPF_*_GET_NEXT_ID</c> and <c>BPF_*_GET_FD_BY_ID</c> attributes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 12)]
internal struct GetIdAttr
{
    /// <summary><c>start_id</c>, or the object id for the <c>GET_FD_BY_ID</c> commands.</summary>
    [FieldOffset(0)] public uint StartId;
    [FieldOffset(4)] public uint NextId;
    [FieldOffset(8)] public uint OpenFlags;
}

/// <summary><c>BPF_LINK_DETACH</c> attributes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 4)]
internal struct LinkDetachAttr
{
    [FieldOffset(0)] public uint LinkFd;
}

/// <summary><c>BPF_MAP_*_BATCH</c> attributes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 56)]
internal struct MapBatchAttr
{
    [FieldOffset(0)] public ulong InBatch;
    [FieldOffset(8)] public ulong OutBatch;
    [FieldOffset(16)] public ulong Keys;
    [FieldOffset(24)] public ulong Values;
    [FieldOffset(32)] public uint Count;
    [FieldOffset(36)] public uint MapFd;
    [FieldOffset(40)] public ulong ElemFlags;
    [FieldOffset(48)] public ulong Flags;
}

/// <summary><c>struct bpf_prog_info</c> up to <c>attach_btf_id</c>.</summary>
[StructLayout(LayoutKind.Explicit, Size = 232)]
internal unsafe struct ProgInfo
{
    [FieldOffset(0)] public uint Type;
    [FieldOffset(4)] public uint Id;
    [FieldOffset(8)] public fixed byte Tag[8];
    [FieldOffset(16)] public uint JitedProgLen;
    [FieldOffset(20)] public uint XlatedProgLen;
    [FieldOffset(24)] public ulong JitedProgInsns;
    [FieldOffset(32)] public ulong XlatedProgInsns;
    [FieldOffset(40)] public ulong LoadTime;
    [FieldOffset(48)] public uint CreatedByUid;
    [FieldOffset(52)] public uint NrMapIds;
    [FieldOffset(56)] public ulong MapIds;
    [FieldOffset(64)] public fixed byte Name[16];
    [FieldOffset(80)] public uint Ifindex;
    /// <summary>The <c>gpl_compatible:1</c> bit field word.</summary>
    [FieldOffset(84)] public uint GplCompatible;
    [FieldOffset(88)] public ulong NetnsDev;
    [FieldOffset(96)] public ulong NetnsIno;
    [FieldOffset(104)] public uint NrJitedKsyms;
    [FieldOffset(108)] public uint NrJitedFuncLens;
    [FieldOffset(112)] public ulong JitedKsyms;
    [FieldOffset(120)] public ulong JitedFuncLens;
    [FieldOffset(128)] public uint BtfId;
    [FieldOffset(132)] public uint FuncInfoRecSize;
    [FieldOffset(136)] public ulong FuncInfo;
    [FieldOffset(144)] public uint NrFuncInfo;
    [FieldOffset(148)] public uint NrLineInfo;
    [FieldOffset(152)] public ulong LineInfo;
    [FieldOffset(160)] public ulong JitedLineInfo;
    [FieldOffset(168)] public uint NrJitedLineInfo;
    [FieldOffset(172)] public uint LineInfoRecSize;
    [FieldOffset(176)] public uint JitedLineInfoRecSize;
    [FieldOffset(180)] public uint NrProgTags;
    [FieldOffset(184)] public ulong ProgTags;
    [FieldOffset(192)] public ulong RunTimeNs;
    [FieldOffset(200)] public ulong RunCnt;
    [FieldOffset(208)] public ulong RecursionMisses;
    [FieldOffset(216)] public uint VerifiedInsns;
    [FieldOffset(220)] public uint AttachBtfObjId;
    [FieldOffset(224)] public uint AttachBtfId;
}

/// <summary><c>struct bpf_map_info</c> up to <c>map_extra</c>.</summary>
[StructLayout(LayoutKind.Explicit, Size = 88)]
internal unsafe struct MapInfo
{
    [FieldOffset(0)] public uint Type;
    [FieldOffset(4)] public uint Id;
    [FieldOffset(8)] public uint KeySize;
    [FieldOffset(12)] public uint ValueSize;
    [FieldOffset(16)] public uint MaxEntries;
    [FieldOffset(20)] public uint MapFlags;
    [FieldOffset(24)] public fixed byte Name[16];
    [FieldOffset(40)] public uint Ifindex;
    [FieldOffset(44)] public uint BtfVmlinuxValueTypeId;
    [FieldOffset(48)] public ulong NetnsDev;
    [FieldOffset(56)] public ulong NetnsIno;
    [FieldOffset(64)] public uint BtfId;
    [FieldOffset(68)] public uint BtfKeyTypeId;
    [FieldOffset(72)] public uint BtfValueTypeId;
    [FieldOffset(76)] public uint BtfVmlinuxId;
    [FieldOffset(80)] public ulong MapExtra;
}

/// <summary>The leading fields of <c>struct bpf_link_info</c>.</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct LinkInfoPrefix
{
    [FieldOffset(0)] public uint Type;
    [FieldOffset(4)] public uint Id;
    [FieldOffset(8)] public uint ProgId;
}

/// <summary><c>BPF_PROG_ATTACH</c> / <c>BPF_PROG_DETACH</c> attributes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal struct ProgAttachAttr
{
    /// <summary><c>target_fd</c>: a cgroup directory or a sockmap/sockhash.</summary>
    [FieldOffset(0)] public uint TargetFd;
    [FieldOffset(4)] public uint AttachBpfFd;
    [FieldOffset(8)] public uint AttachType;
    [FieldOffset(12)] public uint AttachFlags;
    [FieldOffset(16)] public uint ReplaceBpfFd;
}

/// <summary><c>BPF_TOKEN_CREATE</c> attributes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 8)]
internal struct TokenCreateAttr
{
    [FieldOffset(0)] public uint Flags;
    [FieldOffset(4)] public uint BpffsFd;
}
