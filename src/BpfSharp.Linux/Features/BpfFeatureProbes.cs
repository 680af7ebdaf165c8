using System.Collections.Concurrent;
using BpfSharp.Btf;
using BpfSharp.Btf.Writing;
using BpfSharp.Instructions;
using BpfSharp.Linux.Interop;
using BpfSharp.Linux.Loading;

namespace BpfSharp.Linux.Features;

/// <summary>
/// What the running kernel supports, asked the way libbpf's <c>libbpf_probe_bpf_prog_type</c>,
/// <c>libbpf_probe_bpf_map_type</c> and <c>libbpf_probe_bpf_helper</c> ask it (the semantics of current upstream
/// libbpf), so that a tool can fall back (fentry to kprobe, tcx to tc, ring buffer to perf buffer) instead of failing.
/// Each answer is probed once per process and cached; probing needs the privileges loading needs (without them,
/// every probe answers false).
/// </summary>
public static class BpfFeatureProbes
{
    private const int EINVAL = 22, ENOTSUPP = 524;
    private static readonly ConcurrentDictionary<BpfProgramType, bool> ProgramTypes = new();
    private static readonly ConcurrentDictionary<BpfMapType, bool> MapTypes = new();
    private static readonly ConcurrentDictionary<(BpfProgramType, int), bool?> Helpers = new();
    private static readonly Lazy<IReadOnlyList<KernelHelper>> HelperList = new(ReadKernelHelpers);

    /// <summary>Whether the kernel loads programs of <paramref name="type"/> (libbpf's <c>libbpf_probe_bpf_prog_type</c>).</summary>
    public static bool ProgramType(BpfProgramType type) => ProgramTypes.GetOrAdd(type, static t => ProbeProgram(t, [Mov0, Exit], out _) == 1);

    /// <summary>Whether the kernel creates maps of <paramref name="type"/> (libbpf's <c>libbpf_probe_bpf_map_type</c>).</summary>
    public static bool MapType(BpfMapType type) => MapTypes.GetOrAdd(type, ProbeMap);

    /// <summary>
    /// Whether programs of <paramref name="programType"/> may call helper <paramref name="helperId"/> (an
    /// <c>enum bpf_func_id</c> value, see <see cref="KernelHelpers"/>), as libbpf's <c>libbpf_probe_bpf_helper</c>
    /// decides: false when the verifier says the helper is unknown or not for this program type; null for the types a
    /// two-instruction program cannot be loaded as (tracing, ext, lsm, struct_ops), as libbpf answers EOPNOTSUPP.
    /// </summary>
    public static bool? Helper(BpfProgramType programType, int helperId) =>
        Helpers.GetOrAdd((programType, helperId), static key => ProbeHelper(key.Item1, key.Item2));

    /// <summary>The helpers this kernel knows: <c>enum bpf_func_id</c> from its BTF (<c>BPF_FUNC_map_lookup_elem</c> → 1, <c>bpf_map_lookup_elem</c>).</summary>
    public static IReadOnlyList<KernelHelper> KernelHelpers => HelperList.Value;

    /// <summary>Whether the kernel (vmlinux or a loaded module) has the kfunc <paramref name="name"/> in its BTF.</summary>
    public static bool Kfunc(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (RunningKernel.Btf.FindByName(name, BtfKind.Func) > 0) return true;
        foreach (var module in RunningKernel.GetModuleNames())
            if (RunningKernel.GetModuleBtf(module)?.FindByName(name, BtfKind.Func) > 0) return true;
        return false;
    }

    private static readonly Instruction Mov0 = new(0xb7, 0, 0, 0, 0);
    private static readonly Instruction Exit = new(0x95, 0, 0, 0, 0);

    /// <summary>libbpf's <c>probe_prog_load</c>: 1 if the program loads (or, for the types that need a target, fails exactly as expected).</summary>
    private static int ProbeProgram(BpfProgramType type, Instruction[] program, out string? log)
    {
        var attachType = BpfAttachType.CgroupInetIngress;
        uint kernelVersion = 0;
        int attachBtfId = 0, expectedErrno = 0;
        string? expectedMessage = null;
        var flags = BpfProgramLoadFlags.None;
        switch (type)
        {
            case BpfProgramType.CgroupSockAddr: attachType = BpfAttachType.CgroupInet4Connect; break;
            case BpfProgramType.CgroupSockopt: attachType = BpfAttachType.CgroupGetsockopt; break;
            case BpfProgramType.SkLookup: attachType = BpfAttachType.SkLookup; break;
            case BpfProgramType.Kprobe: kernelVersion = KernelConfig.FromText("", RunningKernel.Release).KernelVersion; break;
            case BpfProgramType.LircMode2: attachType = BpfAttachType.LircMode2; break;
            case BpfProgramType.Tracing or BpfProgramType.Lsm:
                attachType = type == BpfProgramType.Tracing ? BpfAttachType.TraceFentry : BpfAttachType.ModifyReturn;
                attachBtfId = 1;
                expectedErrno = EINVAL;
                expectedMessage = "attach_btf_id 1 is not a function";
                break;
            case BpfProgramType.Ext:
                attachBtfId = 1;
                expectedErrno = EINVAL;
                expectedMessage = "Cannot replace kernel functions";
                break;
            case BpfProgramType.Syscall: flags = BpfProgramLoadFlags.Sleepable; break;
            case BpfProgramType.StructOps: expectedErrno = ENOTSUPP; break;
        }

        var options = new BpfProgramLoadOptions
        {
            ExpectedAttachType = attachType, KernelVersion = kernelVersion, AttachBtfId = attachBtfId, Flags = flags,
            LogLevel = 1, LogSize = 4096,
        };
        try
        {
            using var loaded = BpfProgram.Load(type, program, "GPL", options);
            log = loaded.VerifierLog;
            return expectedErrno == 0 ? 1 : 0;
        }
        catch (BpfSyscallException e)
        {
            log = e.Log;
            if (expectedErrno == 0) return 0;
            return e.Errno == expectedErrno && (expectedMessage is null || (log?.Contains(expectedMessage, StringComparison.Ordinal) ?? false)) ? 1 : 0;
        }
    }

    private static bool? ProbeHelper(BpfProgramType type, int helperId)
    {
        if (type is BpfProgramType.Tracing or BpfProgramType.Ext or BpfProgramType.Lsm or BpfProgramType.StructOps) return null;
        var loaded = ProbeProgram(type, [new Instruction(0x85, 0, 0, 0, helperId), Exit], out var log);
        // Unknown to the verifier ("invalid func unknown#181") or not for this program type ("unknown func …",
        // "program of this type cannot use helper …"); any other refusal is about the arguments, so it is supported.
        if (loaded == 0 && log is not null &&
            (log.Contains("invalid func ", StringComparison.Ordinal) || log.Contains("unknown func ", StringComparison.Ordinal)
             || log.Contains("program of this type cannot use helper ", StringComparison.Ordinal)))
            return false;
        return true;
    }

    private static bool ProbeMap(BpfMapType type)
    {
        uint key = 4, value = 4, max = 1, flags = 0, btfKey = 0, btfValue = 0, vmlinuxValue = 0;
        int expectedErrno = 0;
        KernelBtf? btf = null;
        BpfMap? inner = null;
        const uint NoPrealloc = 1, Mmapable = 1 << 10;
        switch (type)
        {
            case BpfMapType.StackTrace: value = 8; break;
            case BpfMapType.LpmTrie: key = 8; value = 8; flags = NoPrealloc; break;
            case BpfMapType.CgroupStorage or BpfMapType.PerCpuCgroupStorage: key = 16; value = 8; max = 0; break; // struct bpf_cgroup_storage_key
            case BpfMapType.Queue or BpfMapType.Stack: key = 0; break;
            case BpfMapType.SkStorage or BpfMapType.InodeStorage or BpfMapType.TaskStorage or BpfMapType.CgrpStorage:
                btfKey = 1; btfValue = 3; value = 8; max = 0; flags = NoPrealloc;
                try { btf = KernelBtf.Load(LocalStorageBtf()); }
                catch (BpfSyscallException) { return false; }
                break;
            case BpfMapType.RingBuf or BpfMapType.UserRingBuf: key = 0; value = 0; max = (uint)Environment.SystemPageSize; break;
            case BpfMapType.StructOps: vmlinuxValue = 1; expectedErrno = ENOTSUPP; break;
            case BpfMapType.BloomFilter: key = 0; break;
            case BpfMapType.Arena: key = 0; value = 0; flags = Mmapable | NoPrealloc; break;
            case BpfMapType.ArrayOfMaps or BpfMapType.HashOfMaps:
                try { inner = BpfMap.Create(BpfMapType.Hash, 4, 4, 1); }
                catch (BpfSyscallException) { return false; }
                break;
        }

        try
        {
            var attr = new MapCreateAttr
            {
                MapType = (uint)type, KeySize = key, ValueSize = value, MaxEntries = max, MapFlags = flags,
                BtfKeyTypeId = btfKey, BtfValueTypeId = btfValue, BtfVmlinuxValueTypeId = vmlinuxValue,
            };
            using var btfLease = btf is null ? default : btf.FileDescriptor.Borrow();
            using var innerLease = inner is null ? default : inner.FileDescriptor.Borrow();
            if (btf is not null) attr.BtfFd = (uint)btfLease.Fd;
            if (inner is not null) attr.InnerMapFd = (uint)innerLease.Fd;
            var result = BpfSyscall.TryBpf(BpfCommand.MapCreate, ref attr);
            if (result >= 0)
            {
                new BpfFileDescriptor(result).Dispose();
                return expectedErrno == 0;
            }
            return expectedErrno != 0 && -result == expectedErrno;
        }
        finally
        {
            inner?.Dispose();
            btf?.Dispose();
        }
    }

    /// <summary>
    /// int [1]; struct bpf_spin_lock { int val; } [2]; struct val { int cnt; struct bpf_spin_lock l; } [3]: the value
    /// type libbpf's local-storage probe gives the kernel.
    /// </summary>
    private static byte[] LocalStorageBtf()
    {
        var btf = new BtfBuilder();
        var intId = btf.AddInt("", 4, BtfIntEncoding.Signed, 32);
        var spinLock = btf.AddStruct("bpf_spin_lock", 4);
        btf.AddMember(spinLock, "val", intId, 0);
        var value = btf.AddStruct("val", 8);
        btf.AddMember(value, "cnt", intId, 0);
        btf.AddMember(value, "l", spinLock, 32);
        return btf.ToArray();
    }

    private static IReadOnlyList<KernelHelper> ReadKernelHelpers()
    {
        var btf = RunningKernel.Btf;
        var id = btf.FindByName("bpf_func_id", BtfKind.Enum);
        if (id <= 0) return [];
        var helpers = new List<KernelHelper>();
        var type = btf[id];
        for (var i = 0; i < type.Vlen; i++)
        {
            const string Prefix = "BPF_FUNC_";
            var e = type.GetEnumValue(i);
            var name = e.Name;
            // BPF_FUNC_unspec is 0 and __BPF_FUNC_MAX_ID is not a helper.
            if (!name.StartsWith(Prefix, StringComparison.Ordinal) || e.Value <= 0) continue;
            helpers.Add(new KernelHelper((int)e.Value, "bpf_" + name[Prefix.Length..]));
        }
        helpers.Sort((a, b) => a.Id.CompareTo(b.Id));
        return helpers;
    }
}

/// <summary>A BPF helper as the kernel's <c>enum bpf_func_id</c> names it.</summary>
/// <param name="Id">Its id (the <c>imm</c> of the call instruction).</param>
/// <param name="Name">Its name as bpftool prints it (<c>bpf_map_lookup_elem</c>).</param>
public readonly record struct KernelHelper(int Id, string Name);
