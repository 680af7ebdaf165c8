using System.Buffers.Binary;
using System.Diagnostics;
using BpfSharp.Linux;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.Loading;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Loading;

namespace BpfSharp.Tests.Runtime;

/// <summary>
/// Multi-probe links (uprobe.multi on a test binary, kprobe.multi where the kernel has fprobe), perf events on
/// every CPU, and iterators checked against /proc, the kernel's own map ids and cgroupfs.
/// </summary>
[Collection(RuntimeCollection.Name)]
public class TracingLinkTests
{
    private const int GetAttachCookie = 174, GetSmpProcessorId = 8;

    [Fact]
    public void UprobeMultiCountsEachFunctionByCookie()
    {
        KernelObjects.RequireBpf();
        var dir = TestPaths.NewScratchDirectory("uprobe_multi");
        try
        {
            var binary = Path.Combine(dir, "multi_target");
            AttachTestKit.Run("gcc", "-O1", "-g", "-o", binary, Path.Combine(TestPaths.TestData, "runtime", "multi_target.c"));

            // The glob picks the three bpfsharp_multi_* functions and not bpfsharp_other; nm is the oracle for names.
            var functions = ElfSymbolResolver.MatchingFunctions(binary, "bpfsharp_multi_*");
            var nm = AttachTestKit.Run("nm", "--defined-only", binary).Split('\n')
                .Select(l => l.Split(' ')).Where(f => f.Length == 3 && f[1] is "T" or "t" && f[2].StartsWith("bpfsharp_multi_", StringComparison.Ordinal))
                .Select(f => f[2]).Order().ToArray();
            Assert.Equal(nm, functions.Select(f => f.Name).Order().ToArray());
            Assert.Equal(3, nm.Length);
            foreach (var (name, offset) in functions) Assert.Equal(ElfSymbolResolver.FileOffset(binary, name), offset);

            using var counters = TestPrograms.Counters(slots: 4, name: "bpfsharp_t_um");
            using var program = AttachTestKit.Load(BpfProgramType.Kprobe, TestPrograms.SlotCounter(counters, GetAttachCookie), "bpfsharp_t_um",
                new BpfProgramLoadOptions { Name = "bpfsharp_t_um", ExpectedAttachType = BpfAttachType.TraceUprobeMulti });
            // Slot = cookie: 1 for _one, 2 for _two, 3 for _three.
            var cookies = functions.Select(f => f.Name switch { "bpfsharp_multi_one" => 1ul, "bpfsharp_multi_two" => 2ul, _ => 3ul }).ToArray();
            int linkId;
            using (var link = UprobeMultiLink.AttachOffsets(program, binary, [.. functions.Select(f => f.Offset)], cookies: cookies))
            {
                linkId = link.Id;
                Assert.Equal(program.Id, link.ProgramId);
                Assert.Contains("rounds=4", AttachTestKit.Run(binary, "4"));
                Assert.Equal([0ul, 4ul, 8ul, 12ul], Enumerable.Range(0, 4).Select(i => TestPrograms.Read(counters, (uint)i)).ToArray());
            }
            AttachTestKit.Run(binary, "2");
            Assert.Equal(12ul, TestPrograms.Read(counters, 3));
            KernelObjects.AssertGone("link", linkId);

            // The glob form (no cookies: every hit lands in slot 0), return probes, and the pid filter.
            using var plain = TestPrograms.Counters(name: "bpfsharp_t_um2");
            using var counting = AttachTestKit.Load(BpfProgramType.Kprobe, TestPrograms.Counter(plain), "bpfsharp_t_um2",
                new BpfProgramLoadOptions { Name = "bpfsharp_t_um2", ExpectedAttachType = BpfAttachType.TraceUprobeMulti });
            using (UprobeMultiLink.Attach(counting, binary, "bpfsharp_multi_*", isReturnProbe: true))
                AttachTestKit.Run(binary, "3");
            Assert.Equal(18ul, TestPrograms.Read(plain)); // 3 rounds x 6 calls
            using (UprobeMultiLink.Attach(counting, binary, "bpfsharp_multi_*", processId: Environment.ProcessId))
                AttachTestKit.Run(binary, "3"); // another process: filtered out
            Assert.Equal(18ul, TestPrograms.Read(plain));

            var e = Assert.Throws<BpfAttachException>(() => UprobeMultiLink.Attach(counting, binary, "bpfsharp_nothing_*"));
            Assert.Contains("no function matches 'bpfsharp_nothing_*'", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void KprobeMultiGlobResolvesLikeLibbpfAndAttachesWhereTheKernelAllows()
    {
        KernelObjects.RequireBpf();
        // The kernel's text symbols stand in for tracefs' lists (which this machine may refuse to read even to
        // root): the same names and addresses, in each of the two formats libbpf parses.
        var text = File.ReadAllLines("/proc/kallsyms").Select(l => l.Split(' ', '\t')).Where(f => f.Length >= 3 && f[1] is "T" or "t").ToArray();
        var addrsFormat = string.Join('\n', text.Select(f => $"{f[0]} {f[2]}"));
        var namesFormat = string.Join('\n', text.Select(f => f[2]));
        const string pattern = "__x64_sys_getp*";
        // Oracle: .NET's regular expression for the same glob.
        var expected = text.Where(f => System.Text.RegularExpressions.Regex.IsMatch(f[2], "^__x64_sys_getp.*$"))
            .Select(f => (f[2], Convert.ToUInt64(f[0], 16))).ToArray();
        Assert.Contains(expected, f => f.Item1 == "__x64_sys_getpid");
        Assert.True(expected.Length >= 3, $"only {expected.Length} kernel functions match {pattern}");
        Assert.Equal(expected, KernelFunctions.MatchAddressList(new StringReader(addrsFormat), pattern).ToArray());
        Assert.Equal(expected, KernelFunctions.MatchNameList(new StringReader(namesFormat), new StringReader(File.ReadAllText("/proc/kallsyms")), pattern).ToArray());
        var bad = Assert.Throws<BpfAttachException>(() => KernelFunctions.MatchAddressList(new StringReader("ffff x\nnot-hex y"), "*", "test-list"));
        Assert.Contains("test-list: line 2", bad.Message);
        if (Tracefs.FindRoot() is null)
        {
            var e = Assert.Throws<BpfAttachException>(() => KernelFunctions.Resolve(pattern));
            Assert.Contains("tracefs is not mounted", e.Message);
        }

        using var counters = TestPrograms.Counters(name: "bpfsharp_t_km");
        using var program = AttachTestKit.Load(BpfProgramType.Kprobe, TestPrograms.Counter(counters, AttachTestKit.CurrentThreadId), "bpfsharp_t_km",
            new BpfProgramLoadOptions { Name = "bpfsharp_t_km", ExpectedAttachType = BpfAttachType.TraceKprobeMulti });
        KprobeMultiLink link;
        try
        {
            link = KprobeMultiLink.AttachSymbols(program, ["__x64_sys_getpid"]);
        }
        catch (BpfSyscallException ex) when (ex.Errno is 95 or 524)
        {
            Assert.Skip($"glob resolution checked; the kernel refuses kprobe.multi links ({ex.ErrnoName}: built without CONFIG_FPROBE)");
            return;
        }
        using (link)
        {
            AttachTestKit.CallGetPid(5);
            Assert.Equal(5ul, TestPrograms.Read(counters));
        }
        using (KprobeMultiLink.AttachAddresses(program, [.. expected.Where(f => f.Item1 == "__x64_sys_getpid").Select(f => f.Item2)], isReturnProbe: true))
        {
            AttachTestKit.CallGetPid(5);
            Assert.Equal(10ul, TestPrograms.Read(counters));
        }
    }

    [Fact]
    public void PerfEventOnEveryCpuCountsOnEachAndDetachesAll()
    {
        KernelObjects.RequireBpf();
        var online = File.ReadAllText("/sys/devices/system/cpu/online").Trim();
        var cpus = ParseCpuList(online);
        using var counters = TestPrograms.Counters(slots: cpus.Max() + 1, name: "bpfsharp_t_pc");
        using var program = AttachTestKit.Load(BpfProgramType.PerfEvent, TestPrograms.SlotCounter(counters, GetSmpProcessorId), "bpfsharp_t_pc");
        int[] linkIds;
        using (var group = PerfEventLink.SoftwareEventOnEveryCpu(program, PerfSoftwareEvent.CpuClock, frequency: 1000))
        {
            Assert.Equal(cpus.Count, group.Links.Count);
            linkIds = [.. group.Links.Select(l => l.Id)];
            Assert.All(linkIds, id => Assert.Contains(id, KernelObjects.Ids("link")));
            Assert.True(AttachTestKit.Eventually(() => cpus.All(c => TestPrograms.Read(counters, (uint)c) >= 10)),
                $"cpu-clock at 1 kHz: per-CPU counts {string.Join(", ", cpus.Select(c => TestPrograms.Read(counters, (uint)c)))}");
        }
        KernelObjects.AssertGone("link", linkIds);
        var after = cpus.Select(c => TestPrograms.Read(counters, (uint)c)).ToArray();
        Thread.Sleep(100);
        Assert.Equal(after, cpus.Select(c => TestPrograms.Read(counters, (uint)c)).ToArray());
    }

    [Fact]
    public void TaskIteratorMatchesProc()
    {
        KernelObjects.RequireBpf();
        using var obj = BpfObject.Open(LoaderObjects.Compile(Path.Combine(TestPaths.TestData, "runtime", "iter_probes.c"), mustCompile: true)!);
        obj.Load();
        var before = ProcPids();
        List<(int Tgid, int Pid)> tasks;
        using (var link = IterLink.Attach(obj.Program("dump_tasks")))
            tasks = Records(link.ReadAll(), 8, r => ((int)BinaryPrimitives.ReadUInt32LittleEndian(r), (int)BinaryPrimitives.ReadUInt32LittleEndian(r[4..])));
        var after = ProcPids();
        var processes = tasks.Select(t => t.Tgid).ToHashSet();
        // Every process alive both before and after the walk was walked; every walked process was alive at some point.
        // This VM's pid 1 is never walked by the kernel's task iterator, with or without a pid parameter (bpftool
        // iter pin shows the same), so it is left out of the comparison.
        var stable = before.Intersect(after).Where(pid => pid != 1).ToArray();
        Assert.All(stable, pid => Assert.Contains(pid, processes));
        Assert.Contains(Environment.ProcessId, processes);
        Assert.All(tasks.Where(t => t.Tgid == t.Pid), t => Assert.True(before.Contains(t.Tgid) || after.Contains(t.Tgid) || !Directory.Exists($"/proc/{t.Tgid}"), $"walked pid {t.Tgid} unknown to /proc"));

        // With a process parameter the walk is that process's threads only: a single-threaded child.
        using var child = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        try
        {
            using var one = IterLink.Attach(obj.Program("dump_tasks"), IterTarget.Process(child.Id));
            var records = Records(one.ReadAll(), 8, r => ((int)BinaryPrimitives.ReadUInt32LittleEndian(r), (int)BinaryPrimitives.ReadUInt32LittleEndian(r[4..])));
            Assert.Equal([(child.Id, child.Id)], records);
            using var thread = IterLink.Attach(obj.Program("dump_tasks"), IterTarget.Thread(child.Id));
            Assert.Equal([(child.Id, child.Id)], Records(thread.ReadAll(), 8, r => ((int)BinaryPrimitives.ReadUInt32LittleEndian(r), (int)BinaryPrimitives.ReadUInt32LittleEndian(r[4..]))));
        }
        finally
        {
            child.Kill();
            child.WaitForExit();
        }
    }

    [Fact]
    public void MapIteratorListsTheKernelsMapIdsAndPinsAsAFile()
    {
        KernelObjects.RequireBpf();
        using var obj = BpfObject.Open(LoaderObjects.Compile(Path.Combine(TestPaths.TestData, "runtime", "iter_probes.c"), mustCompile: true)!);
        obj.Load();
        using var mine = BpfMap.Create(BpfMapType.Hash, 4, 8, 4, name: "bpfsharp_t_it");
        var before = KernelObjects.Ids("map");
        using var link = IterLink.Attach(obj.Program("dump_map_ids"));
        var walked = Records(link.ReadAll(), 4, r => (int)BinaryPrimitives.ReadUInt32LittleEndian(r)).ToHashSet();
        var after = KernelObjects.Ids("map");
        Assert.Contains(mine.Id, walked);
        Assert.All(before.Intersect(after), id => Assert.Contains(id, walked));

        var pin = $"/sys/fs/bpf/bpfsharp_h5_iter_{Environment.ProcessId}_{Guid.NewGuid():N}";
        try
        {
            link.Pin(pin);
            // cat is the oracle: reading the pinned file runs the iterator in another process.
            var viaCat = Records(ExternalTool.RunChecked("cat", pin), 4, r => (int)BinaryPrimitives.ReadUInt32LittleEndian(r));
            Assert.Contains(mine.Id, viaCat);
            var shown = KernelObjects.Bpftool("link", "show", "pinned", pin);
            Assert.Contains("iter", shown);
            Assert.Contains("target_name bpf_map", shown);
        }
        finally
        {
            link.Unpin();
        }
        Assert.False(File.Exists(pin));
    }

    [Fact]
    public void CgroupIteratorWalksACreatedCgroup()
    {
        KernelObjects.RequireBpf();
        var root = File.ReadAllLines("/proc/mounts").Select(l => l.Split(' ')).FirstOrDefault(f => f.Length > 2 && f[2] == "cgroup2")?[1];
        Assert.SkipWhen(root is null, "this machine has no cgroup v2 hierarchy mounted");
        using var obj = BpfObject.Open(LoaderObjects.Compile(Path.Combine(TestPaths.TestData, "runtime", "iter_probes.c"), mustCompile: true)!);
        obj.Load();
        var parent = Path.Combine(root!, $"bpfsharp_h5_{Environment.ProcessId}_{Guid.NewGuid():N}"[..40]);
        var child = Path.Combine(parent, "child");
        Directory.CreateDirectory(parent);
        try
        {
            Directory.CreateDirectory(child);
            ulong Inode(string path) => ulong.Parse(AttachTestKit.Run("stat", "-c", "%i", path).Trim());
            using (var self = IterLink.Attach(obj.Program("dump_cgroups"), IterTarget.Cgroup(parent, CgroupIterOrder.Self)))
                Assert.Equal([Inode(parent)], Records(self.ReadAll(), 8, r => BinaryPrimitives.ReadUInt64LittleEndian(r)));
            using (var pre = IterLink.Attach(obj.Program("dump_cgroups"), IterTarget.CgroupId(Inode(parent), CgroupIterOrder.DescendantsPreOrder)))
                Assert.Equal([Inode(parent), Inode(child)], Records(pre.ReadAll(), 8, r => BinaryPrimitives.ReadUInt64LittleEndian(r)));
            using (var post = IterLink.Attach(obj.Program("dump_cgroups"), IterTarget.Cgroup(parent, CgroupIterOrder.DescendantsPostOrder)))
                Assert.Equal([Inode(child), Inode(parent)], Records(post.ReadAll(), 8, r => BinaryPrimitives.ReadUInt64LittleEndian(r)));
        }
        finally
        {
            if (Directory.Exists(child)) Directory.Delete(child);
            Directory.Delete(parent);
        }
    }

    [Fact]
    public void MapElementIteratorReadsWhatWasStoredWhereTheKernelAllows()
    {
        KernelObjects.RequireBpf();
        using var obj = BpfObject.Open(LoaderObjects.Compile(Path.Combine(TestPaths.TestData, "runtime", "iter_map_elem.c"), mustCompile: true)!);
        try
        {
            obj.Load();
        }
        catch (Exception e) when (BpfSyscallException.IsPermissionProblem(e))
        {
            Assert.Skip($"the kernel refuses to load an iter/bpf_map_elem program (EPERM, bpftool's libbpf too): {e.Message}");
        }
        using var map = BpfMap.Create(BpfMapType.Hash, 4, 8, 8, name: "bpfsharp_t_ie");
        for (uint k = 1; k <= 5; k++) map.Update(k, (ulong)k * 100);
        using var link = IterLink.Attach(obj.Program("dump_elements"), IterTarget.Map(map));
        var pairs = Records(link.ReadAll(), 16, r => (BinaryPrimitives.ReadUInt64LittleEndian(r), BinaryPrimitives.ReadUInt64LittleEndian(r[8..])));
        Assert.Equal(Enumerable.Range(1, 5).Select(k => ((ulong)k, (ulong)k * 100)), pairs.Order());
    }

    [Fact]
    public void SectionAttachKnowsTheTracingSections()
    {
        foreach (var s in new[] { "kprobe.multi/tcp_*", "kretprobe.multi/x", "uprobe.multi//bin/true:main", "uretprobe.multi.s//bin/true:m*", "iter/task", "iter.s/task",
                     "fentry/do_unlinkat", "fentry.s/f", "fexit/f", "fexit.s/f", "fmod_ret/f", "fmod_ret.s/f", "lsm/file_open", "lsm.s/file_open", "freplace/decide" })
            Assert.True(SectionAttach.CanAttach(s), s);
        Assert.False(SectionAttach.CanAttach("perf_event"));
        // libbpf auto-attaches no lsm_cgroup program (it needs a cgroup) and no struct_ops program (its map registers).
        Assert.False(SectionAttach.CanAttach("lsm_cgroup/file_open"));
        Assert.False(SectionAttach.CanAttach("struct_ops/ssthresh"));
        var e = Assert.Throws<ArgumentNullException>(() => SectionAttach.Attach(null!, "iter/task"));
        Assert.Equal("program", e.ParamName);
    }

    private static HashSet<int> ProcPids() =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)).Select(n => int.Parse(n!)).ToHashSet();

    private static List<T> Records<T>(byte[] data, int size, Func<ReadOnlySpan<byte>, T> read)
    {
        Assert.True(data.Length % size == 0, $"iterator output of {data.Length} bytes is not a whole number of {size}-byte records");
        var list = new List<T>();
        for (var i = 0; i < data.Length; i += size) list.Add(read(data.AsSpan(i, size)));
        return list;
    }

    private static List<int> ParseCpuList(string text) =>
        [.. text.Split(',').SelectMany(p => p.Contains('-')
            ? Enumerable.Range(int.Parse(p.Split('-')[0]), int.Parse(p.Split('-')[1]) - int.Parse(p.Split('-')[0]) + 1)
            : [int.Parse(p)])];
}
