using System.Diagnostics;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Runtime;

namespace BpfSharp.Tests.Tools;

/// <summary>
/// examples/tools/profile (C# both halves: perf_event program on the cpu-clock event of every CPU, stacks from a
/// stack trace map sized by user space, frames named by BpfSharp.Linux.Symbols) against its C twin (clang + libbpf,
/// examples/tools/include/trace_symbols.h). Both sample one process this test controls (testdata/tools/spin.c, built
/// with frame pointers), which burns 3 s of CPU in hot_loop once both are attached. In both outputs, folded (-f)
/// and bcc's multi-line default, the process's hottest stack must be the same symbolised frames, ending in
/// main → spin_for → hot_loop, and the sample counts of the two independent samplers must be within a third of each other.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class ProfileTwinTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SameHotStackAsTheCTwin(bool folded)
    {
        KernelObjects.RequireBpf();
        ToolTwins.BuildCTwin("profile");
        var spin = ToolTestKit.BuildC("spin.c", "spin", "-fno-omit-frame-pointer");
        List<string> args = ["-p", "{pid}", "-F", "99"];
        if (folded) args.Add("-f");
        // Both sample the whole spin and print on Ctrl-C, while spin waits for its stdin to close.
        var (pid, ourLines, theirLines) = ToolTwins.RunAroundWorkload("profile", spin, ["3000"], args, output);

        Assert.Equal($"Sampling at 99 Hertz of PID [{pid}] by user + kernel... Hit Ctrl-C to end.", ourLines[0]);
        Assert.Equal(theirLines[0], ourLines[0]);
        var ourStacks = folded ? Folded(ourLines) : MultiLine(ourLines, pid);
        var theirStacks = folded ? Folded(theirLines) : MultiLine(theirLines, pid);
        var ourHottest = ourStacks.MaxBy(s => s.Value);
        var theirHottest = theirStacks.MaxBy(s => s.Value);
        Assert.Equal(theirHottest.Key, ourHottest.Key);
        // Outermost first when folded (after the comm), innermost first in the multi-line blocks.
        Assert.Contains(folded ? ";main;spin_for;hot_loop" : "hot_loop;spin_for;main", ourHottest.Key);
        if (folded) Assert.StartsWith("spin;", ourHottest.Key);
        // 3 s at 99 Hz is about 300 samples each on an idle machine, fewer when spin shares its CPU (the
        // cpu-clock event counts the time it runs); the two samplers see the same running time independently.
        var ourTotal = ourStacks.Values.Sum();
        var theirTotal = theirStacks.Values.Sum();
        Assert.True(ourTotal >= 20 && theirTotal >= 20, $"too few samples: {ourTotal} and {theirTotal}");
        Assert.True(Math.Abs(ourTotal - theirTotal) <= Math.Max(ourTotal, theirTotal) / 3, $"{ourTotal} samples against the twin's {theirTotal}");
        Assert.True(ourHottest.Value * 2 > ourTotal, $"the hottest stack has {ourHottest.Value} of {ourTotal} samples");
    }

    /// <summary>Folded lines "comm;outer;...;inner count", summed by stack (stacks differing only in addresses print alike).</summary>
    private static Dictionary<string, long> Folded(IReadOnlyList<string> lines)
    {
        var result = new Dictionary<string, long>();
        foreach (var line in lines.Skip(1))
        {
            var space = line.LastIndexOf(' ');
            if (space <= 0 || !long.TryParse(line[(space + 1)..], out var count)) continue;
            result[line[..space]] = result.GetValueOrDefault(line[..space]) + count;
        }
        return result;
    }

    /// <summary>bcc's multi-line blocks of the process (frames, "    -  comm (pid)", count), by frames joined innermost first.</summary>
    private static Dictionary<string, long> MultiLine(IReadOnlyList<string> lines, int pid)
    {
        var result = new Dictionary<string, long>();
        var frames = new List<string>();
        for (var i = 1; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.Length == 0) { frames.Clear(); continue; }
            if (line.StartsWith("    -  ", StringComparison.Ordinal))
            {
                if (line.EndsWith($"({pid})") && i + 1 < lines.Count && long.TryParse(lines[i + 1].Trim(), out var count))
                {
                    var key = string.Join(';', frames);
                    result[key] = result.GetValueOrDefault(key) + count;
                }
                frames.Clear();
                i++;
                continue;
            }
            frames.Add(line.Trim());
        }
        return result;
    }
}
