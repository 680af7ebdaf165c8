using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BpfSharp.Linux.Interop;

// The members of `union bpf_attr` the runtime uses, one struct per command family. Offsets follow the UAPI
// header exactly; tests compare them with the running kernel's BTF. Pointers are carried as u64 (aligned_u64).
// Each struct stops at a field the kernel has known for a while, so older kernels accept the size, and trailing
// fields we do not set stay zero as the kernel requires.

/// <summary><c>BPF_MAP_CREATE</c> attributes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 80)]
internal unsafe struct MapCreateAttr
{
    [FieldOffset(0)] public uint MapType;
    [FieldOffset(4)] public uint KeySize;
    [FieldOffset(8)] public uint ValueSize;
    [FieldOffset(12)] public uint MaxEntries;
    [FieldOffset(16)] public uint MapFlags;
    [FieldOffset(20)] public uint InnerMapFd;
    [FieldOffset(24)] public uint NumaNode;
    [FieldOffset(28)] public ObjectName MapName;
    [FieldOffset(44)] public uint MapIfIndex;
    [FieldOffset(48)] public uint BtfFd;
    [FieldOffset(52)] public uint BtfKeyTypeId;
    [FieldOffset(56)] public uint BtfValueTypeId;
    [FieldOffset(60)] public uint BtfVmlinuxValueTypeId;
    [FieldOffset(64)] public ulong MapExtra;
    [FieldOffset(72)] public int ValueTypeBtfObjFd;
    [FieldOffset(76)] public int MapTokenFd;
}

/// <summary><c>BPF_MAP_LOOKUP_ELEM</c>, <c>BPF_MAP_UPDATE_ELEM</c>, <c>BPF_MAP_DELETE_ELEM</c>, <c>BPF_MAP_GET_NEXT_KEY</c>.</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal struct MapElemAttr
{
    [FieldOffset(0)] public uint MapFd;
    [FieldOffset(8)] public ulong Key;
    /// <summary><c>value</c>, or <c>next_key</c> for <c>BPF_MAP_GET_NEXT_KEY</c>.</summary>
    [FieldOffset(16)] public ulong ValueOrNextKey;
    [FieldOffset(24)] public ulong Flags;
}

/// <summary><c>BPF_PROG_LOAD</c> attributes (up to <c>fd_array_cnt</c>).</summary>
[StructLayout(LayoutKind.Explicit, Size = 152)]
internal struct ProgLoadAttr
{
    [FieldOffset(0)] public uint ProgType;
    [FieldOffset(4)] public uint InsnCnt;
    [FieldOffset(8)] public ulong Insns;
    [FieldOffset(16)] public ulong License;
    [FieldOffset(24)] public uint LogLevel;
    [FieldOffset(28)] public uint LogSize;
    [FieldOffset(32)] public ulong LogBuf;
    [FieldOffset(40)] public uint KernVersion;
    [FieldOffset(44)] public uint ProgFlags;
    [FieldOffset(48)] public ObjectName ProgName;
    [FieldOffset(64)] public uint ProgIfIndex;
    [FieldOffset(68)] public uint ExpectedAttachType;
    [FieldOffset(72)] public uint ProgBtfFd;
    [FieldOffset(76)] public uint FuncInfoRecSize;
    [FieldOffset(80)] public ulong FuncInfo;
    [FieldOffset(88)] public uint FuncInfoCnt;
    [FieldOffset(92)] public uint LineInfoRecSize;
    [FieldOffset(96)] public ulong LineInfo;
    [FieldOffset(104)] public uint LineInfoCnt;
    [FieldOffset(108)] public uint AttachBtfId;
    /// <summary><c>attach_prog_fd</c> / <c>attach_btf_obj_fd</c>.</summary>
    [FieldOffset(112)] public uint AttachFd;
    [FieldOffset(116)] public uint CoreReloCnt;
    [FieldOffset(120)] public ulong FdArray;
    [FieldOffset(128)] public ulong CoreRelos;
    [FieldOffset(136)] public uint CoreReloRecSize;
    /// <summary>Written by the kernel (5.16+): the log size the verifier needed.</summary>
    [FieldOffset(140)] public uint LogTrueSize;
    [FieldOffset(144)] public int ProgTokenFd;
    [FieldOffset(148)] public uint FdArrayCnt;
}

/// <summary><c>BPF_BTF_LOAD</c> attributes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 40)]
internal struct BtfLoadAttr
{
    [FieldOffset(0)] public ulong Btf;
    [FieldOffset(8)] public ulong BtfLogBuf;
    [FieldOffset(16)] public uint BtfSize;
    [FieldOffset(20)] public uint BtfLogSize;
    [FieldOffset(24)] public uint BtfLogLevel;
    /// <summary>Written by the kernel (6.4+): the log size the BTF verifier needed.</summary>
    [FieldOffset(28)] public uint BtfLogTrueSize;
    [FieldOffset(32)] public uint BtfFlags;
    [FieldOffset(36)] public int BtfTokenFd;
}

/// <summary><c>BPF_PROG_TEST_RUN</c> (<c>BPF_PROG_RUN</c>) attributes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 80)]
internal struct ProgTestRunAttr
{
    [FieldOffset(0)] public uint ProgFd;
    [FieldOffset(4)] public uint Retval;
    [FieldOffset(8)] public uint DataSizeIn;
    [FieldOffset(12)] public uint DataSizeOut;
    [FieldOffset(16)] public ulong DataIn;
    [FieldOffset(24)] public ulong DataOut;
    [FieldOffset(32)] public uint Repeat;
    [FieldOffset(36)] public uint Duration;
    [FieldOffset(40)] public uint CtxSizeIn;
    [FieldOffset(44)] public uint CtxSizeOut;
    [FieldOffset(48)] public ulong CtxIn;
    [FieldOffset(56)] public ulong CtxOut;
    [FieldOffset(64)] public uint Flags;
    [FieldOffset(68)] public uint Cpu;
    [FieldOffset(72)] public uint BatchSize;
}

/// <summary><c>BPF_OBJ_GET_INFO_BY_FD</c> attributes (the <c>info</c> member of <c>union bpf_attr</c>).</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct ObjGetInfoByFdAttr
{
    [FieldOffset(0)] public uint BpfFd;
    [FieldOffset(4)] public uint InfoLen;
    [FieldOffset(8)] public ulong Info;
}

/// <summary>A <c>char name[BPF_OBJ_NAME_LEN]</c> (16 bytes, NUL-terminated) as used for map and program names.</summary>
[InlineArray(Length)]
internal struct ObjectName
{
    public const int Length = 16;
    private byte _first;

    /// <summary>
    /// Copies <paramref name="name"/> in, truncated to 15 bytes as libbpf does. The kernel accepts only letters,
    /// digits, '_' and '.', so anything else is rejected here with a clear message.
    /// </summary>
    public void Set(string? name, string parameterName)
    {
        this = default;
        if (string.IsNullOrEmpty(name)) return;
        for (var i = 0; i < name.Length && i < Length - 1; i++)
        {
            var c = name[i];
            if (c is not ((>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '.'))
                throw new ArgumentException($"'{name}': BPF object names may only hold letters, digits, '_' and '.'", parameterName);
            this[i] = (byte)c;
        }
    }
}
