using System.Diagnostics;
using System.Text.Json;
using BpfSharp.Linux;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Linux;

/// <summary>
/// Kernel-side helpers for runtime tests: the EPERM gate and the kernel's own list of which BPF objects exist
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

    /// <summary>
    /// Ids of the <c>prog</c>, <c>map</c>, <c>btf</c> or <c>link</c> objects that exist right now, walked with the
    /// kernel's own <c>BPF_*_GET_NEXT_ID</c> (a direct system call, independent of the library under test).
    /// </summary>
    /// <remarks>
    /// Unlike <c>bpftool ... show</c>, this never opens an fd on the objects. Opening one by id while its owner drops
    /// the last fd races with the kernel's deferred clearing of a prog array and can leak the map for good (seen on
    /// 6.18 with libbpf and with BpfSharp alike; see docs/loader.md), so polling while objects go away must not do it.
    /// </remarks>
    public static HashSet<int> Ids(string objectKind)
    {
        int command = objectKind switch
        {
            "prog" => 11, // BPF_PROG_GET_NEXT_ID
            "map" => 12,  // BPF_MAP_GET_NEXT_ID
            "btf" => 23,  // BPF_BTF_GET_NEXT_ID
            "link" => 31, // BPF_LINK_GET_NEXT_ID
            _ => throw new ArgumentException($"unknown object kind '{objectKind}'", nameof(objectKind)),
        };
        var ids = new HashSet<int>();
        Span<uint> attr = stackalloc uint[4]; // start_id, next_id, open_flags, pad
        uint id = 0;
        while (true)
        {
            attr.Clear();
            attr[0] = id;
            long result;
            unsafe
            {
                fixed (uint* a = attr) result = Syscall(BpfSyscallNumber, command, a, (uint)(attr.Length * sizeof(uint)));
            }
            if (result < 0)
            {
                int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (errno == 2) return ids; // ENOENT: no more
                throw new InvalidOperationException($"bpf command {command} failed with errno {errno}");
            }
            id = attr[1];
            ids.Add((int)id);
        }
    }

    // __NR_bpf: 321 on x86-64, 280 on arm64 (the architectures this project runs tests on).
    private static readonly long BpfSyscallNumber =
        System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? 280 : 321;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern unsafe long Syscall(long number, int command, uint* attr, uint size);

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
