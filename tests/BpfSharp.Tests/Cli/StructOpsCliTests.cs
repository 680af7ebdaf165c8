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
