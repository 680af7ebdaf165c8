using System.Reflection;
using System.Text.RegularExpressions;
using BpfSharp.Kernel;

namespace BpfSharp.Tests.KernelApi;

public class KernelEnumTests
{
    public static TheoryData<string> BtfBackedEnums() => new() { nameof(MapFlags), nameof(UpdateFlags), nameof(StackIdFlags), nameof(XdpAction) };

    private static readonly Type[] Enums = [typeof(MapFlags), typeof(UpdateFlags), typeof(StackIdFlags), typeof(XdpAction)];

    [Theory]
    [MemberData(nameof(BtfBackedEnums))]
    public void EveryNamedMemberHasTheKernelsValue(string enumName)
    {
        var type = Enums.Single(t => t.Name == enumName);
        var kernel = KernelApiKit.EnumConstants(KernelApiKit.Vmlinux);
        int checkedCount = 0;
        foreach (var f in type.GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            string? c = KernelApiKit.BtfName(f);
            long value = Convert.ToInt64(f.GetRawConstantValue());
            if (c is null)
            {
                // Only the "no flags" member may go without a kernel name.
                Assert.Equal(("None", 0L), (f.Name, value));
                continue;
            }
            Assert.True(kernel.TryGetValue(c, out long expected), $"{c} is not a kernel enum constant");
            Assert.True(expected == value, $"{enumName}.{f.Name} = {value}, kernel {c} = {expected}");
            checkedCount++;
        }
        Assert.True(checkedCount >= 4);
    }

    [Fact]
    public void XdpActionIsTheWholeKernelEnum()
    {
        var kernel = KernelApiKit.NamedEnum(KernelApiKit.Vmlinux, KernelApiKit.BtfName(typeof(XdpAction))!);
        var ours = typeof(XdpAction).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (KernelApiKit.BtfName(f)!, Convert.ToInt64(f.GetRawConstantValue()))).ToList();
        Assert.Equal(kernel, ours);
    }

    [Fact]
    public void PerfAndRingBufferConstantsAreTheKernels()
    {
        var kernel = KernelApiKit.EnumConstants(KernelApiKit.Vmlinux);
        AssertKernelConstant(kernel, "BPF_F_CURRENT_CPU", (long)PerfEventArray.CurrentCpu);
        AssertKernelConstant(kernel, "BPF_RB_NO_WAKEUP", (long)RingBuffer.NoWakeup);
        AssertKernelConstant(kernel, "BPF_RB_FORCE_WAKEUP", (long)RingBuffer.ForceWakeup);
        AssertKernelConstant(kernel, "BPF_RB_AVAIL_DATA", (long)RingBuffer.AvailableData);
        AssertKernelConstant(kernel, "BPF_RB_RING_SIZE", (long)RingBuffer.RingSize);
        AssertKernelConstant(kernel, "BPF_RB_CONS_POS", (long)RingBuffer.ConsumerPosition);
        AssertKernelConstant(kernel, "BPF_RB_PROD_POS", (long)RingBuffer.ProducerPosition);
        AssertKernelConstant(kernel, "BPF_MAP_TYPE_STACK_TRACE", 7);
    }

    private static void AssertKernelConstant(Dictionary<string, long> kernel, string name, long value)
    {
        Assert.True(kernel.TryGetValue(name, out long expected), $"{name} is not a kernel enum constant");
        Assert.True(expected == value, $"{name}: kernel {expected}, ours {value}");
    }

    [Fact]
    public void StackTraceDepthIsTheKernelDefault()
    {
        // The value size the loader gives a stack trace map (u64[127]) is the default of kernel.perf_event_max_stack.
        Assert.Equal(127, StackTraceMap.MaxDepth);
        const string sysctl = "/proc/sys/kernel/perf_event_max_stack";
        if (File.Exists(sysctl)) Assert.True(int.Parse(File.ReadAllText(sysctl).Trim()) >= StackTraceMap.MaxDepth);
    }

    private const string PktClsHeader = "/usr/include/linux/pkt_cls.h";

    [Fact]
    public void TcActionValuesAreTheUapiDefines()
    {
        Assert.True(File.Exists(PktClsHeader), $"{PktClsHeader} is missing: install linux-libc-dev");
        var defines = new Dictionary<string, long>();
        foreach (var line in File.ReadLines(PktClsHeader))
        {
            var m = Regex.Match(line, @"^#define\s+TC_ACT_(\w+)\s+\(?(-?\d+)\)?");
            if (m.Success) defines[m.Groups[1].Value] = long.Parse(m.Groups[2].Value);
        }
        var ours = Enum.GetValues<TcAction>().ToDictionary(v => v.ToString().ToUpperInvariant(), v => (long)v);
        Assert.Equal(defines.OrderBy(p => p.Key), ours.OrderBy(p => p.Key));
    }
}
