using System.Runtime.InteropServices;
using System.Text;
using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Loading;

/// <summary>Loads the testdata/loader objects into the running kernel and runs them with BPF_PROG_TEST_RUN.</summary>
[Collection("Loader kernel tests")]
public sealed class LoaderKernelTests
{
    private static readonly byte[] Packet = new byte[64];

    private static BpfCollection LoadEverything(Action<BpfObjectLoader>? customize = null, BpfLoaderOptions? options = null)
    {
        var loader = new BpfObjectLoader(ObjectSpec.Load(LoaderObjects.Get("everything")), options);
        customize?.Invoke(loader);
        return loader.Load();
    }

    [Fact]
    public void EveryMapKindIsCreatedWithTheDeclaredAttributes()
    {
        KernelObjects.RequireBpf();
        using var c = LoadEverything();
        var expect = new (string Name, BpfMapType Type, int Key, int Value, int Max)[]
        {
            ("array", BpfMapType.Array, 4, 8, 8), ("hash", BpfMapType.Hash, 4, 8, 64), ("percpu_array", BpfMapType.PerCpuArray, 4, 8, 2),
            ("percpu_hash", BpfMapType.PerCpuHash, 4, 8, 16), ("lru", BpfMapType.LruHash, 4, 8, 16),
            ("lru_percpu", BpfMapType.LruPerCpuHash, 4, 8, 16), ("ringbuf", BpfMapType.RingBuf, 0, 0, 4096),
            ("perf", BpfMapType.PerfEventArray, 4, 4, PossibleCpuCount()), ("stack", BpfMapType.Stack, 0, 4, 8),
            ("queue", BpfMapType.Queue, 0, 4, 8), ("lpm", BpfMapType.LpmTrie, 8, 4, 16), ("bloom", BpfMapType.BloomFilter, 0, 4, 16),
            ("outer_array", BpfMapType.ArrayOfMaps, 4, 4, 2), ("outer_hash", BpfMapType.HashOfMaps, 4, 4, 2),
            ("jump", BpfMapType.ProgArray, 4, 4, 2), ("numa", BpfMapType.Hash, 4, 4, 4),
        };
        foreach (var (name, type, key, value, max) in expect)
        {
            Assert.True(c.Maps.ContainsKey(name), $"map {name} missing");
            var info = KernelMapInfo(c.Maps[name].Id);
            Assert.Equal((uint)type, info.Type);
            Assert.Equal((uint)key, info.KeySize);
            Assert.Equal((uint)value, info.ValueSize);
            Assert.Equal((uint)max, info.MaxEntries);
        }
        Assert.Equal(3ul, LoaderSyscalls.GetMapInfo(c.Maps["bloom"].FileDescriptor).MapExtra);
        Assert.Equal(1u | 4u, KernelMapInfo(c.Maps["numa"].Id).MapFlags);
        // Global data: one mmapable array per section; .rodata is read-only for programs.
        foreach (var s in new[] { ".data", ".rodata", ".bss", ".data.custom", ".rodata.custom", ".kconfig" })
        {
            var info = KernelMapInfo(c.Maps[s].Id);
            Assert.Equal((uint)BpfMapType.Array, info.Type);
            Assert.True((info.MapFlags & (uint)BpfMapFlags.Mmapable) != 0, s);
            Assert.Equal(s.StartsWith(".rodata") || s == ".kconfig", (info.MapFlags & (uint)BpfMapFlags.ReadOnlyProgram) != 0);
        }
        // bpftool agrees the maps exist under the names libbpf gives internal maps.
        var listed = BpftoolMapNames();
        // libbpf's internal map names: up to 8 characters of the object name, then the section name, 15 in all.
        string objName = Path.GetFileName(c.Spec.Path!).Split('.')[0];
        Assert.Contains(objName[..8] + ".rodata", listed);
        Assert.Contains(objName[..7] + ".kconfig", listed);
        Assert.Contains(".data.custom", listed);
        Assert.Contains("outer_array", listed);
    }

    [Fact]
    public void MapOfMapsSlotsHoldTheirInnerMaps()
    {
        // The loader fills a map of maps with one batch update (one RCU grace period in all, not one per slot).
        KernelObjects.RequireBpf();
        using var c = LoadEverything();
        var outer = c.Maps["outer_array"];
        Assert.Equal(c.Maps["inner_a"].Id, outer.GetInnerMapId(BitConverter.GetBytes(0)));
        Assert.Equal(c.Maps["inner_b"].Id, outer.GetInnerMapId(BitConverter.GetBytes(1)));
        Assert.Null(c.Maps["outer_hash"].GetInnerMapId(BitConverter.GetBytes(0)));
        // The batch call itself: swap the two slots in one call and read them back.
        byte[] keys = [.. BitConverter.GetBytes(0), .. BitConverter.GetBytes(1)];
        byte[] values = [.. BitConverter.GetBytes(c.Maps["inner_b"].FileDescriptor.RawFd), .. BitConverter.GetBytes(c.Maps["inner_a"].FileDescriptor.RawFd)];
        Assert.True(outer.TryUpdateBatch(keys, values));
        Assert.Equal(c.Maps["inner_b"].Id, outer.GetInnerMapId(BitConverter.GetBytes(0)));
        Assert.Equal(c.Maps["inner_a"].Id, outer.GetInnerMapId(BitConverter.GetBytes(1)));
    }

    [Fact]
    public void ProgramsRunAndWriteGlobalsAndMaps()
    {
        KernelObjects.RequireBpf();
        using var c = LoadEverything(l => l.SetVariable("rodata_scale", 3u));
        Assert.Equal(3u, c.ReadVariable<uint>("rodata_scale"));
        Assert.Equal(7u, c.ReadVariable<uint>("data_counter"));

        var run = c.Programs["socket_prog"].TestRun(Packet);
        // twice_static(3) + global_mul(skb->len, 3); a socket filter sees the packet without its 14-byte Ethernet header.
        uint expected = 6 + (64 - 14) * 3;
        Assert.Equal(expected, c.ReadVariable<uint>("bss_result"));
        Assert.Equal(8u, c.ReadVariable<uint>("data_counter"));
        Assert.Equal(0x1122334455667788ul, c.ReadVariable<ulong>("data_last"));
        Assert.Equal(0ul + 1 + 2 + 3 + 4, c.ReadVariable<ulong>("bss_sum"));
        Assert.True(c.Maps["array"].TryLookup(0u, out ulong a0));
        Assert.Equal((ulong)expected, a0);
        Assert.True(c.Maps["hash"].TryLookup(0u, out ulong pair));
        Assert.Equal(42ul | (43ul << 32), pair);
        // Writes through the mmap are seen by the program.
        c.WriteVariable("data_counter", 100u);
        c.Programs["socket_prog"].TestRun(Packet);
        Assert.Equal(101u, c.ReadVariable<uint>("data_counter"));
        // Kconfig externs.
        var cfg = KernelConfig.ReadRunning();
        Assert.Equal(cfg.KernelVersion, c.ReadVariable<uint>("kconfig_version"));
        Assert.Equal(1u, c.ReadVariable<uint>("kconfig_bpf_syscall"));
        Assert.Equal(uint.Parse(cfg["CONFIG_HZ"]!), c.ReadVariable<uint>("kconfig_hz"));
        Assert.Equal(2u, c.ReadVariable<uint>("kconfig_missing"));
        // Map-in-map initial values: slot 0 holds inner_a.
        Assert.True(c.Maps["inner_a"].TryLookup(0u, out uint inner));
        Assert.Equal(99u, inner);

        c.Programs["xdp_prog"].TestRun(Packet);
        Assert.True(c.Maps["array"].TryLookup(1u, out ulong a1));
        Assert.Equal(1064ul, a1);

        // Tail call through the prog array's initial value.
        var tc = c.Programs["tc_prog"].TestRun(Packet);
        Assert.Equal(7u, tc.ReturnValue);
        Assert.Equal(1u, c.ReadVariable<uint>("bss_tail_hits"));

        c.Programs["raw_tp_prog"].TestRun(default, repeat: 0, contextIn: new byte[16]);
        Assert.True(c.Maps["array"].TryLookup(2u, out ulong a2));
        Assert.Equal(42ul, a2);
    }

    [Fact]
    public void RodataIsFrozenAndMappedReadOnly()
    {
        KernelObjects.RequireBpf();
        using var c = LoadEverything();
        Assert.True(c.GlobalData[".rodata"].IsReadOnly);
        Assert.Throws<InvalidOperationException>(() => c.WriteVariable("rodata_scale", 5u));
        var ex = Assert.Throws<BpfSyscallException>(() => c.Maps[".rodata"].Update(new byte[4], new byte[c.Maps[".rodata"].ValueSize]));
        Assert.Equal(1, ex.Errno); // EPERM: frozen
        Assert.Equal("loader", Encoding.ASCII.GetString(c.GlobalData[".rodata"].GetVariableBytes("rodata_text")[..6]));
    }

    [Fact]
    public void SanitisedBtfStillLoads()
    {
        KernelObjects.RequireBpf();
        // Pretend the kernel has none of the newer BTF kinds: the loader rewrites them as libbpf does and the kernel accepts it.
        // Without BTF_KIND_FUNC there is no func_info either, so use the object without callbacks.
        using (var c = BpfCollection.Load(LoaderObjects.Get("core_task"), new BpfLoaderOptions { BtfFeatures = BtfFeatures.None }))
        {
            Assert.NotNull(c.Btf);
            c.Programs["read_task"].TestRun(default, repeat: 0, contextIn: new byte[16]);
            Assert.Equal(Environment.ProcessId, c.ReadVariable<int>("task_tgid"));
        }
        var features = BtfFeatures.All & ~(BtfFeatures.GlobalFunc | BtfFeatures.DeclTag | BtfFeatures.TypeTag | BtfFeatures.Float |
            BtfFeatures.Enum64 | BtfFeatures.DataSec);
        using var d = LoadEverything(options: new BpfLoaderOptions { BtfFeatures = features });
        Assert.NotNull(d.Btf);
        d.Programs["socket_prog"].TestRun(Packet);
        Assert.Equal(8u, d.ReadVariable<uint>("data_counter"));
    }

    [Fact]
    public void CoReReadsOfTheCurrentTaskMatchProcSelfStatus()
    {
        KernelObjects.RequireBpf();
        using var c = BpfCollection.Load(LoaderObjects.Get("core_task"));
        c.Programs["read_task"].TestRun(default, repeat: 0, contextIn: new byte[16]);
        var status = File.ReadAllLines("/proc/thread-self/status").Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1].Trim());
        Assert.Equal(int.Parse(status["Pid"]), c.ReadVariable<int>("task_pid"));
        Assert.Equal(int.Parse(status["Tgid"]), c.ReadVariable<int>("task_tgid"));
        Assert.Equal(int.Parse(status["PPid"]), c.ReadVariable<int>("parent_tgid"));
        var comm = Encoding.ASCII.GetString(c.GlobalData[".bss"].GetVariableBytes("task_comm")).TrimEnd('\0');
        Assert.Equal(status["Name"], comm);
        Assert.Equal(1, c.ReadVariable<int>("field_missing"));
        Assert.Equal(-1, c.ReadVariable<int>("guarded_value"));
    }

    [Fact]
    public void GuardedPoisonedRelocationLoadsAndUnguardedFailsWithLibbpfLog()
    {
        KernelObjects.RequireBpf();
        var spec = ObjectSpec.Load(LoaderObjects.Get("core_poison"));
        using (var ok = BpfCollection.Load(spec))
            Assert.True(ok.Programs.ContainsKey("guarded"));

        var before = KernelObjects.Ids("prog").Count + KernelObjects.Ids("map").Count;
        var loader = new BpfObjectLoader(spec);
        loader.SetAutoload("unguarded", true);
        var ex = Assert.Throws<BpfVerifierException>(() => loader.Load());
        Assert.Equal("unguarded", ex.ProgramName);
        Assert.Matches(@"\d+: <invalid CO-RE relocation>\nfailed to resolve CO-RE relocation <byte_off> \[\d+\] struct task_struct\.bpfsharp_missing_field \(0:1 @ offset 4\)", ex.VerifierLog);
        Assert.DoesNotContain("invalid func unknown#195896080", ex.VerifierLog);
        Assert.NotNull(ex.SourceLocation);
        Assert.Contains("core_poison.c", ex.SourceLocation);
        Assert.EndsWith("out = t->bpfsharp_missing_field;", ex.SourceLocation);
        AssertCountsSettle(before);
    }

    [Fact]
    public void VerifierFailureCarriesLogAndSourceLineAndLeavesNothing()
    {
        KernelObjects.RequireBpf();
        var before = KernelObjects.Ids("prog").Count + KernelObjects.Ids("map").Count + KernelObjects.Ids("btf").Count;
        var ex = Assert.Throws<BpfVerifierException>(() => BpfCollection.Load(LoaderObjects.Get("verifier_fail")));
        Assert.Equal(13, ex.Errno);
        Assert.Contains("invalid access to packet", ex.VerifierLog);
        Assert.Contains("data[100]", ex.SourceLocation);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (KernelObjects.Ids("prog").Count + KernelObjects.Ids("map").Count + KernelObjects.Ids("btf").Count > before && DateTime.UtcNow < deadline)
            Thread.Sleep(50);
        Assert.True(KernelObjects.Ids("prog").Count + KernelObjects.Ids("map").Count + KernelObjects.Ids("btf").Count <= before);
    }

    [Fact]
    public void DisposeLeavesNothingInTheKernel()
    {
        KernelObjects.RequireBpf();
        int[] progs, maps;
        using (var c = LoadEverything())
        {
            progs = c.Programs.Values.Select(p => p.Id).ToArray();
            maps = c.Maps.Values.Select(m => m.Id).ToArray();
            Assert.Subset(KernelObjects.Ids("prog"), progs.ToHashSet());
            Assert.Subset(KernelObjects.Ids("map"), maps.ToHashSet());
        }
        KernelObjects.AssertGone("prog", progs);
        KernelObjects.AssertGone("map", maps);
    }

    [Fact]
    public void PinnedByNameMapsArePinnedReusedAndUnpinned()
    {
        KernelObjects.RequireBpf();
        var root = "/sys/fs/bpf/bpfsharp-pin-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(root);
        try
        {
            var spec = ObjectSpec.Load(LoaderObjects.Compile(Path.Combine(TestPaths.TestData, "objects", "maps.c"), true)!);
            var pinned = spec.Maps.Where(m => m.Pinning == MapPinning.ByName).Select(m => m.Name).ToArray();
            Assert.NotEmpty(pinned);
            var options = new BpfLoaderOptions { PinRoot = root };
            using var first = BpfCollection.Load(spec, options);
            foreach (var n in pinned) Assert.True(File.Exists(Path.Combine(root, n)));
            Assert.Equal(pinned.Length, first.PinnedPaths.Count);
            using var second = BpfCollection.Load(spec, options);
            Assert.Empty(second.PinnedPaths);
            foreach (var n in pinned) Assert.Equal(first.Maps[n].Id, second.Maps[n].Id);
            first.Unpin();
            foreach (var n in pinned) Assert.False(File.Exists(Path.Combine(root, n)));
        }
        finally
        {
            foreach (var f in Directory.GetFiles(root)) File.Delete(f);
            Directory.Delete(root);
        }
    }

    [Fact]
    public void FailureAfterMapsWereCreatedClosesThem()
    {
        KernelObjects.RequireBpf();
        int Count() => KernelObjects.Ids("prog").Count + KernelObjects.Ids("map").Count + KernelObjects.Ids("btf").Count;
        var before = Count();
        // A config without CONFIG_HZ: the strong extern cannot be set, which is found after the BTF-defined maps exist.
        string unique = "t" + Guid.NewGuid().ToString("N")[..7];
        var options = new BpfLoaderOptions { KernelConfig = KernelConfig.FromText("CONFIG_BPF_SYSCALL=y\n", "6.18.0"), ObjectName = unique };
        var ex = Assert.Throws<BpfLoadException>(() => LoadEverything(options: options));
        Assert.Contains("extern (kcfg) 'CONFIG_HZ': value not found", ex.Message);
        // Wait without opening anything (see KernelObjects.Ids) until the counts settle, then ask bpftool once:
        // the data maps named after this load were created before the failure and must be gone.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Count() > before && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Assert.True(Count() <= before, "objects left behind after a failed load");
        Assert.DoesNotContain(BpftoolMapNames(), n => n.StartsWith(unique, StringComparison.Ordinal));
    }

    private static void AssertCountsSettle(int before)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (KernelObjects.Ids("prog").Count + KernelObjects.Ids("map").Count > before && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Assert.True(KernelObjects.Ids("prog").Count + KernelObjects.Ids("map").Count <= before, "objects left behind");
    }

    private static int PossibleCpuCount()
    {
        var text = File.ReadAllText("/sys/devices/system/cpu/possible").Trim();
        return text.Split(',').Select(p => int.Parse(p.Split('-').Last())).Max() + 1;
    }

    private static HashSet<string> BpftoolMapNames()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(KernelObjects.Bpftool("-j", "map", "show"));
        return doc.RootElement.EnumerateArray().Where(e => e.TryGetProperty("name", out _)).Select(e => e.GetProperty("name").GetString()!).ToHashSet();
    }

    private static (uint Type, uint KeySize, uint ValueSize, uint MaxEntries, uint MapFlags, ulong MapExtra) KernelMapInfo(int id)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(KernelObjects.Bpftool("-j", "map", "show", "id", id.ToString()));
        var e = doc.RootElement;
        uint U(string n) => e.TryGetProperty(n, out var v) ? v.GetUInt32() : 0;
        string type = e.GetProperty("type").GetString()!;
        return (TypeNumber(type), U("bytes_key"), U("bytes_value"), U("max_entries"), U("flags"),
            e.TryGetProperty("map_extra", out var x) ? x.GetUInt64() : 0);
    }

    private static uint TypeNumber(string bpftoolName) => bpftoolName switch
    {
        "hash" => 1, "array" => 2, "prog_array" => 3, "perf_event_array" => 4, "percpu_hash" => 5, "percpu_array" => 6,
        "lru_hash" => 9, "lru_percpu_hash" => 10, "lpm_trie" => 11, "array_of_maps" => 12, "hash_of_maps" => 13,
        "queue" => 22, "stack" => 23, "ringbuf" => 27, "bloom_filter" => 30,
        _ => uint.TryParse(bpftoolName.Replace("type ", ""), out var n) ? n : 0,
    };
}
