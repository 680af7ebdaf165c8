using BpfSharp.Btf;
using BpfSharp.Linux.Interop;
using BpfSharp.Objects;

namespace BpfSharp.Linux.Loading;

public sealed partial class BpfObjectLoader
{
    private const string StructOpsValuePrefix = "bpf_struct_ops_";

    private readonly Dictionary<string, byte[]> _structOpsData = [];

    /// <summary>
    /// The initial bytes of struct_ops variable <paramref name="name"/>, in the object's layout of its struct
    /// (libbpf's <c>bpf_map__initial_value</c> on a struct_ops map), writable until <see cref="Load"/>: e.g. a
    /// congestion control's <c>name</c>. Function pointer members are filled by the loader.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No struct_ops variable of that name.</exception>
    public Span<byte> GetStructOpsData(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_structOpsData.TryGetValue(name, out var data)) return data;
        foreach (var so in _spec.StructOps)
            if (so.Name == name) return _structOpsData[name] = so.Data.ToArray();
        throw new KeyNotFoundException($"no struct_ops variable '{name}' in the object");
    }

    /// <summary>A struct_ops variable matched with the kernel: its value in the kernel's layout and where programs go.</summary>
    private sealed class StructOpsPlan(StructOpsSpec spec, int kernelTypeId, int kernelValueTypeId, byte[] value)
    {
        public StructOpsSpec Spec { get; } = spec;
        public int KernelTypeId { get; } = kernelTypeId;
        public int KernelValueTypeId { get; } = kernelValueTypeId;
        public byte[] Value { get; } = value;
        /// <summary>(program, offset of its fd in <see cref="Value"/>).</summary>
        public List<(string Program, int ValueOffset)> ProgramSlots { get; } = [];
    }

    /// <summary>
    /// The kernel module whose BTF (a file of <paramref name="directory"/>, split over <paramref name="vmlinux"/>)
    /// defines struct <paramref name="name"/>, or null: only to say why a struct_ops type is missing from vmlinux.
    /// </summary>
    internal static string? ModuleDefiningStruct(string name, BtfSpec vmlinux, string directory)
    {
        if (!Directory.Exists(directory)) return null;
        foreach (var path in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            var module = Path.GetFileName(path);
            if (module == "vmlinux") continue;
            try
            {
                if (BtfSpec.Load(path, vmlinux).FindByName(name, BtfKind.Struct) > 0) return module;
            }
            catch (Exception e) when (e is BpfFormatException or IOException or UnauthorizedAccessException)
            {
                // An unreadable module BTF only means no hint.
            }
        }
        return null;
    }

    /// <summary>
    /// libbpf's <c>bpf_map__init_kern_struct_ops</c> and map creation: finds the kernel's ops struct and its
    /// <c>bpf_struct_ops_NAME</c> wrapper, copies data members by name (sizes must agree; a member the kernel lacks
    /// must be zero), records which member each program fills (its <c>expected_attach_type</c> is the kernel member's
    /// index, its <c>attach_btf_id</c> the struct), and creates the map.
    /// </summary>
    private void CreateStructOpsMaps(LoadState st)
    {
        if (_spec.StructOps.Count == 0) return;
        var vmlinux = Vmlinux(st);
        var local = _spec.Btf!;
        foreach (var so in _spec.StructOps)
        {
            var kernTypeId = vmlinux.FindByName(so.TypeName, BtfKind.Struct);
            if (kernTypeId <= 0)
            {
                var module = ModuleDefiningStruct(so.TypeName, vmlinux, RunningKernel.BtfDirectory);
                var why = module is null ? "" : $"; kernel module {module} defines it ({RunningKernel.BtfDirectory}/{module}), and struct_ops types from module BTF are not supported yet";
                throw new BpfLoadException($"struct_ops map '{so.Name}': struct {so.TypeName} is not found in kernel BTF (vmlinux){why}") { LoaderLog = [.. _log] };
            }
            var kernValueTypeId = vmlinux.FindByName(StructOpsValuePrefix + so.TypeName, BtfKind.Struct);
            if (kernValueTypeId <= 0)
                throw new BpfLoadException($"struct_ops map '{so.Name}': struct {StructOpsValuePrefix}{so.TypeName} is not found in kernel BTF: the kernel has no struct_ops of that type") { LoaderLog = [.. _log] };
            var kernType = vmlinux[kernTypeId];
            var kernValueType = vmlinux[kernValueTypeId];
            int dataOffset = -1;
            foreach (var m in kernValueType.Members)
                if (m.Name == "data" && vmlinux.SkipModifiersAndTypedefs(m.TypeId).Id == kernTypeId) { dataOffset = (int)(m.BitOffset / 8); break; }
            if (dataOffset < 0)
                throw new BpfLoadException($"struct_ops map '{so.Name}': {StructOpsValuePrefix}{so.TypeName} has no 'data' member of type {so.TypeName}") { LoaderLog = [.. _log] };

            var plan = new StructOpsPlan(so, kernTypeId, kernValueTypeId, new byte[kernValueType.Size]);
            var localType = local[so.TypeId];
            ReadOnlySpan<byte> data = _structOpsData.TryGetValue(so.Name, out var changed) ? changed : so.Data.Span;
            for (int i = 0; i < localType.Vlen; i++)
            {
                var member = localType.GetMember(i);
                uint moff = member.BitOffset / 8;
                var mdata = data.Slice((int)moff, (int)Math.Min(local.ResolveSize(member.TypeId), data.Length - moff));
                if (member.BitfieldSize != 0)
                    throw new BpfLoadException($"struct_ops map '{so.Name}': bitfield member '{member.Name}' is not supported") { LoaderLog = [.. _log] };
                int kernIndex = -1;
                for (int k = 0; k < kernType.Vlen; k++) if (kernType.GetMember(k).Name == member.Name) { kernIndex = k; break; }
                var slot = so.Programs.FirstOrDefault(p => p.MemberIndex == i);
                if (kernIndex < 0)
                {
                    if (slot.ProgramName is null && !mdata.ContainsAnyExcept((byte)0)) continue; // libbpf skips zeroed members the kernel lacks
                    throw new BpfLoadException($"struct_ops map '{so.Name}': member '{member.Name}' is not found in kernel struct {so.TypeName}") { LoaderLog = [.. _log] };
                }
                var kernMember = kernType.GetMember(kernIndex);
                if (kernMember.BitfieldSize != 0)
                    throw new BpfLoadException($"struct_ops map '{so.Name}': kernel member '{member.Name}' is a bitfield, which is not supported") { LoaderLog = [.. _log] };
                int kernOffset = dataOffset + (int)(kernMember.BitOffset / 8);
                var localMemberType = local.SkipModifiersAndTypedefs(member.TypeId);
                if (localMemberType.Kind == BtfKind.Pointer && local.SkipModifiersAndTypedefs(localMemberType.ReferencedTypeId).Kind == BtfKind.FuncProto)
                {
                    var kernMemberType = vmlinux.SkipModifiersAndTypedefs(kernMember.TypeId);
                    if (kernMemberType.Kind != BtfKind.Pointer || vmlinux.SkipModifiersAndTypedefs(kernMemberType.ReferencedTypeId).Kind != BtfKind.FuncProto)
                        throw new BpfLoadException($"struct_ops map '{so.Name}': kernel member '{member.Name}' is not a function pointer") { LoaderLog = [.. _log] };
                    if (slot.ProgramName is null) continue; // a null function pointer stays 0
                    AssignStructOpsProgram(st, so, slot.ProgramName, kernTypeId, kernIndex);
                    plan.ProgramSlots.Add((slot.ProgramName, kernOffset));
                    continue;
                }
                long kernSize = vmlinux.ResolveSize(kernMember.TypeId);
                if (kernSize != mdata.Length)
                    throw new BpfLoadException($"struct_ops map '{so.Name}': size of member '{member.Name}' mismatch: {mdata.Length} != {kernSize}") { LoaderLog = [.. _log] };
                mdata.CopyTo(plan.Value.AsSpan(kernOffset));
            }
            st.StructOps[so.Name] = plan;
            st.KernelMapNames[so.Name] = KernelName(so.Name);
            st.Maps[so.Name] = CreateStructOpsMap(st, so, plan);
        }
    }

    private void AssignStructOpsProgram(LoadState st, StructOpsSpec so, string program, int kernTypeId, int memberIndex)
    {
        if (st.StructOpsPrograms.TryGetValue(program, out var existing) && existing != (kernTypeId, memberIndex))
            throw new BpfLoadException($"struct_ops map '{so.Name}': program '{program}' is already used for another member or struct (attach_btf_id {existing.AttachBtfId}, member #{existing.MemberIndex})") { LoaderLog = [.. _log] };
        st.StructOpsPrograms[program] = (kernTypeId, memberIndex);
    }

    private BpfMap CreateStructOpsMap(LoadState st, StructOpsSpec so, StructOpsPlan plan)
    {
        var flags = so.IsLink ? BpfMapFlags.Link : BpfMapFlags.None;
        var attr = new MapCreateAttr
        {
            MapType = (uint)BpfMapType.StructOps, KeySize = 4, ValueSize = (uint)plan.Value.Length, MaxEntries = 1,
            MapFlags = (uint)flags, BtfVmlinuxValueTypeId = (uint)plan.KernelValueTypeId,
        };
        attr.MapName.Set(st.KernelMapNames[so.Name], "name");
        using var tokenLease = st.Token is null ? default : st.Token.FileDescriptor.Borrow();
        if (st.Token is not null) { attr.MapFlags |= BpfToken.TokenFdFlag; attr.MapTokenFd = tokenLease.Fd; }
        using var btfLease = st.Btf is null ? default : st.Btf.FileDescriptor.Borrow();
        if (st.Btf is not null) attr.BtfFd = (uint)btfLease.Fd; // as libbpf: the object's BTF, no key/value ids
        int fd = LoaderSyscalls.TryCreateMap(ref attr);
        if (fd < 0)
            throw new BpfLoadException($"struct_ops map '{so.Name}': failed to create: {Errno.Name(-fd)}", new BpfSyscallException(BpfCommand.MapCreate, -fd)) { LoaderLog = [.. _log] };
        var handle = new BpfFileDescriptor(fd);
        try
        {
            var info = LoaderSyscalls.GetMapInfo(handle);
            return BpfMap.FromDescriptor(handle, BpfMapType.StructOps, 4, plan.Value.Length, 1, flags, so.Name, (int)info.Id);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>After the programs are loaded: their fds go into the values (libbpf's <c>bpf_object_prepare_struct_ops</c>).</summary>
    private Dictionary<string, BpfStructOps> FinishStructOps(LoadState st)
    {
        var result = new Dictionary<string, BpfStructOps>();
        foreach (var (name, plan) in st.StructOps)
        {
            foreach (var (program, offset) in plan.ProgramSlots)
            {
                if (!st.Programs.TryGetValue(program, out var p))
                    throw new BpfLoadException($"struct_ops map '{name}': program '{program}' is not loaded (autoload off?)") { LoaderLog = [.. _log] };
                System.Runtime.InteropServices.MemoryMarshal.Write(plan.Value.AsSpan(offset), (ulong)p.FileDescriptor.RawFd);
            }
            result[name] = new BpfStructOps(plan.Spec, st.Maps[name], plan.Value, plan.KernelTypeId, plan.KernelValueTypeId);
        }
        return result;
    }
}
