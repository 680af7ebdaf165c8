using System.Runtime.InteropServices;
using BpfSharp.Btf;
using BpfSharp.Linux.Interop;
using BpfSharp.Linux.Maps;
using BpfSharp.Objects;

namespace BpfSharp.Linux.Loading;

public sealed partial class BpfObjectLoader
{
    // Map types the kernel refuses BTF key/value ids for (libbpf clears them).
    private static readonly HashSet<BpfMapType> NoBtfKeyValue =
    [
        BpfMapType.PerfEventArray, BpfMapType.StackTrace, BpfMapType.CgroupArray, BpfMapType.ArrayOfMaps, BpfMapType.HashOfMaps,
        BpfMapType.DevMap, BpfMapType.DevMapHash, BpfMapType.SockMap, BpfMapType.SockHash, BpfMapType.CpuMap, BpfMapType.XskMap,
        BpfMapType.Queue, BpfMapType.Stack, BpfMapType.RingBuf, BpfMapType.UserRingBuf, BpfMapType.ProgArray, BpfMapType.ReuseportSockArray,
    ];

    private void CreateMaps(LoadState st)
    {
        foreach (var m in _spec.Maps)
        {
            if (_options.MapReplacements?.TryGetValue(m.Name, out var replacement) == true)
            {
                UseReplacement(st, m, replacement);
                continue;
            }
            if (m.Pinning == MapPinning.ByName && TryReusePinned(st, m)) continue;
            st.KernelMapNames[m.Name] = KernelName(m.Name);
            var map = CreateMap(st, m, KernelName(m.Name));
            st.Maps[m.Name] = map;
            if (m.Pinning == MapPinning.ByName)
            {
                var path = PinPath(m.Name);
                ObjectPins.Pin(map.FileDescriptor, path);
                st.Pinned.Add(path);
            }
        }
        MapArena(st);
    }

    /// <summary>
    /// libbpf's arena step of <c>bpf_object__create_maps</c>: the arena is mapped at its <c>map_extra</c> address
    /// right after creation (programs referring to <c>__arena</c> globals need its user address at load), and the
    /// initial <c>.addr_space.1</c> bytes are copied to the end of the arena, page-aligned, where upstream libbpf puts them.
    /// </summary>
    private void MapArena(LoadState st)
    {
        if (_spec.ArenaMap is not { } spec) return;
        var map = st.Maps[spec.Name];
        var globals = _spec.ArenaData;
        long offset = -1;
        int page = Environment.SystemPageSize;
        if (globals is not null)
        {
            offset = globals.GlobalsOffset((ulong)(uint)map.MaxEntries * (ulong)page, page);
            if (offset < 0)
                throw new BpfLoadException($"elf: sec '{globals.Name}': declared ARENA map size ({(ulong)(uint)map.MaxEntries * (ulong)page}) is too small to hold global __arena variables of size {globals.Size}")
                { LoaderLog = [.. _log] };
        }
        // A reused or replacement arena already holds what its programs wrote; zero bytes need no copy (fresh pages are zero).
        byte[]? initial = globals is null || st.ReusedPins.Contains(spec.Name) || _options.MapReplacements?.ContainsKey(spec.Name) == true
            ? null : _arenaData ?? globals.InitialData.ToArray();
        if (initial is not null && !initial.AsSpan().ContainsAnyExcept((byte)0)) initial = null;
        if (initial is not null && (map.Flags & BpfMapFlags.SegvOnFault) != 0)
            throw new BpfLoadException($"map '{spec.Name}': an arena with BPF_F_SEGV_ON_FAULT cannot take initial __arena values from user space (its pages are not allocated)")
            { LoaderLog = [.. _log] };
        BpfArena arena;
        try
        {
            arena = BpfArena.Open(map, spec.MapExtra, globals, offset);
        }
        catch (IOException e)
        {
            throw new BpfLoadException($"map '{spec.Name}': failed to mmap arena: {e.Message}", e) { LoaderLog = [.. _log] };
        }
        st.Arena = arena;
        _log.Add($"libbpf: map '{spec.Name}': arena of {arena.Length} bytes mapped at 0x{arena.Address:x}"
            + (globals is null ? "" : $", {globals.Size} bytes of __arena globals at offset {offset}"));
        initial?.CopyTo(arena.GetSpan((ulong)offset, initial.Length));
    }

    private void UseReplacement(LoadState st, MapSpec m, BpfMap replacement)
    {
        var (key, value, max) = EffectiveSizes(m);
        string? mismatch =
            replacement.Type != m.Type ? $"type {replacement.Type} instead of {m.Type}" :
            replacement.KeySize != key ? $"key size {replacement.KeySize} instead of {key}" :
            replacement.ValueSize != value ? $"value size {replacement.ValueSize} instead of {value}" :
            replacement.MaxEntries != max ? $"max entries {replacement.MaxEntries} instead of {max}" :
            (uint)replacement.Flags != m.Flags ? $"flags 0x{(uint)replacement.Flags:x} instead of 0x{m.Flags:x}" : null;
        if (mismatch is not null)
            throw new BpfLoadException($"map '{m.Name}': the replacement {replacement} does not match the object's definition: {mismatch}") { LoaderLog = [.. _log] };
        st.Maps[m.Name] = replacement.Duplicate();
        st.KernelMapNames[m.Name] = replacement.Name ?? m.Name;
        _log.Add($"libbpf: map '{m.Name}': replaced by map {replacement.Id}");
    }

    private string PinPath(string name) => ObjectPins.ChildPath(_options.PinRoot ?? "/sys/fs/bpf", name, "map");

    private bool TryReusePinned(LoadState st, MapSpec m)
    {
        var path = PinPath(m.Name);
        var fd = LoaderSyscalls.TryGetPinned(path);
        if (fd is null) return false;
        try
        {
            var info = LoaderSyscalls.GetMapInfo(fd);
            var (key, value, max) = EffectiveSizes(m);
            if (info.Type != (uint)m.Type || info.KeySize != key || info.ValueSize != value || info.MaxEntries != max ||
                info.MapFlags != m.Flags || info.MapExtra != m.MapExtra)
                throw new BpfLoadException($"couldn't reuse pinned map at '{path}': parameter mismatch");
            st.Maps[m.Name] = BpfMap.FromDescriptor(fd, (BpfMapType)info.Type, (int)info.KeySize, (int)info.ValueSize,
                (int)info.MaxEntries, (BpfMapFlags)info.MapFlags, m.Name, (int)info.Id);
            st.ReusedPins.Add(m.Name);
            _log.Add($"libbpf: reused pinned map at '{path}'");
            return true;
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    private (uint Key, uint Value, uint MaxEntries) EffectiveSizes(MapSpec m)
    {
        uint max = _maxEntries.TryGetValue(m, out var sized) ? sized : m.MaxEntries;
        if (m.Type == BpfMapType.PerfEventArray && max == 0) max = (uint)PossibleCpus.Count;
        if (m.Type is BpfMapType.RingBuf or BpfMapType.UserRingBuf)
        {
            // libbpf rounds the ring size up to a power-of-two multiple of the page size.
            uint page = (uint)Environment.SystemPageSize, size = page;
            while (size < max && size != 0) size <<= 1;
            if (max != 0) max = size;
        }
        uint value = m.Type is BpfMapType.ArrayOfMaps or BpfMapType.HashOfMaps or BpfMapType.ProgArray or BpfMapType.PerfEventArray
            && m.ValueSize == 0 ? 4 : m.ValueSize;
        if (_valueSizes.TryGetValue(m, out var resized)) value = resized;
        return (m.KeySize, value, max);
    }

    private unsafe BpfMap CreateMap(LoadState st, MapSpec m, string kernelName)
    {
        BpfMap? inner = null;
        try
        {
            if (m.InnerMap is not null) inner = CreateMap(st, m.InnerMap, KernelName(m.InnerMap.Name.Replace('.', '_')));
            var (key, value, max) = EffectiveSizes(m);
            var attr = new MapCreateAttr
            {
                MapType = (uint)m.Type, KeySize = key, ValueSize = value, MaxEntries = max, MapFlags = m.Flags,
                NumaNode = m.NumaNode, MapExtra = m.MapExtra,
            };
            attr.MapName.Set(kernelName, "name");
            using var tokenLease = st.Token is null ? default : st.Token.FileDescriptor.Borrow();
            if (st.Token is not null) { attr.MapFlags |= BpfToken.TokenFdFlag; attr.MapTokenFd = tokenLease.Fd; }
            // A value resized before load no longer matches its BTF type, which the kernel would refuse (libbpf drops it too).
            bool btf = st.Btf is not null && !NoBtfKeyValue.Contains(m.Type) && (m.KeyTypeId != 0 || m.ValueTypeId != 0)
                && !_valueSizes.ContainsKey(m);
            using var innerLease = inner is null ? default : inner.FileDescriptor.Borrow();
            if (inner is not null) attr.InnerMapFd = (uint)innerLease.Fd;
            int fd;
            if (btf)
            {
                using var lease = st.Btf!.FileDescriptor.Borrow();
                attr.BtfFd = (uint)lease.Fd;
                attr.BtfKeyTypeId = (uint)m.KeyTypeId;
                attr.BtfValueTypeId = (uint)m.ValueTypeId;
                fd = LoaderSyscalls.TryCreateMap(ref attr);
                if (fd < 0)
                {
                    // libbpf retries without BTF (older kernels refuse BTF for some map types).
                    _log.Add($"libbpf: Error in bpf_create_map_xattr({kernelName}): {Errno.Name(-fd)}. Retrying without BTF.");
                    attr.BtfFd = 0;
                    attr.BtfKeyTypeId = 0;
                    attr.BtfValueTypeId = 0;
                    fd = LoaderSyscalls.TryCreateMap(ref attr);
                }
            }
            else fd = LoaderSyscalls.TryCreateMap(ref attr);
            if (fd < 0)
                throw new BpfLoadException($"map '{m.Name}': failed to create: {Errno.Name(-fd)}",
                    new BpfSyscallException(BpfCommand.MapCreate, -fd));
            var handle = new BpfFileDescriptor(fd);
            try
            {
                var info = LoaderSyscalls.GetMapInfo(handle);
                return BpfMap.FromDescriptor(handle, m.Type, (int)key, (int)value, (int)max, (BpfMapFlags)m.Flags, m.Name, (int)info.Id);
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }
        finally
        {
            inner?.Dispose(); // the outer map keeps the template's properties, not the fd
        }
    }

    private unsafe void CreateDataMaps(LoadState st)
    {
        string objName = ObjectName;
        foreach (var d in _spec.DataSections)
        {
            bool readOnly = d.Kind is DataSectionKind.ReadOnlyData or DataSectionKind.Kconfig;
            byte[]? contents = d.Kind == DataSectionKind.Kconfig ? KconfigData(st) : _data[d.Name];
            int size = contents?.Length ?? CheckedDataSize(d);
            if (size == 0) continue;
            var flags = BpfMapFlags.Mmapable | (readOnly ? BpfMapFlags.ReadOnlyProgram : 0);
            var attr = new MapCreateAttr
            {
                MapType = (uint)BpfMapType.Array, KeySize = 4, ValueSize = (uint)size, MaxEntries = 1, MapFlags = (uint)flags,
            };
            st.KernelMapNames[d.Name] = InternalMapName(objName, d.Name);
            attr.MapName.Set(st.KernelMapNames[d.Name], "name");
            using var tokenLease = st.Token is null ? default : st.Token.FileDescriptor.Borrow();
            if (st.Token is not null) { attr.MapFlags |= BpfToken.TokenFdFlag; attr.MapTokenFd = tokenLease.Fd; }
            int fd;
            if (st.Btf is not null && d.BtfDataSecId > 0)
            {
                using var lease = st.Btf.FileDescriptor.Borrow();
                attr.BtfFd = (uint)lease.Fd;
                attr.BtfValueTypeId = (uint)d.BtfDataSecId;
                fd = LoaderSyscalls.TryCreateMap(ref attr);
                if (fd < 0)
                {
                    attr.BtfFd = 0;
                    attr.BtfValueTypeId = 0;
                    fd = LoaderSyscalls.TryCreateMap(ref attr);
                }
            }
            else fd = LoaderSyscalls.TryCreateMap(ref attr);
            if (fd < 0)
                throw new BpfLoadException($"map '{d.Name}': failed to create: {Errno.Name(-fd)}", new BpfSyscallException(BpfCommand.MapCreate, -fd));
            var handle = new BpfFileDescriptor(fd);
            BpfMap map;
            try
            {
                var info = LoaderSyscalls.GetMapInfo(handle);
                map = BpfMap.FromDescriptor(handle, BpfMapType.Array, 4, size, 1, flags, d.Name, (int)info.Id);
            }
            catch
            {
                handle.Dispose();
                throw;
            }
            st.Maps[d.Name] = map;
            if (contents is not null) map.Update(new byte[4], contents); // else the kernel's zeroed value is the contents
            if (readOnly) LoaderSyscalls.Freeze(map.FileDescriptor);
            st.Data[d.Name] = new BpfGlobalData(d, map, size, readOnly,
                d.Kind == DataSectionKind.Kconfig && st.Loadable is not null
                    ? d.Variables.Select(v => st.Loadable.KconfigLayout.TryGetValue(v.Name, out var at) ? v with { Offset = at.Offset, Size = at.Size } : v).ToList()
                    : d.Variables);
        }
    }

    private void FillInitialValues(LoadState st)
    {
        foreach (var m in _spec.Maps)
        {
            if (m.InitialValues.Count == 0 || st.ReusedPins.Contains(m.Name)) continue;
            var map = st.Maps[m.Name];
            var keys = new byte[4 * m.InitialValues.Count];
            var values = new byte[4 * m.InitialValues.Count];
            var held = new List<BpfFileDescriptor>(m.InitialValues.Count); // kept open while their numbers are in use
            try
            {
                int count = 0;
                foreach (var iv in m.InitialValues)
                {
                    BpfFileDescriptor? target = m.Type == BpfMapType.ProgArray
                        ? st.Programs.GetValueOrDefault(iv.Name)?.FileDescriptor
                        : st.Maps.GetValueOrDefault(iv.Name)?.FileDescriptor;
                    if (target is null)
                    {
                        if (m.Type == BpfMapType.ProgArray) continue; // program not autoloaded
                        throw new BpfLoadException($"map '{m.Name}': slot {iv.Index} refers to unknown map '{iv.Name}'");
                    }
                    bool added = false;
                    target.DangerousAddRef(ref added);
                    if (added) held.Add(target);
                    MemoryMarshal.Write(keys.AsSpan(4 * count), iv.Index);
                    MemoryMarshal.Write(values.AsSpan(4 * count), target.RawFd);
                    count++;
                }
                if (count == 0) continue;
                // The kernel waits for an RCU grace period after every update of a map of maps (milliseconds each);
                // one batch waits once.
                if (count > 1 && m.Type is BpfMapType.ArrayOfMaps or BpfMapType.HashOfMaps
                    && map.TryUpdateBatch(keys.AsSpan(0, 4 * count), values.AsSpan(0, 4 * count)))
                    continue;
                for (int i = 0; i < count; i++) map.Update(keys.AsSpan(4 * i, 4), values.AsSpan(4 * i, 4));
            }
            finally
            {
                foreach (var fd in held) fd.DangerousRelease();
            }
        }
    }
}
