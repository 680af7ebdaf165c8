using System.Diagnostics;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Runtime;

namespace BpfSharp.Tests.Tools;

/// <summary>
/// examples/tools/offcputime (C# both halves: tp_btf/sched_switch, stacks from a stack trace map sized by user
/// space, frames named by BpfSharp.Linux.Symbols) against its C twin (clang + libbpf,
/// examples/tools/include/trace_symbols.h). Both follow one process this test controls (testdata/tools/doze.c), which
/// once both are attached sleeps 20 times 20 ms in clock_nanosleep. Both must print that stack with the same
/// symbolised kernel and user frames (the first kernel frame is each tool's own BPF program, named by its tag, so
/// bpf_prog_ frames are left out of the comparison) and the same off-CPU total to within 5 ms (or 2 %), which is about the
/// 400 ms the process slept (at least 380 ms). The user stack reads clock_nanosleep, doze, main: libc's clock_nanosleep keeps no
/// frame pointer, so the kernel's frame-pointer walk goes on from doze_once's frame and doze_once itself is not seen.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class OffCpuTimeTwinTests(ITestOutputHelper output)
{
    [Fact]
    public void SameOffCpuStacksAsTheCTwin()
    {
        KernelObjects.RequireBpf();
        ToolTwins.BuildCTwin("offcputime");
        var doze = ToolTestKit.BuildC("doze.c", "doze", "-fno-omit-frame-pointer");
        // Both follow all the sleeps and print on Ctrl-C, while doze waits for its stdin to close.
        var (pid, ourLines, theirLines) = ToolTwins.RunAroundWorkload("offcputime", doze, ["20", "20"], ["-p", "{pid}"], output);

        Assert.Equal($"Tracing off-CPU time (us) of PID {pid} by user + kernel stack... Hit Ctrl-C to end.", ourLines[0]);
        Assert.Equal(theirLines[0], ourLines[0]);
        var ourSleep = Blocks(ourLines, pid).Single(b => b.Frames.Contains("do_nanosleep"));
        var theirSleep = Blocks(theirLines, pid).Single(b => b.Frames.Contains("do_nanosleep"));
        Assert.Equal(theirSleep.Frames, ourSleep.Frames);
        var userFrames = ourSleep.Frames.SkipWhile(f => f != "clock_nanosleep").ToList();
        Assert.Equal(["clock_nanosleep", "doze", "main"], userFrames.Take(3));
        Assert.Contains("do_nanosleep", ourSleep.Frames);
        // Each sleep is off CPU for its 20 ms less the few microseconds between the syscall's entry and the switch.
        Assert.True(ourSleep.Microseconds >= 20 * 19_000, $"only {ourSleep.Microseconds} us off CPU for 400 ms of sleep");
        // The two programs read the clock moments apart at each switch; a virtual CPU stalled between them on a
        // busy host can add a little, so allow 5 ms (or 2 %) over 20 switches.
        Assert.True(Math.Abs(ourSleep.Microseconds - theirSleep.Microseconds) <= Math.Max(5000, ourSleep.Microseconds / 50),
            $"{ourSleep.Microseconds} us off CPU against the twin's {theirSleep.Microseconds}");
    }

    /// <summary>The process's blocks: frames (bpf_prog_ frames left out), "    -  comm (pid)", microseconds.</summary>
    private static List<(List<string> Frames, long Microseconds)> Blocks(IReadOnlyList<string> lines, int pid)
    {
        var result = new List<(List<string>, long)>();
        var frames = new List<string>();
        for (var i = 1; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.Length == 0) { frames.Clear(); continue; }
            if (line.StartsWith("    -  ", StringComparison.Ordinal))
            {
                if (line.EndsWith($"({pid})") && i + 1 < lines.Count && long.TryParse(lines[i + 1].Trim(), out var us))
                    result.Add((frames.ToList(), us));
                frames.Clear();
                i++;
                continue;
            }
            var frame = line.Trim();
            if (!frame.StartsWith("bpf_prog_", StringComparison.Ordinal)) frames.Add(frame);
        }
        return result;
    }
}
