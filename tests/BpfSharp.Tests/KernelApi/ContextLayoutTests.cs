using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BpfSharp.Btf;
using BpfSharp.Kernel;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.KernelApi;

public unsafe class ContextLayoutTests
{
    public static readonly Type[] ContextTypes =
    [
        typeof(PtRegs), typeof(XdpMd), typeof(SkBuff), typeof(TraceEntry), typeof(PerfEventData), typeof(SockAddr), typeof(BpfSock), typeof(SockOps),
        typeof(Sysctl), typeof(Sockopt), typeof(SkMsgMd), typeof(SkLookup), typeof(CgroupDeviceContext), typeof(SkReuseportMd),
    ];

    public static TheoryData<string> ContextTypeNames()
    {
        var data = new TheoryData<string>();
        foreach (var t in ContextTypes) data.Add(t.Name);
        return data;
    }

    private static Type ByName(string name) => ContextTypes.Single(t => t.Name == name);

    private static FieldInfo[] Fields(Type t) => t.GetFields(BindingFlags.Public | BindingFlags.Instance);

    private static long ManagedSize(Type t) =>
        (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(t).Invoke(null, null)!;

    [Theory]
    [MemberData(nameof(ContextTypeNames))]
    public void SizeAndEveryFieldOffsetMatchTheRunningKernel(string typeName)
    {
        var type = ByName(typeName);
        string btfName = KernelApiKit.BtfName(type) ?? throw new Xunit.Sdk.XunitException($"{type} has no [BtfName]");
        var kernel = KernelApiKit.Struct(KernelApiKit.Vmlinux, btfName) ?? throw new Xunit.Sdk.XunitException($"struct {btfName} not in vmlinux");

        Assert.Equal(kernel.Size, ManagedSize(type));
        Assert.Equal(kernel.Size, Marshal.SizeOf(type));

        var covered = new HashSet<long>();
        foreach (var f in Fields(type))
        {
            string name = KernelApiKit.BtfName(f) ?? throw new Xunit.Sdk.XunitException($"{type.Name}.{f.Name} has no [BtfName]");
            Assert.True(kernel.Members.TryGetValue(name, out var m), $"{btfName} has no member {name}");
            long offset = Marshal.OffsetOf(type, f.Name);
            Assert.True(m.ByteOffset == offset, $"{btfName}.{name}: kernel offset {m.ByteOffset}, {type.Name}.{f.Name} at {offset}");
            // A field stands for the whole top-level member (an anonymous union slot is as wide as the union).
            Assert.True(m.TopLevelOffset == offset, $"{btfName}.{name} sits inside a top-level member at {m.TopLevelOffset}");
            long size = Marshal.SizeOf(f.FieldType);
            Assert.True(m.TopLevelSize == size, $"{btfName}.{name}: kernel size {m.TopLevelSize}, {type.Name}.{f.Name} is {size}");
            covered.Add(offset);
        }
        // Every top-level kernel member has its field: nothing is skipped.
        Assert.Equal(kernel.TopLevelCount, covered.Count);
    }

    public static TheoryData<string, string> SharedKernelsAndContextTypes()
    {
        var data = new TheoryData<string, string>();
        foreach (var blob in KernelBlobs.All.Where(b => b.Base is null && !b.File.Contains("testmod")))
            foreach (var t in ContextTypes) data.Add(blob.File, t.Name);
        return data;
    }

    // That 2019 kernel's BTF has no xdp_md (no code it was built with used the type).
    // Nor the contexts of hooks younger than it: sysctl and sockopt (5.2, 5.3), sk_lookup (5.9).
    private static readonly HashSet<(string, string)> KnownAbsent =
    [
        ("ci-2019-5.x.btf.gz", nameof(XdpMd)), ("ci-2019-5.x.btf.gz", nameof(Sysctl)), ("ci-2019-5.x.btf.gz", nameof(Sockopt)),
        ("ci-2019-5.x.btf.gz", nameof(SkLookup)),
    ];

    // The context structs are UAPI (or, for pt_regs, fixed by the architecture): older kernels may lack the newest
    // trailing fields but never move a field.
    [Theory]
    [MemberData(nameof(SharedKernelsAndContextTypes))]
    public void FieldsAnOlderOrNewerKernelHasSitAtTheSameOffsets(string blob, string typeName)
    {
        var type = ByName(typeName);
        var kernel = KernelApiKit.Struct(KernelBlobs.Load(blob), KernelApiKit.BtfName(type)!);
        if (KnownAbsent.Contains((blob, typeName)))
        {
            Assert.True(kernel is null, $"{blob} now has struct {KernelApiKit.BtfName(type)}: drop it from KnownAbsent");
            return;
        }
        Assert.True(kernel is not null, $"{blob} lacks struct {KernelApiKit.BtfName(type)}");
        int present = 0;
        foreach (var f in Fields(type))
        {
            if (!kernel.Value.Members.TryGetValue(KernelApiKit.BtfName(f)!, out var m)) continue;
            present++;
            Assert.Equal(m.ByteOffset, (long)Marshal.OffsetOf(type, f.Name));
        }
        Assert.True(present >= Math.Min(4, Fields(type).Length), $"{blob}: only {present} fields found");
        Assert.True(kernel.Value.Size <= ManagedSize(type), $"{blob}: struct is larger ({kernel.Value.Size}) than the running kernel's");
    }

    [Fact]
    public void ManagedLayoutOfPointerSlotsAndFixedBuffersIsTheCLayout()
    {
        // The compiler reads the managed layout; check it directly for the fields that need padding or are buffers.
        SkBuff skb = default;
        byte* at = (byte*)&skb;
        Assert.Equal(48, (byte*)skb.Cb - at);
        Assert.Equal(100, (byte*)skb.RemoteIp6 - at);
        Assert.Equal(116, (byte*)skb.LocalIp6 - at);
        Assert.Equal(144, (byte*)&skb.FlowKeys - at);
        Assert.Equal(168, (byte*)&skb.Sk - at);
        Assert.Equal(180, (byte*)&skb.TstampType - at);
        Assert.Equal(184, (byte*)&skb.Hwtstamp - at);
        PtRegs regs = default;
        Assert.Equal(112, (byte*)&regs.Di - (byte*)&regs);
        Assert.Equal(80, (byte*)&regs.Ax - (byte*)&regs);
        Assert.Equal(160, (byte*)&regs.Ss - (byte*)&regs);
    }

    [Fact]
    public void PtRegsArgumentAccessorsFollowTheSystemVOrder()
    {
        var regs = new PtRegs { Di = 1, Si = 2, Dx = 3, Cx = 4, R8 = 5, R9 = 6, Ax = 7, Sp = 8, Ip = 9 };
        Assert.Equal(new ulong[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 },
            new[] { regs.Parm1, regs.Parm2, regs.Parm3, regs.Parm4, regs.Parm5, regs.Parm6, regs.Rc, regs.StackPointer, regs.InstructionPointer });
    }

    [Fact]
    public void TraceEntryIsTheHeaderOfTracepointRecords()
    {
        var kernel = KernelApiKit.Struct(KernelApiKit.Vmlinux, "trace_entry")!.Value;
        Assert.Equal(8, kernel.Size);
        Assert.Equal(8, sizeof(TraceEntry));
        // And the kernel's own tracepoint records start with it.
        var spec = KernelApiKit.Vmlinux;
        int id = spec.FindByName("trace_event_raw_sched_switch", BtfKind.Struct);
        Assert.True(id > 0);
        var first = spec[id].GetMember(0);
        Assert.Equal("ent", first.Name);
        Assert.Equal("trace_entry", spec.SkipModifiersAndTypedefs(first.TypeId).Name);
    }
}
