using System.Text.Json;
using BpfSharp.Linux;
using BpfSharp.Linux.Inspection;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.Loading;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Loading;
using BpfSharp.Tests.Runtime;
using static BpfSharp.Tests.Cli.CliHarness;
using RuntimePrograms = BpfSharp.Tests.Runtime.TestPrograms;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// btf show/dump, cgroup show/tree and struct_ops show/dump against bpftool 7.1 on kernel objects the test creates:
/// plain text byte for byte, JSON value for value. Only ids this test created are looked at.
/// </summary>
[Collection(RuntimeCollection.Name)]
public class InspectionVerbTests
{
    private static string Unique(string what) => $"bpfsharp_h2_{what}_{Environment.ProcessId}_{Guid.NewGuid().ToString("N")[..6]}";

    private static void AssertSameText(ToolResult theirs, ToolResult ours, string what)
    {
        Assert.True(theirs.ExitCode == 0, $"bpftool {what}: {theirs.Stderr}");
        Assert.True(ours.ExitCode == 0, $"bpfsharp {what}: {ours.Stderr}");
        Assert.True(theirs.Stdout.Length > 0 || what.Contains("struct_ops"), $"bpftool printed nothing for {what}");
        Assert.Equal(theirs.Text(), ours.Text());
    }

    private static void AssertSameJson(ToolResult theirs, ToolResult ours, string what, string? only = null)
    {
        Assert.True(theirs.ExitCode == 0, $"bpftool {what}: {theirs.Stderr}");
        Assert.True(ours.ExitCode == 0, $"bpfsharp {what}: {ours.Stderr}");
        using var a = JsonDocument.Parse(theirs.Stdout);
        using var b = JsonDocument.Parse(ours.Stdout);
        var x = only is null ? a.RootElement : a.RootElement.GetProperty(only);
        var y = only is null ? b.RootElement : b.RootElement.GetProperty(only);
        Assert.True(JsonElement.DeepEquals(x, y), $"{what}:\nbpftool: {x}\nbpfsharp: {y}");
    }

    private static void Compare(string what, params string[] words)
    {
        AssertSameText(Bpftool(words), Bpfsharp(words), what);
        AssertSameJson(Bpftool(["-j", .. words]), Bpfsharp(["-j", .. words]), "-j " + what,
            words[0] == "btf" && words[1] == "dump" ? "types" : null);
    }

    [Fact]
    public void BtfShowAndDumpOfALoadedObjectAreBpftools()
    {
        KernelObjects.RequireBpf();
        string obj = LoaderObjects.Compile(Path.Combine(TestPaths.TestData, "cli", "btf_users.c"), mustCompile: true)!;
        using var collection = BpfCollection.Load(obj);
        var program = collection.Programs["count_flows"];
        int btfId = BpfProgramInfo.Read(program.FileDescriptor).BtfId;
        Assert.True(btfId > 0, "the program was loaded without BTF");
        int flows = collection.Maps["flows"].Id, total = collection.Maps["total"].Id;

        // show: the program and both maps use the object's BTF (in the order of bpftool's hash table).
        var shown = Bpfsharp("btf", "show", "id", btfId.ToString());
        Assert.Equal($"{btfId}: name <anon>  size ", shown.Text()[..$"{btfId}: name <anon>  size ".Length]);
        Assert.Contains($"  prog_ids {program.Id}  map_ids ", shown.Text());
        Assert.True(shown.Text().EndsWith($",{flows}\n") || shown.Text().EndsWith($",{total}\n"), shown.Text());
        // The users' order comes from a table of every program and map in the kernel, which other processes change
        // while this runs: a difference is only a failure if it stays.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                Compare("btf show id", "btf", "show", "id", btfId.ToString());
                Assert.Equal(Bpftool("btf", "list", "id", btfId.ToString()).Text(), Bpfsharp("btf", "list", "id", btfId.ToString()).Text());
                break;
            }
            catch (Xunit.Sdk.XunitException) when (attempt < 3)
            {
                Thread.Sleep(200);
            }
        }

        // dump: the whole object, the program's, the map's key/value roots, in raw, JSON and C.
        Compare("btf dump id", "btf", "dump", "id", btfId.ToString());
        AssertSameText(Bpftool("btf", "dump", "id", btfId.ToString(), "format", "c"), Bpfsharp("btf", "dump", "id", btfId.ToString(), "format", "c"), "format c");
        Compare("btf dump prog", "btf", "dump", "prog", "id", program.Id.ToString());
        Compare("btf dump map", "btf", "dump", "map", "id", flows.ToString());
        foreach (var part in new[] { "key", "value", "kv", "all" })
            Compare("btf dump map " + part, "btf", "dump", "map", "id", flows.ToString(), part);
    }

    [Fact]
    public void BtfDumpOfKernelBtfByIdIsBpftools()
    {
        KernelObjects.RequireBpf();
        var kernel = BpfBtfInfo.ListAll().Where(b => b.IsKernel).ToList();
        var vmlinux = kernel.Single(b => b.Name == "vmlinux");
        var words = new[] { "btf", "dump", "id", vmlinux.Id.ToString() };
        var theirs = Bpftool(words);
        var ours = Bpfsharp(words);
        Assert.True(ours.ExitCode == 0, ours.Stderr);
        Assert.True(theirs.Stdout.AsSpan().SequenceEqual(ours.Stdout), $"btf dump id {vmlinux.Id} differs ({ours.Stdout.Length} vs {theirs.Stdout.Length} bytes)");
        var module = kernel.FirstOrDefault(b => b.Name != "vmlinux");
        if (module is null)
        {
            Console.WriteLine("no kernel module BTF is loaded: the split (module) case of 'btf dump id' was not compared");
            return;
        }
        // A module's BTF is split over vmlinux; bpftool falls back to /sys/kernel/btf/vmlinux as base, and so do we.
        string[] moduleWords = ["btf", "dump", "id", module.Id.ToString()];
        Assert.Equal(Bpftool(moduleWords).Text(), Bpfsharp(moduleWords).Text());
    }

    [Fact]
    public void CgroupShowAndTreeAreBpftools()
    {
        KernelObjects.RequireBpf();
        string mount = File.ReadLines("/proc/mounts").Select(l => l.Split(' ')).First(f => f.Length > 2 && f[2] == "cgroup2")[1];
        string parent = Path.Combine(mount, Unique("cg"));
        string child = Path.Combine(parent, "child");
        Directory.CreateDirectory(child);
        try
        {
            using var counters = RuntimePrograms.Counters(name: "bpfs_h2_cgcnt");
            using var ingress = AttachTestKit.Load(BpfProgramType.CgroupSkb, RuntimePrograms.Counter(counters, returnValue: 1), "bpfs_h2_in",
                new BpfProgramLoadOptions { Name = "bpfs_h2_in", ExpectedAttachType = BpfAttachType.CgroupInetIngress });
            using var egress = AttachTestKit.Load(BpfProgramType.CgroupSkb, RuntimePrograms.Counter(counters, returnValue: 1), "bpfs_h2_out",
                new BpfProgramLoadOptions { Name = "bpfs_h2_out", ExpectedAttachType = BpfAttachType.CgroupInetEgress });
            using var parentLink = CgroupLink.Attach(ingress, parent, BpfAttachType.CgroupInetIngress);
            using var childIngress = CgroupLink.Attach(ingress, child, BpfAttachType.CgroupInetIngress);
            using var childEgress = CgroupLink.Attach(egress, child, BpfAttachType.CgroupInetEgress);

            var shown = Bpfsharp("cgroup", "show", child);
            Assert.Contains($"{ingress.Id,-8} cgroup_inet_ingress multi           bpfs_h2_in", shown.Text());
            Compare("cgroup show", "cgroup", "show", parent);
            Compare("cgroup show child", "cgroup", "list", child);
            Compare("cgroup tree", "cgroup", "tree", parent);

            // effective: what runs for the child, the parent's program included (bpftool 7.1 is not compared: see docs/cli.md).
            var effective = Bpfsharp("-j", "cgroup", "show", child, "effective");
            Assert.True(effective.ExitCode == 0, effective.Stderr);
            using var doc = JsonDocument.Parse(effective.Stdout);
            var ids = doc.RootElement.EnumerateArray().Select(e => (e.GetProperty("id").GetInt32(), e.GetProperty("attach_type").GetString())).ToList();
            Assert.Equal(2, ids.Count(x => x == (ingress.Id, "cgroup_inet_ingress")));
            Assert.Single(ids, x => x == (egress.Id, "cgroup_inet_egress"));
        }
        finally
        {
            Directory.Delete(child);
            Directory.Delete(parent);
        }
        // An empty cgroup: bpftool prints nothing at all; bpfsharp too in text, and [] under -j.
        Directory.CreateDirectory(child);
        try
        {
            Assert.Equal(Bpftool("cgroup", "show", child).Text(), Bpfsharp("cgroup", "show", child).Text());
            Assert.Equal("[]\n", Bpfsharp("-j", "cgroup", "show", child).Text());
        }
        finally
        {
            Directory.Delete(child);
            Directory.Delete(parent);
        }
    }

    [Fact]
    public void StructOpsShowAndDumpAreBpftools()
    {
        KernelObjects.RequireBpf();
        // The list is what exists (other tests' congestion controls included): compared as it is.
        foreach (var verb in new[] { "show", "list" })
        {
            AssertSameText(Bpftool("struct_ops", verb), Bpfsharp("struct_ops", verb), "struct_ops " + verb);
            AssertSameText(Bpftool("-j", "struct_ops", verb), Bpfsharp("-j", "struct_ops", verb), "-j struct_ops " + verb);
        }
        // dump: bpftool's output with its bare plain-text tokens quoted (StructOpsCliTests.RepairBpftoolDump) equals
        // ours field by field, for every map both saw (others' maps may be registered or go in between).
        foreach (var flags in new[] { Array.Empty<string>(), ["-j"] })
        {
            var theirs = Bpftool([.. flags, "struct_ops", "dump"]);
            var ours = Bpfsharp([.. flags, "struct_ops", "dump"]);
            Assert.True(theirs.ExitCode == 0 && ours.ExitCode == 0, theirs.Stderr + ours.Stderr);
            using var a = JsonDocument.Parse(StructOpsCliTests.RepairBpftoolDump(theirs.StdoutText, selectedById: false));
            using var b = JsonDocument.Parse(ours.Stdout);
            var (x, y) = (StructOpsCliTests.Pairs(a.RootElement), StructOpsCliTests.Pairs(b.RootElement));
            foreach (var id in x.Keys.Intersect(y.Keys))
            {
                StructOpsCliTests.AssertSameFields(x[id].Info, y[id].Info, $"{string.Join(' ', flags)} struct_ops dump: map {id} info");
                StructOpsCliTests.AssertSameFields(x[id].Value, y[id].Value, $"{string.Join(' ', flags)} struct_ops dump: map {id} value");
            }
            if (x.Count == 0 && y.Count == 0) Assert.Equal(theirs.Text(), ours.Text());
        }
        // The error paths: an id that is no map, an id that is not a struct_ops map, a word that is no selector.
        var missing = Bpfsharp("struct_ops", "show", "id", "2147483647");
        Assert.Equal(Bpftool("struct_ops", "show", "id", "2147483647").Stderr.Trim(), missing.Stderr.Trim());
        using var array = BpfMap.Create(BpfMapType.Array, 4, 4, 1, name: "bpfs_h2_notops");
        var notOps = Bpfsharp("-j", "struct_ops", "show", "id", array.Id.ToString());
        Assert.NotEqual(0, notOps.ExitCode);
        Assert.Equal($"map id {array.Id} is not a struct_ops map", AssertJsonError(notOps, "struct_ops show id"));
        Assert.NotEqual(0, Bpftool("struct_ops", "show", "id", array.Id.ToString()).ExitCode);
        Assert.Equal(BpfSharp.Cli.ExitCodes.Usage, Bpfsharp("struct_ops", "show", "bogus").ExitCode);
        Assert.NotEqual(0, Bpftool("struct_ops", "show", "bogus").ExitCode);
    }
}
