using System.Diagnostics;
using System.Text.Json;
using BpfSharp.Linux;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Linux;

/// <summary>
/// Kernel-side helpers for runtime tests: the EPERM gate and bpftool's view of which BPF objects exist
/// (an independent oracle for "loaded" and "left nothing behind").
/// </summary>
internal static class KernelObjects
{
    /// <summary>Skips the test (saying why) when the kernel refuses BPF to this process; any other failure propagates.</summary>
    public static void RequireBpf()
    {
        try
        {
            using var probe = BpfMap.Create(BpfMapType.Array, 4, 4, 1);
        }
        catch (BpfSyscallException e) when (e.IsPermissionDenied)
        {
            Assert.Skip($"the kernel refuses bpf() to this process (EPERM: needs root or CAP_BPF): {e.Message}");
        }
    }

    /// <summary>Ids that <c>bpftool -j {prog|map|btf} show</c> lists right now.</summary>
    public static HashSet<int> Ids(string objectKind)
    {
        using var doc = JsonDocument.Parse(Bpftool("-j", objectKind, "show"));
        var ids = new HashSet<int>();
        foreach (var entry in doc.RootElement.EnumerateArray())
            ids.Add(entry.GetProperty("id").GetInt32());
        return ids;
    }

    /// <summary>
    /// Waits until none of <paramref name="ids"/> is listed any more. The kernel frees programs and BTF after an
    /// RCU grace period, so a just-closed object may linger for a moment.
    /// </summary>
    public static void AssertGone(string objectKind, params int[] ids)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var left = Ids(objectKind).Intersect(ids).ToArray();
            if (left.Length == 0) return;
            if (deadline.Elapsed > TimeSpan.FromSeconds(10))
                Assert.Fail($"{objectKind} ids still present after dispose: {string.Join(", ", left)}");
            Thread.Sleep(50);
        }
    }

    /// <summary>Runs bpftool and returns its stdout; fails the test with its stderr on a non-zero exit.</summary>
    public static string Bpftool(params string[] args) => ExternalTool.RunText("bpftool", args);
}
