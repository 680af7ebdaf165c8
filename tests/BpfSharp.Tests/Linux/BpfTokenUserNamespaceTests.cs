using System.Text.RegularExpressions;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Loading;
using BpfSharp.Tests.Runtime;

namespace BpfSharp.Tests.Linux;

/// <summary>
/// A BPF token where it means something: inside a new user namespace (root there, nobody in the initial one) with a
/// bpffs whose delegation the privileged parent set (native/token_userns.c, the kernel selftests' sequence). The
/// <c>bpfsharp</c> CLI runs there with <c>LIBBPF_BPF_TOKEN_PATH</c> under strace: BTF, maps and the XDP program are
/// created with the token (<c>BPF_F_TOKEN_FD</c>), and the program answers <c>BPF_PROG_TEST_RUN</c>. The same load
/// without the token, or with a token whose bpffs does not delegate XDP programs, is refused with EPERM: it is the
/// token, and the delegation it carries, that the kernel checks. libbpf cannot be compared here: the installed
/// libbpf (1.1) predates tokens (<c>bpf_token_create</c> arrived in 1.4).
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed partial class BpfTokenUserNamespaceTests(ITestOutputHelper output)
{
    /// <summary><c>BPF_F_TOKEN_FD</c> in map_flags, prog_flags and btf_flags.</summary>
    private const uint TokenFdFlag = 1u << 16;
    private const int Refused = 77;
    private const int XdpPass = 2, XdpTx = 3;

    [Fact]
    public void LoaderInAUserNamespaceCreatesBtfMapsAndProgramWithTheTokenAndRunsIt()
    {
        KernelObjects.RequireBpf();
        using var box = new Scratch();
        var marked = box.File("marked.bin", [0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
        var plain = box.File("plain.bin", [0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
        var trace = Path.Combine(box.Directory, "trace.txt");
        var script = $"""
            set -e
            echo "without: $({Cli} prog loadall {Obj} {box.MountPoint}/without 2>&1 || true)"
            export LIBBPF_BPF_TOKEN_PATH={box.MountPoint}
            strace -f -e trace=bpf -s 64 -o {trace} {Cli} prog loadall {Obj} {box.MountPoint}/progs --pinmaps {box.MountPoint}/maps
            {Cli} -j prog run pinned {box.MountPoint}/progs/token_xdp data_in {marked}
            echo
            {Cli} -j prog run pinned {box.MountPoint}/progs/token_xdp data_in {plain} repeat 3
            """;
        var run = InUserNamespace(box, [], script);
        output.WriteLine(run.StdoutText);
        output.WriteLine(run.Stderr);
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Stderr}");

        // Without the token: refused at the first object that needs a privilege (BTF is optional; the map is not).
        var without = run.StdoutText.Split('\n').Single(l => l.StartsWith("without:", StringComparison.Ordinal));
        Assert.Contains("EPERM", without);

        // With it: every creating call carried the token and succeeded. In this user namespace each of them needs
        // the token (BTF and maps: CAP_BPF; XDP: CAP_NET_ADMIN too), including the loader's BTF feature probes.
        // strace 6.1 decodes map_flags and prog_flags but not btf_flags, so for BTF the success is the proof.
        var calls = File.ReadAllLines(trace).Select(l => BpfCall().Match(l)).Where(m => m.Success).ToList();
        foreach (var c in calls) output.WriteLine($"{c.Groups["cmd"].Value} = {c.Groups["result"].Value}");
        var btf = calls.Where(c => c.Groups["cmd"].Value == "BPF_BTF_LOAD").ToList();
        var maps = calls.Where(c => c.Groups["cmd"].Value == "BPF_MAP_CREATE").ToList();
        // (The other program loads are the process's memlock probe, made before any token exists: refused here.)
        var progs = calls.Where(c => c.Groups["cmd"].Value == "BPF_PROG_LOAD" && c.Groups["attrs"].Value.Contains("prog_name=\"token_xdp\"", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(btf);
        Assert.True(maps.Count >= 2, "expected the hits map and .rodata");
        var prog = Assert.Single(progs);
        foreach (var c in btf.Concat(maps).Concat(progs))
        {
            Assert.Matches(@"^\d+$", c.Groups["result"].Value.Trim());
            var flags = Flags(c.Groups["attrs"].Value, c.Groups["cmd"].Value switch { "BPF_MAP_CREATE" => "map_flags", "BPF_PROG_LOAD" => "prog_flags", _ => "btf_flags" });
            Assert.True(flags is null || (flags & TokenFdFlag) != 0, $"{c.Value}: no BPF_F_TOKEN_FD");
        }
        // The map and program flags are decoded by every strace; they say the token went with the request.
        Assert.All(maps.Concat(progs), c => Assert.NotNull(Flags(c.Groups["attrs"].Value, c.Groups["cmd"].Value == "BPF_MAP_CREATE" ? "map_flags" : "prog_flags")));
        // The BTF features were probed with the token too: the program keeps its func_info.
        Assert.Contains("func_info_cnt=1", prog.Groups["attrs"].Value);

        // The program runs, and reads the marker from its .rodata map: XDP_TX only for the marked packet. (Its
        // counters cannot be dumped from in there: the map's BTF is fetched by id, which needs CAP_SYS_ADMIN in the
        // initial user namespace, with bpftool too.)
        var json = run.StdoutText.Split('\n').Where(l => l.StartsWith('{')).ToArray();
        Assert.Equal(2, json.Length);
        Assert.Equal(XdpTx, System.Text.Json.JsonDocument.Parse(json[0]).RootElement.GetProperty("retval").GetInt32());
        Assert.Equal(XdpPass, System.Text.Json.JsonDocument.Parse(json[1]).RootElement.GetProperty("retval").GetInt32());
        output.WriteLine(LibbpfTokenSupport());
    }

    [Fact]
    public void TokenWhoseBpffsDelegatesNoXdpProgramsCannotLoadOne()
    {
        KernelObjects.RequireBpf();
        using var box = new Scratch();
        // delegate_progs=0x2: socket filters (type 1) only.
        var run = InUserNamespace(box, ["-p", "0x2"],
            $"LIBBPF_BPF_TOKEN_PATH={box.MountPoint} {Cli} prog loadall {Obj} {box.MountPoint}/progs");
        output.WriteLine(run.StdoutText + run.Stderr);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("token_xdp", run.Stderr);
        Assert.Contains("EPERM", run.Stderr);
    }

    private static string Cli => $"dotnet {Path.Combine(AppContext.BaseDirectory, "bpfsharp.dll")}";

    private static string Obj => LoaderObjects.Compile(Path.Combine(TestPaths.TestData, "linux", "token_xdp.c"), mustCompile: true)!;

    private static ToolResult InUserNamespace(Scratch box, string[] masks, string script)
    {
        var run = ExternalTool.Run(Harness, [.. masks, box.MountPoint, "sh", "-c", script]);
        if (run.ExitCode == Refused && run.Stderr.Contains("refused:", StringComparison.Ordinal))
            Assert.Skip($"the kernel refused a step of the user namespace setup: {run.Stderr.Trim()}");
        return run;
    }

    /// <summary>A flags field as strace decoded it (a number or names with a hex rest), or null when absent.</summary>
    private static uint? Flags(string attrs, string field)
    {
        var m = Regex.Match(attrs, field + @"=(?<v>[^,}]*)");
        if (!m.Success) return null;
        uint value = 0;
        foreach (var part in m.Groups["v"].Value.Split('|'))
        {
            var p = part.Trim().Split(' ')[0]; // "0x10000 /* BPF_F_??? */"
            if (p.StartsWith("0x", StringComparison.Ordinal)) value |= Convert.ToUInt32(p[2..], 16);
            else if (uint.TryParse(p, out var n)) value |= n;
        }
        return value;
    }

    private static string LibbpfTokenSupport()
    {
        var library = Path.Combine(ExternalTool.MultiarchIncludeDirectory.Replace("/usr/include/", "/usr/lib/", StringComparison.Ordinal), "libbpf.a");
        var symbols = ExternalTool.Run("nm", ["-g", library]);
        return symbols.StdoutText.Contains(" bpf_token_create", StringComparison.Ordinal)
            ? "the installed libbpf has bpf_token_create"
            : "no libbpf comparison: the installed libbpf.a has no bpf_token_create (tokens arrived in libbpf 1.4)";
    }

    [GeneratedRegex(@"bpf\((?<cmd>BPF_[A-Z_]+), \{(?<attrs>.*)\}, \d+\) = (?<result>.*)$")]
    private static partial Regex BpfCall();

    private static string Harness => NativeHarness.Get("token_userns", linkLibbpf: false);

    /// <summary>A scratch directory with the mount point the harness mounts the bpffs on (only in its own namespace).</summary>
    private sealed class Scratch : IDisposable
    {
        public Scratch()
        {
            Directory = TestPaths.NewScratchDirectory("token_ns");
            MountPoint = Path.Combine(Directory, "bpffs");
            System.IO.Directory.CreateDirectory(MountPoint);
        }

        public string Directory { get; }

        public string MountPoint { get; }

        public string File(string name, byte[] bytes)
        {
            var path = Path.Combine(Directory, name);
            System.IO.File.WriteAllBytes(path, bytes);
            return path;
        }

        // The bpffs and all pinned there went away with the namespace; what is left is plain files.
        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }
}
