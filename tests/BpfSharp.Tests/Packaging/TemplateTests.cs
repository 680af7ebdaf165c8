using System.Diagnostics;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Packaging;

/// <summary>
/// The path a new user takes, from packages only: <c>dotnet new</c> from the template package, <c>dotnet build</c>
/// with the folder feed, run as root with a real trigger (an exec by another user; packets on a veth pair in a
/// namespace the test makes), a NativeAOT publish run the same way, and the one-line errors without privileges,
/// without kernel BTF and with an interface that does not exist.
/// </summary>
[Collection(PackageFeedCollection.Name)]
public sealed class TemplateTests(PackageFeed feed)
{
    private const string NobodyUid = "65534";

    private string NewProject(string template, string name)
    {
        feed.EnsurePacked();
        var dir = Path.Combine(feed.Workspace, name);
        var created = feed.Dotnet(feed.Workspace, "new", template, "-o", name);
        Assert.True(created.Code == 0, created.Output);
        var project = File.ReadAllText(Path.Combine(dir, name + ".csproj"));
        Assert.Contains($"<PackageReference Include=\"BpfSharp\" Version=\"{PackageFeed.Version}\" />", project);
        Assert.DoesNotContain("ProjectReference", project);
        Assert.DoesNotContain("AllowUnsafeBlocks", project);   // the package turns it on
        return dir;
    }

    private void Build(string dir)
    {
        var build = feed.Dotnet(dir, "build", "-c", "Release");
        Assert.True(build.Code == 0, build.Output);
        Assert.DoesNotContain(": warning ", build.Stdout);
    }

    /// <summary>Runs <paramref name="file"/> and fires <paramref name="trigger"/> every 300 ms until it exits.</summary>
    private static ProcessResult RunWhileTriggering(string file, string[] args, Action trigger, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow + timeout;
        while (!p.WaitForExit(300))
        {
            if (DateTime.UtcNow > deadline)
            {
                p.Kill(entireProcessTree: true);
                Assert.Fail($"{file} did not exit within {timeout}: {stdout.Result}{stderr.Result}");
            }
            trigger();
        }
        return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    private static void ExecAsNobody() => ExternalTool.Run("runuser", ["-u", "nobody", "--", "/bin/true"]);

    private static void AssertTracedNobodysExec(ProcessResult run)
    {
        Assert.True(run.Code == 0, run.Output);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("TIME", lines[0]);
        var events = lines.Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.NotEmpty(events);
        // TIME PID PPID UID COMM FILENAME: the .rodata filter let only nobody's execs through.
        Assert.All(events, e => Assert.Equal(NobodyUid, e[3]));
        Assert.Contains(events, e => e[^1] is "/bin/true" or "/usr/bin/true");
    }

    [Fact]
    public void TraceTemplateBuildsFromPackagesAndTracesAnExec()
    {
        KernelObjects.RequireBpf();
        var dir = NewProject("bpfsharp-trace", "ExecTrace");
        Build(dir);
        var dll = Path.Combine(dir, "bin", "Release", "net10.0", "ExecTrace.dll");
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(dll)!, "*.bpf.o"));   // the object is inside the assembly

        var run = RunWhileTriggering("dotnet", [dll, "--uid", NobodyUid, "--count", "2", "--duration", "60"], ExecAsNobody, TimeSpan.FromSeconds(90));

        AssertTracedNobodysExec(run);
    }

    [Fact]
    public void XdpTemplateCountsPacketsOnAVethPair()
    {
        KernelObjects.RequireBpf();
        var dir = NewProject("bpfsharp-xdp", "PacketCount");
        Build(dir);
        var dll = Path.Combine(dir, "bin", "Release", "net10.0", "PacketCount.dll");

        var tag = Guid.NewGuid().ToString("N")[..6];
        string ns = "bpfsx" + tag, host = "bpfsh" + tag, peer = "bpfsp" + tag;
        var subnet = $"10.251.{Random.Shared.Next(1, 250)}";
        try
        {
            ExternalTool.RunChecked("ip", "netns", "add", ns);
            ExternalTool.RunChecked("ip", "link", "add", host, "type", "veth", "peer", "name", peer, "netns", ns);
            ExternalTool.RunChecked("ip", "addr", "add", subnet + ".1/24", "dev", host);
            ExternalTool.RunChecked("ip", "link", "set", host, "up");
            ExternalTool.RunChecked("ip", "-n", ns, "addr", "add", subnet + ".2/24", "dev", peer);
            ExternalTool.RunChecked("ip", "-n", ns, "link", "set", peer, "up");

            var run = RunWhileTriggering("dotnet", [dll, host, "--duration", "4", "--interval", "1"],
                // Five datagrams a trigger: one trigger after the attach is enough however slowly a loaded machine
                // runs them (the counter needs three).
                () => ExternalTool.Run("ip", ["netns", "exec", ns, "bash", "-c", $"for i in 1 2 3 4 5; do echo packet > /dev/udp/{subnet}.1/9; done"]),
                TimeSpan.FromSeconds(60));

            Assert.True(run.Code == 0, run.Output);
            var last = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
            var ipv4 = System.Text.RegularExpressions.Regex.Match(last, @"IPv4 (\d+) pkts (\d+) B");
            Assert.True(ipv4.Success, run.Stdout);
            Assert.True(long.Parse(ipv4.Groups[1].Value) >= 3, run.Stdout);
            Assert.True(long.Parse(ipv4.Groups[2].Value) >= 3 * 42, run.Stdout);   // each UDP packet is at least 42 bytes on the wire
        }
        finally
        {
            ExternalTool.Run("ip", ["link", "del", host]);
            ExternalTool.Run("ip", ["netns", "del", ns]);
        }

        var missing = feed.Run(dir, TimeSpan.FromMinutes(1), "dotnet", dll, "bpfsnosuch0");
        AssertOneClearLine(missing, "no network interface 'bpfsnosuch0'");
    }

    [Fact]
    public void TraceTemplatePublishedWithNativeAotRunsAndFailsClearly()
    {
        KernelObjects.RequireBpf();
        var dir = NewProject("bpfsharp-trace", "AotTrace");
        var output = Path.Combine(dir, "native");
        var publish = feed.Dotnet(dir, "publish", "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", output);
        Assert.True(publish.Code == 0, publish.Output);
        Assert.DoesNotContain(": warning ", publish.Stdout);     // no trimming or AOT warnings (IL3000 and friends)
        var exe = Path.Combine(output, "AotTrace");
        Assert.Equal(["AotTrace", "AotTrace.dbg"], Directory.GetFiles(output).Select(Path.GetFileName).Order());
        Assert.Equal("\u007fELF"u8.ToArray(), File.ReadAllBytes(exe)[..4]);

        AssertTracedNobodysExec(RunWhileTriggering(exe, ["--uid", NobodyUid, "--count", "2", "--duration", "60"], ExecAsNobody, TimeSpan.FromSeconds(60)));

        // As a user without privileges, and on a kernel without BTF (hidden in a private mount namespace).
        AssertOneClearLine(feed.Run(dir, TimeSpan.FromMinutes(1), "runuser", "-u", "nobody", "--", exe, "--duration", "1"),
            "needs root, or CAP_BPF and CAP_PERFMON");
        AssertOneClearLine(feed.Run(dir, TimeSpan.FromMinutes(1), "unshare", "-m", "sh", "-c", $"mount -t tmpfs none /sys/kernel/btf && exec '{exe}' --duration 1"),
            "/sys/kernel/btf/vmlinux is missing");
    }

    [Fact]
    public void ATransitiveReferenceThroughALibraryStillCompilesEmbedsAndGenerates()
    {
        var dir = NewProject("bpfsharp-trace", "ThroughLibrary");
        var library = Path.Combine(feed.Workspace, "SharedLibrary");
        Directory.CreateDirectory(library);
        File.WriteAllText(Path.Combine(library, "SharedLibrary.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
              <ItemGroup><PackageReference Include="BpfSharp" Version="{PackageFeed.Version}" /></ItemGroup>
            </Project>
            """);
        var csproj = Path.Combine(dir, "ThroughLibrary.csproj");
        File.WriteAllText(csproj, File.ReadAllText(csproj).Replace(
            $"<PackageReference Include=\"BpfSharp\" Version=\"{PackageFeed.Version}\" />",
            "<ProjectReference Include=\"../SharedLibrary/SharedLibrary.csproj\" />"));

        // Program.cs uses the generated ProbesSkeleton: the build fails unless the generator reached this project.
        Build(dir);

        var dll = Path.Combine(dir, "bin", "Release", "net10.0", "ThroughLibrary.dll");
        var embedded = CompilerIntegration.MsBuildTargetTests.ReadResource(dll, BpfSharp.Linux.Loading.BpfObject.EmbeddedResourceName);
        Assert.NotNull(embedded);
        Assert.Contains(BpfSharp.Objects.ObjectSpec.Read(embedded, "embedded").Programs, p => p.Name == "OnExec");
        Assert.Null(CompilerIntegration.MsBuildTargetTests.ReadResource(Path.Combine(library, "bin", "Release", "net10.0", "SharedLibrary.dll"), BpfSharp.Linux.Loading.BpfObject.EmbeddedResourceName));
    }

    /// <summary>
    /// What the tools are built from, reached through the packages alone: a BPF program with a span over a map
    /// value's fixed buffer and a "…"u8 literal passed to bpf_strncmp (compiled by the package's build step), the
    /// generated skeleton's typed map, BPF_PROG_TEST_RUN, and the tools kit's comma-list parser. The program counts
    /// the map slots that hold "bpfsharp"; user space fills the slots the command line names.
    /// </summary>
    [Fact]
    public void SpansLiteralsAndTheToolsKitWorkFromPackages()
    {
        KernelObjects.RequireBpf();
        var dir = NewProject("bpfsharp-xdp", "WordMatch");
        File.WriteAllText(Path.Combine(dir, "Probes.cs"), """
            using System;
            using BpfSharp.Kernel;

            [assembly: License("GPL")]

            namespace WordMatch;

            public unsafe struct Word
            {
                public fixed byte Bytes[16];
            }

            [Relocatable("task_struct")]
            public struct TaskStruct
            {
                public int tgid;
            }

            public static unsafe class Probes
            {
                static readonly ArrayMap<Word> Words = new(maxEntries: 4);
                static int LookupPid;           // set by user space: no CS0649 (the package suppresses it)
                static int FoundTgid;

                [Kfunc("bpf_task_from_pid")] static extern TaskStruct* TaskFromPid(int pid);
                [Kfunc("bpf_task_release")] static extern void TaskRelease(TaskStruct* task);

                // A kernel function call and a read through the trusted pointer it returns.
                [SyscallProgram]
                public static int FindTask(void* ctx)
                {
                    TaskStruct* task = TaskFromPid(LookupPid);
                    if (task == null)
                        return 1;
                    FoundTgid = task->tgid;
                    TaskRelease(task);
                    return 0;
                }

                [Xdp]
                public static int CountMatches(XdpMd* ctx)
                {
                    int matches = 0;
                    for (uint slot = 0; slot < 4; slot++)
                    {
                        Word* word = Words.Lookup(slot);
                        if (word != null && Bpf.Strncmp(new ReadOnlySpan<byte>(word->Bytes, 16), "bpfsharp"u8) == 0)
                            matches++;
                    }
                    return matches;
                }
            }
            """);
        File.WriteAllText(Path.Combine(dir, "Program.cs"), """
            using System.Text;
            using BpfSharp.Linux.Tools;
            using WordMatch;

            return ToolMain.Run("WordMatch", () =>
            {
                var slots = new List<uint>();
                if (args.Length != 1 || !ToolArguments.TryParseList(args[0], slots) || slots.Any(s => s > 4))
                {
                    Console.Error.WriteLine("usage: WordMatch SLOT[,SLOT...] (1 to 4)");
                    return 2;
                }
                using var probes = ProbesSkeleton.OpenAndLoad();
                for (var slot = 1u; slot <= 4; slot++)
                {
                    var word = new Word();
                    var text = Encoding.ASCII.GetBytes(slots.Contains(slot) ? "bpfsharp" : "bpfsharq");
                    unsafe { text.CopyTo(new Span<byte>(word.Bytes, 16)); }
                    probes.Maps.Words.Update(slot - 1, word);
                }
                Console.WriteLine($"matches {probes.Programs.CountMatches.TestRun(new byte[64]).ReturnValue}");
                probes.Globals.LookupPid = Environment.ProcessId;
                var found = probes.Programs.FindTask.TestRun([]).ReturnValue;
                Console.WriteLine($"task {(found == 0 && probes.Globals.FoundTgid == Environment.ProcessId ? "found" : "missing")}");
                return 0;
            });
            """);
        Build(dir);
        var dll = Path.Combine(dir, "bin", "Release", "net10.0", "WordMatch.dll");

        foreach (var (list, expected) in new[] { ("2", 1), ("1,3,4", 3), ("4,3,2,1", 4) })
        {
            var run = feed.Run(dir, TimeSpan.FromMinutes(1), "dotnet", dll, list);
            Assert.True(run.Code == 0, run.Output);
            Assert.Equal($"matches {expected}\ntask found", run.Stdout.Trim());
        }
        var refused = feed.Run(dir, TimeSpan.FromMinutes(1), "dotnet", dll, "1,,2");
        Assert.Equal(2, refused.Code);
        Assert.StartsWith("usage: WordMatch", refused.Stderr);
    }

    private static void AssertOneClearLine(ProcessResult run, string expected)
    {
        Assert.Equal(1, run.Code);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line);
        Assert.DoesNotContain("   at ", run.Output);
        Assert.DoesNotContain("Exception", run.Output);
    }
}
