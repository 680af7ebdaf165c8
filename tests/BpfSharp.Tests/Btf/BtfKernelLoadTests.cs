using System.Runtime.InteropServices;
using System.Text;
using BpfSharp.Btf;
using BpfSharp.Btf.Writing;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Btf;

/// <summary>The kernel's BTF verifier (<c>BPF_BTF_LOAD</c>) accepts what the builder writes.</summary>
public unsafe class BtfKernelLoadTests
{
    // Minimal private syscall binding for these tests only; to be replaced by the BpfSharp.Linux syscall API.
    private const long SysBpf = 321;    // x86_64
    private const int BpfBtfLoad = 18;
    private const int EPERM = 1;

    [StructLayout(LayoutKind.Sequential)]
    private struct BtfLoadAttr
    {
        public ulong Btf;
        public ulong LogBuffer;
        public uint BtfSize;
        public uint LogSize;
        public uint LogLevel;
        public uint LogTrueSize;
        public uint Flags;
        public int TokenFd;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern long syscall(long number, long cmd, void* attr, long size);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    /// <summary>Loads BTF into the kernel and closes the fd again; fails with the verifier log when rejected.</summary>
    private static void AssertKernelAccepts(byte[] btf)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            Assert.Skip("BPF_BTF_LOAD test needs Linux x86_64");
        var log = new byte[1 << 20];
        fixed (byte* data = btf)
        fixed (byte* logBuf = log)
        {
            var attr = new BtfLoadAttr
            {
                Btf = (ulong)data,
                BtfSize = (uint)btf.Length,
                LogBuffer = (ulong)logBuf,
                LogSize = (uint)log.Length,
                LogLevel = 1,
            };
            long fd = syscall(SysBpf, BpfBtfLoad, &attr, sizeof(BtfLoadAttr));
            if (fd < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == EPERM) Assert.Skip("the kernel refused bpf() with EPERM (no CAP_BPF here)");
                int end = Array.IndexOf(log, (byte)0);
                string text = Encoding.UTF8.GetString(log, 0, end < 0 ? log.Length : end);
                string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.Fail($"BPF_BTF_LOAD failed with errno {errno}; log tail:\n{string.Join('\n', lines.TakeLast(15))}");
            }
            close((int)fd);
        }
    }

    [Fact]
    public void EveryKindLoads() => AssertKernelAccepts(BtfBuilderTests.EveryKind().ToArray());

    [Fact]
    public void CopyOfKernelStructsWithTheirDependenciesLoads()
    {
        var spec = BtfSpec.Load(TestPaths.Vmlinux);
        var copy = BtfBuilderTests.CopyClosure(spec, "list_head", "rb_node", "callback_head", "timer_list", "sk_buff_head");
        AssertKernelAccepts(copy.ToArray());
    }

    [Fact]
    public void ClangObjectBtfRewrittenByTheBuilderLoads()
    {
        // clang's .BTF of maps.c has no extern VAR (the kernel rejects those). clang leaves DATASEC sizes (and some
        // variable offsets) 0; libbpf fills them in from the ELF symbols. Here: variables laid out one after another.
        var spec = BtfSpec.Load(BtfTestTools.CompileTestObject("maps"));
        var b = BtfBuilder.From(spec);
        for (int id = 1; id < spec.TypeCount; id++)
        {
            var t = spec[id];
            if (t.Kind != BtfKind.DataSec || t.Size != 0) continue;
            uint end = 0;
            for (int i = 0; i < t.Vlen; i++)
            {
                uint size = t.GetDataSecVar(i).Size;
                b.SetDataSecVar(id, i, end, size);
                end = (end + size + 7) & ~7u;
            }
            b.SetSize(id, end);
        }
        AssertKernelAccepts(b.ToArray());
    }

    [Fact]
    public void KernelRejectsBrokenBtfSoTheCheckIsReal()
    {
        var b = new BtfBuilder();
        int i = b.AddInt("int", 4, BtfIntEncoding.Signed);
        int s = b.AddStruct("bad", 4);
        b.AddMember(s, "x", i, 0);
        b.AddMember(s, "y", i, 64); // beyond the struct's size
        var ex = Assert.Throws<Xunit.Sdk.FailException>(() => AssertKernelAccepts(b.ToArray()));
        Assert.Contains("BPF_BTF_LOAD failed", ex.Message);
    }
}
