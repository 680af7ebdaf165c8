using System.Diagnostics;
using System.Text.RegularExpressions;
using BpfSharp.Linux;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.Loading;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Runtime;

/// <summary>
/// The inspection verbs of the bpfsharp CLI (prog, map and link show/dump/lookup/run/pin/detach, tracelog) run
/// as processes on the same kernel objects as bpftool 7.1, and their standard output compared byte for byte,
/// plain and <c>-j</c>/<c>-p</c>. Fields that move between two runs are masked: load times (two clock readings)
/// and test-run durations. Exit codes and error output are not compared (they are the CLI conventions' business).
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed partial class BpftoolParityTests : IDisposable
{
    private readonly List<string> _pins = [];
    private readonly List<IDisposable> _owned = [];

    /// <summary>The test object (testdata/inspect/inspect.c) compiled with this process's names, loaded by BpfSharp's loader.</summary>
    private sealed class Loaded(BpfCollection collection, string tag) : IDisposable
    {
        public BpfCollection Collection { get; } = collection;
        public string Tag { get; } = tag;
        public BpfMap Map(string name) => Collection.Maps[name + Tag];
        public BpfProgram Program(string name) => Collection.Programs[name + Tag];
        public void Dispose() => Collection.Dispose();
    }

    private Loaded Load()
    {
        KernelObjects.RequireBpf();
        var tag = (Environment.ProcessId % 100000).ToString();
        var dir = TestPaths.NewScratchDirectory("inspect");
        var output = Path.Combine(dir, "inspect.o");
        ExternalTool.RunChecked("clang-19", "-O2", "-g", "-target", "bpf", $"-I{ExternalTool.MultiarchIncludeDirectory}", $"-DTAG={tag}",
            "-c", Path.Combine(TestPaths.TestData, "inspect", "inspect.c"), "-o", output);
        var loaded = new Loaded(BpfCollection.Load(output), tag);
        _owned.Add(loaded);
        return loaded;
    }

    private string PinPath(string what)
    {
        var path = $"/sys/fs/bpf/h1_parity_{what}_{Environment.ProcessId}_{Guid.NewGuid():N}"[..60];
        _pins.Add(path);
        return path;
    }

    public void Dispose()
    {
        foreach (var pin in _pins) File.Delete(pin);
        for (var i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
    }

    private static (int Code, string Out, string Err) Ours(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "bpfsharp.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, err.Result);
    }

    private static string Theirs(params string[] args)
    {
        var result = ExternalTool.Run("bpftool", args);
        return result.StdoutText;
    }

    [GeneratedRegex(@"loaded_at [0-9T:+-]+")]
    private static partial Regex PlainLoadTime();

    [GeneratedRegex(@"""loaded_at"":\s*[0-9]+")]
    private static partial Regex JsonLoadTime();

    [GeneratedRegex(@"duration( \(average\))?: [0-9]+ns")]
    private static partial Regex PlainDuration();

    [GeneratedRegex(@"""duration"":\s*[0-9]+")]
    private static partial Regex JsonDuration();

    private static string Mask(string text)
    {
        text = PlainLoadTime().Replace(text, "loaded_at TIME");
        text = JsonLoadTime().Replace(text, "\"loaded_at\":TIME");
        text = PlainDuration().Replace(text, "duration$1: Nns");
        return JsonDuration().Replace(text, "\"duration\":N");
    }

    /// <summary>Runs both tools with the same words and asserts equal standard output (masked as described above).</summary>
    private static string Same(params string[] args)
    {
        var theirs = Mask(Theirs(args));
        var (code, ours, err) = Ours(args);
        Assert.True(theirs.Length > 0, $"bpftool printed nothing for: {string.Join(' ', args)}");
        Assert.True(theirs == Mask(ours), $"bpfsharp {string.Join(' ', args)} (exit {code}, stderr {err}):\n--- bpftool\n{theirs}\n--- bpfsharp\n{Mask(ours)}");
        return theirs;
    }

    private static void SameInEveryFormat(params string[] args)
    {
        Same(args);
        Same(["-j", .. args]);
        Same(["-p", .. args]);
    }

    private static string[] Hex(ReadOnlySpan<byte> bytes) => ["hex", .. bytes.ToArray().Select(b => b.ToString("x2"))];

    private static void Succeeds(params string[] args)
    {
        var (code, _, err) = Ours(args);
        Assert.True(code == 0, $"bpfsharp {string.Join(' ', args)} exited {code}: {err}");
    }

    [Fact]
    public void MapShowDumpLookupAndGetnextMatchBpftool()
    {
        using var o = Load();
        var flows = o.Map("h1_flows_");
        var percpu = o.Map("h1_percpu_");
        var array = o.Map("h1_array_");
        var ring = o.Map("h1_ring_");

        // Two hash entries with BTF struct keys and values: strings, bitfields, enums, pointers, arrays, bool, a union
        // (whose float member bpftool cannot print), a 128-bit integer.
        var value = new byte[flows.ValueSize];
        new Random(7).NextBytes(value);
        value[4] = (byte)'h'; value[5] = (byte)'1'; value[6] = 0;
        value.AsSpan(28, 4).Clear();
        value[28] = 1; // colour = RED (offset 28)
        var key1 = new byte[] { 1, 0, 0, 0, 2, 0, (byte)'A', (byte)'B', 0, 0, 0, 0 };
        var key2 = new byte[] { 9, 0, 0, 0, 80, 0, 0xff, 1, 2, 3, 4, 5 };
        // One entry written by each tool, through its own key/value grammar.
        Succeeds(["map", "update", "id", flows.Id.ToString(), "key", .. Hex(key1), "value", .. Hex(value)]);
        value[28] = 2; // colour = GREEN
        ExternalTool.RunChecked("bpftool", ["map", "update", "id", flows.Id.ToString(), "key", .. key2.Select(b => b.ToString()), "value", .. Hex(value)]);
        // Per-CPU: one value on the command line goes to every CPU.
        Succeeds("map", "update", "id", percpu.Id.ToString(), "key", "1", "0", "0", "0", "value", "0x11", "0", "0", "0", "0", "0", "0", "0x80");
        Succeeds("map", "update", "id", array.Id.ToString(), "key", "2", "0", "0", "0", "value", "hex", "ff", "ff", "ff", "7f", "exist");

        foreach (var map in new[] { flows, percpu, array, ring })
        {
            SameInEveryFormat("map", "show", "id", map.Id.ToString());
            if (map != ring) SameInEveryFormat("map", "dump", "id", map.Id.ToString());
        }
        var dump = Same("map", "dump", "id", flows.Id.ToString());
        Assert.Contains("\"tag\": \"AB\"", dump);
        Assert.Contains("\"colour\": \"RED\"", dump);
        Assert.Contains("\"colour\": \"GREEN\"", dump);
        Assert.Contains("\"values\"", Same("-j", "map", "dump", "id", percpu.Id.ToString()));
        // A ring buffer has no keys: both print the empty count (and fail).
        Same("map", "dump", "id", ring.Id.ToString());
        SameInEveryFormat("map", "show", "name", flows.Name!);
        SameInEveryFormat(["map", "lookup", "id", flows.Id.ToString(), "key", .. Hex(key2)]);
        SameInEveryFormat("map", "lookup", "id", percpu.Id.ToString(), "key", "1", "0", "0", "0");
        Same("map", "lookup", "id", array.Id.ToString(), "key", "9", "0", "0", "0");
        SameInEveryFormat("map", "getnext", "id", flows.Id.ToString());
        SameInEveryFormat("map", "getnext", "id", array.Id.ToString(), "key", "0", "0", "0", "0");

        // The values each tool wrote are what the kernel holds.
        Span<byte> read = stackalloc byte[flows.ValueBufferSize];
        Assert.True(flows.TryLookup(key1, read));
        Assert.Equal(1, read[28]);
        var perCpu = new byte[percpu.ValueBufferSize];
        Assert.True(percpu.TryLookup(BitConverter.GetBytes(1), perCpu));
        for (var cpu = 0; cpu < perCpu.Length / 8; cpu++) Assert.Equal(0x8000000000000011ul, BitConverter.ToUInt64(perCpu, cpu * 8));

        // delete: the entry goes, bpftool sees one entry left.
        Succeeds(["map", "delete", "id", flows.Id.ToString(), "key", .. Hex(key1)]);
        // (bpftool's JSON is not valid JSON here: it prints the float member as "(unsupported-kind"; so is ours.)
        var after = Theirs("map", "dump", "id", flows.Id.ToString());
        Assert.Contains("\"addr\": 9,", after);
        Assert.DoesNotContain("\"addr\": 1,", after);
        Assert.False(flows.TryLookup(key1, read));
    }

    [Fact]
    public void QueueVerbsPinAndFreezeMatchBpftool()
    {
        using var o = Load();
        var queue = o.Map("h1_queue_");
        var id = queue.Id.ToString();
        Succeeds("map", "push", "id", id, "value", "7", "0", "0", "0");
        Succeeds("map", "enqueue", "id", id, "value", "hex", "08", "00", "00", "00");
        SameInEveryFormat("map", "peek", "id", id);
        // pop removes: each tool pops one, and each sees what the other left.
        var (_, first, _) = Ours("-j", "map", "pop", "id", id);
        Assert.Contains("\"value\":[\"0x07\"", first);
        Assert.Contains("\"value\":[\"0x08\"", Theirs("-j", "map", "dequeue", "id", id));
        Same("map", "peek", "id", id);

        var pin = PinPath("queue");
        Succeeds("map", "pin", "id", id, pin);
        SameInEveryFormat("map", "show", "pinned", pin);
        Succeeds("map", "freeze", "pinned", pin);
        Assert.Contains("frozen", Same("map", "show", "pinned", pin));
        Assert.Contains("\"frozen\":1", Same("-j", "map", "show", "pinned", pin));
    }

    [Fact]
    public void ProgShowDumpPinAndRunMatchBpftool()
    {
        using var o = Load();
        var xdp = o.Program("h1x");
        var tc = o.Program("h1_long_program_name_");
        foreach (var program in new[] { xdp, tc })
        {
            var id = program.Id.ToString();
            SameInEveryFormat("prog", "show", "id", id);
            SameInEveryFormat("prog", "dump", "xlated", "id", id);
            SameInEveryFormat("prog", "dump", "xlated", "id", id, "linum");
            SameInEveryFormat("prog", "dump", "xlated", "id", id, "opcodes");
        }
        // The tc program's name is longer than the kernel keeps: both show and find it by its BTF name.
        var full = "h1_long_program_name_" + o.Tag;
        Assert.Contains($"name {full}", Same("prog", "show", "name", full));
        var tag = BpfSharp.Linux.Inspection.BpfProgramInfo.Read(xdp.FileDescriptor).Tag;
        SameInEveryFormat("prog", "show", "tag", tag);
        // Metadata variables of .rodata, line info interleaved with the kernel-syntax instructions, helper names.
        var dump = Same("prog", "dump", "xlated", "id", xdp.Id.ToString(), "linum");
        Assert.Contains("int h1x" + o.Tag + "(struct xdp_md * ctx):", dump);
        Assert.Contains("; __sync_fetch_and_add(slot, 1); [file:", dump);
        Assert.Contains("lock *(u32 *)(r0 +0) += r1", dump);
        Assert.Contains("owner = \"h1\"", Same("prog", "show", "id", xdp.Id.ToString()));

        var pin = PinPath("prog");
        Succeeds("prog", "pin", "id", xdp.Id.ToString(), pin);
        SameInEveryFormat("prog", "show", "pinned", pin);

        // prog run: data from a file, data out to a file and to stdout, repeat.
        var dir = TestPaths.NewScratchDirectory("prog-run");
        var input = Path.Combine(dir, "in.bin");
        var packet = new byte[64];
        new Random(3).NextBytes(packet);
        File.WriteAllBytes(input, packet);
        SameInEveryFormat("prog", "run", "id", xdp.Id.ToString(), "data_in", input, "data_out", "-");
        Same("prog", "run", "id", xdp.Id.ToString(), "data_in", input, "repeat", "5");
        var outFile = Path.Combine(dir, "out.bin");
        var (code, text, err) = Ours("prog", "run", "pinned", pin, "data_in", input, "data_out", outFile, "data_size_out", "128");
        Assert.True(code == 0, err);
        Assert.StartsWith("Return value: 2, duration: ", text);
        Assert.Equal(packet, File.ReadAllBytes(outFile));
    }

    [Fact]
    public void CSharpProgramXlatedDumpMatchesBpftool()
    {
        KernelObjects.RequireBpf();
        using var collection = BpfCollection.Load(global::BpfSharp.Objects.ObjectSpec.Load(BpfSharp.Tests.Compiler.CompiledTestPrograms.ObjectPath));
        // A program with BTF line info from C# sources: its xlated dump carries C# lines.
        var program = collection.Programs.Values.First(p => p.Type == BpfProgramType.Xdp);
        var dump = Same("prog", "dump", "xlated", "id", program.Id.ToString(), "linum");
        Assert.Contains(".cs line_num:", dump);
        Same("-j", "prog", "dump", "xlated", "id", program.Id.ToString());
        Same("prog", "show", "id", program.Id.ToString());
    }

    [Fact]
    public void LinkShowPinAndDetachMatchBpftool()
    {
        using var o = Load();
        using var rawTp = RawTracepointLink.Attach(o.Program("h1r"), "sys_enter");
        var linkId = rawTp.Id.ToString();
        SameInEveryFormat("link", "show", "id", linkId);
        var pin = PinPath("link");
        Succeeds("link", "pin", "id", linkId, pin);
        SameInEveryFormat("link", "show", "pinned", pin);

        using var veth = VethPair.Create();
        using (var xdp = XdpLink.Attach(o.Program("h1x"), veth.HostName))
        {
            SameInEveryFormat("link", "show", "id", xdp.Id.ToString());
            Succeeds("link", "detach", "id", xdp.Id.ToString());
            // Detached: the link stays (its fd is open) but no longer holds the interface.
            SameInEveryFormat("link", "show", "id", xdp.Id.ToString());
            // ... so the interface takes a new XDP link again.
            using var again = XdpLink.Attach(o.Program("h1x"), veth.HostName);
            Assert.NotEqual(xdp.Id, again.Id);
        }
        using var tcx = TcxLink.Attach(o.Program("h1_long_program_name_"), veth.HostName, ingress: true);
        // bpftool 7.1 predates tcx links: it prints the type as a number and nothing more. Everything else matches.
        var ours = Ours("link", "show", "id", tcx.Id.ToString()).Out;
        Assert.Equal($"{tcx.Id}: tcx  prog {tcx.ProgramId}  \n\tifindex {NetworkInterfaces.IndexOf(veth.HostName)}  attach_type tcx_ingress  \n", ours);
        Assert.Equal($"{tcx.Id}: type 11  prog {tcx.ProgramId}  \n", Theirs("link", "show", "id", tcx.Id.ToString()));
    }

    [Fact]
    public async Task TracelogStreamsBpfPrintkAndStopsOnSigterm()
    {
        using var o = Load();
        // tracefs is mounted by the command when needed: run it in a private mount namespace so the mount is never seen outside.
        var psi = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-m", "--propagation", "private", "dotnet", Path.Combine(AppContext.BaseDirectory, "bpfsharp.dll"), "-j", "prog", "tracelog" })
            psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var err = process.StandardError.ReadToEndAsync();
        try
        {
            var lines = new List<string>();
            var reader = Task.Run(() =>
            {
                var buffer = new char[1];
                var line = new System.Text.StringBuilder();
                while (process.StandardOutput.Read(buffer, 0, 1) == 1)
                {
                    line.Append(buffer[0]);
                    if (line.ToString().Contains("h1 tracelog 99", StringComparison.Ordinal)) return line.ToString();
                }
                return line.ToString();
            });
            var packet = new byte[99];
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!reader.IsCompleted && DateTime.UtcNow < deadline)
            {
                o.Program("h1_long_program_name_").TestRun(packet);
                await Task.WhenAny(reader, Task.Delay(200));
            }
            Assert.True(reader.IsCompleted, $"no bpf_printk line from tracelog within 20 s; stderr: {(process.HasExited ? await err : "")}");
            Assert.StartsWith("[\"", await reader);
            Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();
            using var timeout = new CancellationTokenSource(10000);
            await process.WaitForExitAsync(timeout.Token);
            var rest = await process.StandardOutput.ReadToEndAsync();
            Assert.Equal(0, process.ExitCode);
            // The JSON array is closed on exit.
            Assert.EndsWith("]\n", rest);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }
}
