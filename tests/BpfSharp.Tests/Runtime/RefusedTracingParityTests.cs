using System.Diagnostics;
using System.Text.RegularExpressions;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Loading;

namespace BpfSharp.Tests.Runtime;

/// <summary>
/// For the tracing programs this kernel refuses even to libbpf (fentry, fexit, fmod_ret, lsm: EPERM at
/// <c>BPF_PROG_LOAD</c>), the proof that we would load them as libbpf does: <c>bpftool prog loadall</c> and
/// <c>bpfsharp prog loadall</c> run on the same object under <c>strace -e trace=bpf</c>, and the decoded
/// <c>BPF_PROG_LOAD</c> attributes of the program are compared field by field. Where the kernel accepts the
/// program, the test says so and checks that both loaded it.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed partial class RefusedTracingParityTests(ITestOutputHelper output)
{
    // The attributes that decide what the kernel is asked for; pointers, fds and log settings differ by process.
    private static readonly string[] Compared =
    [
        "prog_type", "insn_cnt", "license", "kern_version", "prog_flags", "prog_name", "expected_attach_type",
        "func_info_rec_size", "func_info_cnt", "line_info_rec_size", "line_info_cnt", "attach_btf_id", "attach_prog_fd",
    ];

    [Theory]
    [InlineData("fentry", "on_unlink", "BPF_PROG_TYPE_TRACING", "BPF_TRACE_FENTRY")]
    [InlineData("fentry_sleepable", "on_unlink_s", "BPF_PROG_TYPE_TRACING", "BPF_TRACE_FENTRY")]
    [InlineData("fexit", "after_unlink", "BPF_PROG_TYPE_TRACING", "BPF_TRACE_FEXIT")]
    [InlineData("fmod_ret", "modify", "BPF_PROG_TYPE_TRACING", "BPF_MODIFY_RETURN")]
    [InlineData("lsm", "check_open", "BPF_PROG_TYPE_LSM", "BPF_LSM_MAC")]
    public void ProgramLoadRequestMatchesLibbpf(string source, string program, string progType, string attachType)
    {
        KernelObjects.RequireBpf();
        var obj = LoaderObjects.Compile(Path.Combine(TestPaths.TestData, "runtime", "refused", source + ".c"), mustCompile: true)!;
        var theirs = FirstLoad(Traced("bpftool", ["prog", "loadall", obj, PinDir("bpftool")]), program);
        var ours = FirstLoad(Traced("dotnet", [Path.Combine(AppContext.BaseDirectory, "bpfsharp.dll"), "prog", "loadall", obj, PinDir("ours")]), program);

        Assert.Equal(progType, theirs.Fields["prog_type"]);
        Assert.Equal(attachType, theirs.Fields["expected_attach_type"]);
        Assert.NotEqual("0", theirs.Fields["attach_btf_id"]);
        foreach (var field in Compared)
            Assert.True(theirs.Fields.GetValueOrDefault(field) == ours.Fields.GetValueOrDefault(field),
                $"{field}: libbpf {theirs.Fields.GetValueOrDefault(field)}, ours {ours.Fields.GetValueOrDefault(field)}");
        Assert.Equal(theirs.Result, ours.Result);
        output.WriteLine($"{source}: BPF_PROG_LOAD {string.Join(", ", Compared.Select(f => $"{f}={ours.Fields.GetValueOrDefault(f)}"))} = {ours.Result} with both loaders");
        if (ours.Result.Contains("EPERM", StringComparison.Ordinal))
            output.WriteLine($"{source}: the kernel refuses this program type to libbpf too (EPERM), so the attach step is not exercised");
    }

    private string PinDir(string who) => $"/sys/fs/bpf/bpfsharp_h5_refused_{who}_{Environment.ProcessId}_{Guid.NewGuid():N}"[..60];

    private sealed record Load(Dictionary<string, string> Fields, string Result);

    /// <summary>Runs a loader under strace and returns strace's decoded bpf() lines; removes whatever it pinned.</summary>
    private static string[] Traced(string tool, string[] args)
    {
        var pinDir = args[^1];
        var trace = Path.Combine(TestPaths.NewScratchDirectory("strace"), "trace.txt");
        try
        {
            var psi = new ProcessStartInfo("strace") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-f", "-e", "trace=bpf", "-s", "64", "-o", trace, tool }.Concat(args)) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            _ = err.Result;
            Assert.True(File.Exists(trace), $"strace wrote no trace for {tool}: {err.Result}");
            return File.ReadAllLines(trace);
        }
        finally
        {
            if (Directory.Exists(pinDir)) Directory.Delete(pinDir, recursive: true);
            Directory.Delete(Path.GetDirectoryName(trace)!, recursive: true);
        }
    }

    private static Load FirstLoad(string[] trace, string program)
    {
        foreach (var line in trace)
        {
            var m = ProgLoadLine().Match(line);
            if (!m.Success) continue;
            var fields = Field().Matches(m.Groups["attrs"].Value).ToDictionary(f => f.Groups["key"].Value, f => f.Groups["value"].Value.Trim());
            if (fields.GetValueOrDefault("prog_name") != $"\"{program}\"") continue;
            return new Load(fields, m.Groups["result"].Value.Trim());
        }
        Assert.Fail($"no BPF_PROG_LOAD of '{program}' in the trace:\n{string.Join('\n', trace.Where(l => l.Contains("PROG_LOAD", StringComparison.Ordinal)))}");
        throw new UnreachableException();
    }

    [GeneratedRegex(@"bpf\(BPF_PROG_LOAD, \{(?<attrs>.*)\}, \d+\) = (?<result>.*)$")]
    private static partial Regex ProgLoadLine();

    // key=value up to the next ", key=" (values may hold commas: KERNEL_VERSION(6, 18, 44)).
    [GeneratedRegex(@"(?<key>[a-z_]+)=(?<value>.*?)(?=, [a-z_]+=|$)")]
    private static partial Regex Field();
}
