using System.Text.Json;
using System.Text.RegularExpressions;
using BpfSharp.Linux;
using BpfSharp.Linux.Inspection;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Runtime;
using static BpfSharp.Tests.Cli.CliHarness;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// <c>struct_ops register | show | unregister</c> on a registered map, against bpftool 7.1: the C# congestion control
/// (<see cref="CSharpStructOpsTests"/>, a name of this run's own) registered by one tool is shown identically by both
/// (plain byte for byte, JSON value for value) and unregistered by the other; messages and failures are bpftool's.
/// A <c>.struct_ops.link</c> map stays registered only through a link pinned in LINK_DIR.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed partial class StructOpsCliTests(ITestOutputHelper output)
{
    [GeneratedRegex(@"^Registered tcp_congestion_ops bpfsharp_cc id (\d+)$")]
    private static partial Regex Registered();

    private static int RegisteredId(ToolResult r, string who)
    {
        Assert.True(r.ExitCode == 0, $"{who} struct_ops register: {r.Stderr}");
        var m = Registered().Match(r.Stderr.Trim());
        Assert.True(m.Success, $"{who} struct_ops register said: {r.Stderr}");
        return int.Parse(m.Groups[1].Value);
    }

    /// <summary>Unregisters what a failed test left registered (key 0 deleted; nothing if already gone).</summary>
    private static void Cleanup(int id)
    {
        if (id <= 0 || BpfObjectIds.TryOpen(BpfObjectKind.Map, (uint)id) is not { } fd) return;
        using var map = BpfMap.FromFileDescriptor(fd);
        try { map.Delete(stackalloc byte[4]); } catch (BpfSyscallException) { }
    }

    private void AssertShownAlike(int id)
    {
        var theirs = Bpftool("struct_ops", "show", "id", id.ToString());
        var ours = Bpfsharp("struct_ops", "show", "id", id.ToString());
        Assert.True(theirs.ExitCode == 0 && ours.ExitCode == 0, theirs.Stderr + ours.Stderr);
        output.WriteLine(ours.Text());
        Assert.Equal(theirs.Text(), ours.Text());
        foreach (var selector in new[] { new[] { "id", id.ToString() }, ["name", "bpfsharp_cc"] })
        {
            theirs = Bpftool(["-j", "struct_ops", "show", .. selector]);
            ours = Bpfsharp(["-j", "struct_ops", "show", .. selector]);
            Assert.True(theirs.ExitCode == 0 && ours.ExitCode == 0, theirs.Stderr + ours.Stderr);
            using var a = JsonDocument.Parse(theirs.Stdout);
            using var b = JsonDocument.Parse(ours.Stdout);
            // By name, other runs' maps of the same name may come and go between the two calls: ours only.
            var x = selector[0] == "id" ? a.RootElement : Only(a.RootElement, id);
            var y = selector[0] == "id" ? b.RootElement : Only(b.RootElement, id);
            Assert.True(JsonElement.DeepEquals(x, y), $"-j struct_ops show {string.Join(' ', selector)}:\nbpftool: {x}\nbpfsharp: {y}");
        }
    }

    private static JsonElement Only(JsonElement array, int id) =>
        Assert.Single(array.EnumerateArray(), e => e.GetProperty("id").GetInt32() == id);

    [Fact]
    public void RegisterShowAndUnregisterAreBpftoolsEitherWayRound()
    {
        KernelObjects.RequireBpf();
        var name = $"bpfs{Environment.ProcessId % 100000}cli";
        var obj = CSharpStructOpsTests.CompileCSharp(name, link: false, "cli");
        int id = 0;
        try
        {
            // Ours registers (the registration outlives our process), both show it, bpftool unregisters.
            id = RegisteredId(Bpfsharp("struct_ops", "register", obj), "bpfsharp");
            Assert.Contains(name, StructOpsTests.AvailableNames());
            AssertShownAlike(id);
            var theirs = Bpftool("struct_ops", "unregister", "id", id.ToString());
            Assert.True(theirs.ExitCode == 0, theirs.Stderr);
            Assert.Equal($"Unregistered tcp_congestion_ops bpfsharp_cc id {id}", theirs.Stderr.Trim());
            Assert.DoesNotContain(name, StructOpsTests.AvailableNames());
            KernelObjects.AssertGone("map", id);

            // bpftool registers the C# object, ours unregisters with bpftool's message, then JSON's null.
            id = RegisteredId(Bpftool("struct_ops", "register", obj), "bpftool");
            Assert.Contains(name, StructOpsTests.AvailableNames());
            AssertShownAlike(id);
            var ours = Bpfsharp("struct_ops", "unregister", "id", id.ToString());
            Assert.True(ours.ExitCode == 0, ours.Stderr);
            Assert.Equal($"Unregistered tcp_congestion_ops bpfsharp_cc id {id}", ours.Stderr.Trim());
            Assert.DoesNotContain(name, StructOpsTests.AvailableNames());
            KernelObjects.AssertGone("map", id);

            // Under -j both print null on stdout and nothing on stderr, for register and unregister.
            var quietOurs = Bpfsharp("-j", "struct_ops", "register", obj);
            Assert.True(quietOurs.ExitCode == 0, quietOurs.Stderr);
            id = FindRegistered(name);
            var quietTheirs = Bpftool("-j", "struct_ops", "unregister", "id", id.ToString());
            Assert.True(quietTheirs.ExitCode == 0, quietTheirs.Stderr);
            Assert.Equal(quietTheirs.Text().Trim(), quietOurs.Text().Trim());
            Assert.Equal("", quietOurs.Stderr);
            KernelObjects.AssertGone("map", id);
            quietTheirs = Bpftool("-j", "struct_ops", "register", obj);
            Assert.True(quietTheirs.ExitCode == 0, quietTheirs.Stderr);
            id = FindRegistered(name);
            quietOurs = Bpfsharp("-j", "struct_ops", "unregister", "id", id.ToString());
            Assert.True(quietOurs.ExitCode == 0, quietOurs.Stderr);
            Assert.Equal(quietTheirs.Text().Trim(), quietOurs.Text().Trim());
            Assert.Equal("null", quietOurs.Text().Trim());
            Assert.Equal("", quietOurs.Stderr);
            Assert.DoesNotContain(name, StructOpsTests.AvailableNames());
            KernelObjects.AssertGone("map", id);

            // Unregistering what is gone fails alike.
            var gone = id.ToString();
            var theirFailure = Bpftool("struct_ops", "unregister", "id", gone);
            var ourFailure = Bpfsharp("struct_ops", "unregister", "id", gone);
            Assert.NotEqual(0, theirFailure.ExitCode);
            Assert.NotEqual(0, ourFailure.ExitCode);
            Assert.Equal(theirFailure.Stderr.Trim(), ourFailure.Stderr.Trim());
            id = 0;
        }
        finally
        {
            Cleanup(id);
        }
    }

    /// <summary>
    /// The id of the registered bpfsharp_cc map whose congestion control is <paramref name="name"/> (other runs may
    /// register maps of the same map name): the name member of the value, as bpftool's dump decodes it.
    /// </summary>
    private static int FindRegistered(string name)
    {
        var maps = KernelMapRecord.ListAll().Where(m => m.Type == BpfMapType.StructOps && m.Name == "bpfsharp_cc");
        return Assert.Single(maps, m => Bpftool("-j", "struct_ops", "dump", "id", m.Id.ToString()).Text().Contains($"\"name\":\"{name}\"", StringComparison.Ordinal)).Id;
    }

    /// <summary>
    /// bpftool 7.1's <c>struct_ops dump</c> output made one JSON document, repairing only what is not JSON in it:
    /// (1) plain text's bare tokens, <c>(nil)</c> and <c>0x…</c> (pointers; bitfields and non-printable chars would
    /// print so too), are quoted, as ours writes them; (2) a map selected by id is written as two objects one after
    /// the other (<c>{...},{...}</c>), which are wrapped in an array, as ours (and later bpftool) writes them.
    /// Nothing else is touched: names, numbers, strings and nesting are bpftool's.
    /// </summary>
    internal static string RepairBpftoolDump(string text, bool selectedById)
    {
        var quoted = BareToken().Replace(text, "\"$1\"");
        return selectedById ? "[" + quoted + "]" : quoted;
    }

    /// <summary>A bare (nil) or 0x… value: after a colon, bracket or comma, before a comma, bracket, brace or line end.</summary>
    [GeneratedRegex(@"(?<=[:\[,] ?)(\(nil\)|0x[0-9a-f]+)(?=[,\]}\s]|$)")]
    private static partial Regex BareToken();

    /// <summary>The dump's maps by id: each map is a <c>bpf_map_info</c> object followed by its value's object.</summary>
    internal static Dictionary<int, (JsonElement Info, JsonElement Value)> Pairs(JsonElement dump)
    {
        var items = dump.EnumerateArray().ToList();
        Assert.True(items.Count % 2 == 0, $"a struct_ops dump holds pairs of objects, not {items.Count}");
        var pairs = new Dictionary<int, (JsonElement, JsonElement)>();
        for (var i = 0; i < items.Count; i += 2)
        {
            var info = items[i].GetProperty("bpf_map_info");
            pairs[info.GetProperty("id").GetInt32()] = (info, Assert.Single(items[i + 1].EnumerateObject()).Value);
            Assert.StartsWith("bpf_struct_ops_", Assert.Single(items[i + 1].EnumerateObject()).Name);
        }
        return pairs;
    }

    /// <summary>Compares two JSON values field by field (names in order, every leaf), naming the first difference.</summary>
    internal static void AssertSameFields(JsonElement theirs, JsonElement ours, string what) =>
        Assert.Equal(Leaves(theirs, what), Leaves(ours, what));

    private static List<string> Leaves(JsonElement e, string path)
    {
        var leaves = new List<string>();
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject()) leaves.AddRange(Leaves(p.Value, $"{path}.{p.Name}"));
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in e.EnumerateArray()) leaves.AddRange(Leaves(item, $"{path}[{i++}]"));
                if (i == 0) leaves.Add($"{path} = []");
                break;
            default:
                leaves.Add($"{path} = {e.GetRawText()}");
                break;
        }
        return leaves;
    }

    [Fact]
    public void DumpDecodesMapInfoAndValueAsBpftoolDoes()
    {
        KernelObjects.RequireBpf();
        var name = $"bpfs{Environment.ProcessId % 100000}dmp";
        var obj = CSharpStructOpsTests.CompileCSharp(name, link: false, "clidump");
        int id = 0;
        try
        {
            id = RegisteredId(Bpfsharp("struct_ops", "register", obj), "bpfsharp");
            var ids = id.ToString();
            // Plain (bpftool's pretty plain-text flavour), -j and -p (its JSON flavour): bpftool's repaired, field by field.
            foreach (var flags in new[] { Array.Empty<string>(), ["-j"], ["-p"] })
            {
                var what = string.Join(' ', [.. flags, "struct_ops", "dump", "id", ids]);
                var theirs = Bpftool([.. flags, "struct_ops", "dump", "id", ids]);
                var ours = Bpfsharp([.. flags, "struct_ops", "dump", "id", ids]);
                Assert.True(theirs.ExitCode == 0 && ours.ExitCode == 0, theirs.Stderr + ours.Stderr);
                if (flags.Length == 0) output.WriteLine(ours.Text());
                using var a = JsonDocument.Parse(RepairBpftoolDump(theirs.StdoutText, selectedById: true));
                using var b = JsonDocument.Parse(ours.Stdout); // ours is JSON as it is
                AssertSameFields(a.RootElement, b.RootElement, what);
            }

            // By name (a list, which bpftool 7.1 writes as an array): our map's pair alike (others' maps may come and go).
            foreach (var flags in new[] { Array.Empty<string>(), ["-j"] })
            {
                var theirs = Bpftool([.. flags, "struct_ops", "dump", "name", "bpfsharp_cc"]);
                var ours = Bpfsharp([.. flags, "struct_ops", "dump", "name", "bpfsharp_cc"]);
                Assert.True(theirs.ExitCode == 0 && ours.ExitCode == 0, theirs.Stderr + ours.Stderr);
                using var a = JsonDocument.Parse(RepairBpftoolDump(theirs.StdoutText, selectedById: false));
                using var b = JsonDocument.Parse(ours.Stdout);
                var (x, y) = (Pairs(a.RootElement)[id], Pairs(b.RootElement)[id]);
                AssertSameFields(x.Info, y.Info, "dump name: bpf_map_info");
                AssertSameFields(x.Value, y.Value, "dump name: value");
            }

            // Ours against the kernel and the object, not only against bpftool.
            using var dump = JsonDocument.Parse(Bpfsharp("-j", "struct_ops", "dump", "id", ids).Stdout);
            var (info, value) = Assert.Single(Pairs(dump.RootElement)).Value;
            int valueSize;
            using (var map = BpfMap.FromFileDescriptor(BpfObjectIds.Open(BpfObjectKind.Map, (uint)id))) valueSize = map.ValueSize;
            Assert.Equal(id, info.GetProperty("id").GetInt32());
            Assert.Equal((int)BpfMapType.StructOps, info.GetProperty("type").GetInt32());
            Assert.Equal("bpfsharp_cc", info.GetProperty("name").GetString());
            Assert.Equal(valueSize, info.GetProperty("value_size").GetInt32());
            Assert.Equal("BPF_STRUCT_OPS_STATE_INUSE", value.GetProperty("common").GetProperty("state").GetString());
            var data = value.GetProperty("data");
            Assert.Equal(name, data.GetProperty("name").GetString());
            foreach (var (member, program) in new[] { ("ssthresh", "bpfsharp_ssthresh"), ("cong_avoid", "bpfsharp_cong_avoid"), ("undo_cwnd", "bpfsharp_undo_cwnd") })
            {
                var m = FunctionPointer().Match(data.GetProperty(member).GetString()!);
                Assert.True(m.Success, $"{member}: {data.GetProperty(member)}");
                Assert.Equal(program, m.Groups["name"].Value);
                // The id is a loaded struct_ops program of that name, by bpftool.
                using var prog = JsonDocument.Parse(Bpftool("-j", "prog", "show", "id", m.Groups["id"].Value).Stdout);
                Assert.Equal("struct_ops", prog.RootElement.GetProperty("type").GetString());
                Assert.StartsWith(prog.RootElement.GetProperty("name").GetString()!, program);
            }
            // Members the object leaves empty: their signature, then 0.
            Assert.Equal("void (struct sock *, u8) 0", data.GetProperty("set_state").GetString());
            Assert.EndsWith(" 0", data.GetProperty("init").GetString());

            var gone = Bpftool("struct_ops", "unregister", "id", ids);
            Assert.True(gone.ExitCode == 0, gone.Stderr);
            KernelObjects.AssertGone("map", id);
            id = 0;
        }
        finally
        {
            Cleanup(id);
        }
    }

    [GeneratedRegex(@"^\S.* (?<name>\w+)/prog_id:(?<id>\d+)$")]
    private static partial Regex FunctionPointer();

    [Fact]
    public void ALinkMapIsRegisteredWhileItsLinkIsPinned()
    {
        KernelObjects.RequireBpf();
        var name = $"bpfs{Environment.ProcessId % 100000}clk";
        var obj = CSharpStructOpsTests.CompileCSharp(name, link: true, "clilink");

        var refused = Bpfsharp("struct_ops", "register", obj);
        Assert.Equal(BpfSharp.Cli.ExitCodes.Usage, refused.ExitCode);
        Assert.Contains("struct_ops 'bpfsharp_cc' is in .struct_ops.link: it stays registered only while its link exists; give LINK_DIR to pin it", refused.Stderr);
        Assert.DoesNotContain(name, StructOpsTests.AvailableNames());

        var dir = Path.Combine("/sys/fs/bpf", $"bpfsharp_cli_so_{Environment.ProcessId}_{Guid.NewGuid().ToString("N")[..6]}");
        Directory.CreateDirectory(dir);
        var pin = Path.Combine(dir, "bpfsharp_cc");
        try
        {
            var id = RegisteredId(Bpfsharp("struct_ops", "register", obj, dir), "bpfsharp");
            Assert.Contains(name, StructOpsTests.AvailableNames());
            AssertShownAlike(id);
            using var json = JsonDocument.Parse(Bpftool("-j", "link", "show", "pinned", pin).Stdout);
            output.WriteLine(json.RootElement.ToString());
            Assert.Equal("struct_ops", json.RootElement.GetProperty("type").GetString());
            // Removing the pin drops the link's last reference; the kernel releases it from deferred work.
            File.Delete(pin);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (StructOpsTests.AvailableNames().Contains(name) && DateTime.UtcNow < deadline) Thread.Sleep(50);
            Assert.DoesNotContain(name, StructOpsTests.AvailableNames());
            KernelObjects.AssertGone("map", id);
        }
        finally
        {
            if (File.Exists(pin)) File.Delete(pin);
            Directory.Delete(dir);
        }
    }
}
