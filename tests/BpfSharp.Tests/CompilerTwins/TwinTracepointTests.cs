using System.Runtime.InteropServices;
using BpfSharp.Linux.Links;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Runtime;

namespace BpfSharp.Tests.CompilerTwins;

public sealed partial class TwinBehaviourTests
{
    private const int OpenReadOnly = 0, OpenCloexec = 0x80000, OpenNofollow = 0x20000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    private static unsafe partial int Open(byte* path, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    /// <summary>The opensnoop-style tracepoint twin, attached to syscalls/sys_enter_openat: both store the
    /// filename pointer and flags this thread passed to open(2), read from the tracepoint record's args.</summary>
    [Fact]
    public unsafe void TracepointTwinReadsTheSyscallArguments()
    {
        KernelObjects.RequireBpf();
        var twin = Twin.Get("OpenSnoopEnter");
        using var c = twin.LoadC();
        using var cs = Twin.LoadCSharp();
        int id = AttachTestKit.TracepointId("syscalls", "sys_enter_openat");
        const int Flags = OpenReadOnly | OpenCloexec | OpenNofollow;
        var path = Marshal.StringToCoTaskMemUTF8($"/proc/self/bpfsharp-h-{Environment.ProcessId}-no-such-file");
        int tid = 0;
        try
        {
            using (PerfEventLink.Tracepoint(c.Programs["OpenSnoopEnter"], id))
            using (PerfEventLink.Tracepoint(cs.Programs["OpenSnoopEnter"], id))
            {
                var thread = new Thread(() =>
                {
                    tid = NativeThread.Id();
                    int fd = Open((byte*)path, Flags);
                    if (fd >= 0) Close(fd);
                });
                thread.Start();
                thread.Join();
            }

            var key = BitConverter.GetBytes((uint)tid);
            var expected = new byte[16];
            var actual = new byte[16];
            Assert.True(c.Maps["OpenStart"].TryLookup(key, expected), "the C twin saw no openat from the thread");
            Assert.True(cs.Maps["OpenStart"].TryLookup(key, actual), "the C# twin saw no openat from the thread");
            Assert.Equal((ulong)path, BitConverter.ToUInt64(actual, 0));
            Assert.Equal(Flags, BitConverter.ToInt32(actual, 8));
            Assert.Equal(expected.AsSpan(0, 12).ToArray(), actual.AsSpan(0, 12).ToArray());
        }
        finally
        {
            Marshal.FreeCoTaskMem(path);
        }
    }
}
