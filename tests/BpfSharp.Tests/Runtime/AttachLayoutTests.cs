using System.Reflection;
using System.Runtime.InteropServices;
using BpfSharp.Btf;
using BpfSharp.Linux.Interop;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Runtime;

/// <summary>
/// The attach, pin, id, batch, info and perf structs checked against the running kernel's BTF: every field we
/// declare sits at the kernel's offset for it.
/// </summary>
public class AttachLayoutTests
{
    private static readonly Lazy<BtfSpec> Vmlinux = new(() => BtfSpec.Load(TestPaths.Vmlinux));

    public static TheoryData<string, string, bool> Structs => new()
    {
        // our struct, kernel group (bpf_attr member name, first field of an anonymous group, or a struct name), is a struct
        { nameof(LinkCreateAttr), "target_btf_id", false },
        { nameof(RawTracepointOpenAttr), "raw_tracepoint", false },
        { nameof(ObjPinAttr), "pathname", false },
        { nameof(GetIdAttr), "next_id", false },
        { nameof(LinkDetachAttr), "link_detach", false },
        { nameof(MapBatchAttr), "batch", false },
        { nameof(ProgInfo), "bpf_prog_info", true },
        { nameof(MapInfo), "bpf_map_info", true },
        { nameof(LinkInfoPrefix), "bpf_link_info", true },
        { nameof(PerfEventAttr), "perf_event_attr", true },
    };

    [Theory]
    [MemberData(nameof(Structs))]
    public void FieldOffsetsMatchKernelBtf(string structName, string kernelName, bool isStruct)
    {
        var type = typeof(LibC).Assembly.GetType("BpfSharp.Linux.Interop." + structName, throwOnError: true)!;
        var kernel = isStruct ? Flatten(Vmlinux.Value[Vmlinux.Value.FindByName(kernelName, BtfKind.Struct)], 0, "") : AttrGroup(kernelName);
        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            var ours = (int)Marshal.OffsetOf(type, field.Name);
            var name = Normalize(structName == nameof(PerfEventAttr) && field.Name == "Flags" ? "disabled" : Alias(field.Name));
            var matches = kernel.Where(k => Normalize(k.Key) == name).ToArray();
            Assert.True(matches.Length >= 1, $"{structName}.{field.Name}: no kernel member ({string.Join(", ", kernel.Keys)})");
            Assert.True(matches.Any(m => m.Value == ours), $"{structName}.{field.Name}: offset {ours}, kernel {string.Join(", ", matches.Select(m => $"{m.Key}@{m.Value}"))}");
        }
    }

    [Fact]
    public void PerfEventAttrFlagBitsMatchKernelBtf()
    {
        var attr = Vmlinux.Value[Vmlinux.Value.FindByName("perf_event_attr", BtfKind.Struct)];
        ulong Bit(string name)
        {
            for (var i = 0; i < attr.Vlen; i++)
            {
                var m = attr.GetMember(i);
                if (m.Name == name) return 1UL << (int)(m.BitOffset - 40 * 8);
            }
            throw new InvalidOperationException(name + " not in perf_event_attr");
        }
        Assert.Equal(PerfEventAttr.FlagDisabled, Bit("disabled"));
        Assert.Equal(PerfEventAttr.FlagFreq, Bit("freq"));
        Assert.Equal(PerfEventAttr.FlagWatermark, Bit("watermark"));
    }

    /// <summary>The members of the <c>union bpf_attr</c> group that is named <paramref name="probe"/> or contains a member of that name.</summary>
    private static Dictionary<string, int> AttrGroup(string probe)
    {
        var spec = Vmlinux.Value;
        var union = spec[spec.FindByName("bpf_attr", BtfKind.Union)];
        foreach (var m in union.Members)
        {
            var inner = spec.SkipModifiersAndTypedefs(m.TypeId);
            if (inner.Kind is not (BtfKind.Struct or BtfKind.Union)) continue;
            var members = Flatten(inner, 0, "");
            if (m.Name == probe || members.ContainsKey(probe)) return members;
        }
        throw new InvalidOperationException($"no bpf_attr group with '{probe}'");
    }

    /// <summary>Members by path ("perf_event.bpf_cookie"), anonymous members flattened into their parent.</summary>
    private static Dictionary<string, int> Flatten(BtfType type, int baseOffset, string prefix)
    {
        var result = new Dictionary<string, int>();
        foreach (var m in type.Members)
        {
            var offset = baseOffset + (int)(m.BitOffset / 8);
            var inner = type.Spec.SkipModifiersAndTypedefs(m.TypeId);
            if (m.Name.Length == 0 && inner.Kind is BtfKind.Struct or BtfKind.Union)
            {
                foreach (var (k, v) in Flatten(inner, offset, prefix)) result.TryAdd(k, v);
                continue;
            }
            result.TryAdd(prefix + m.Name, offset);
            if (inner.Kind is BtfKind.Struct or BtfKind.Union && prefix.Length == 0)
                foreach (var (k, v) in Flatten(inner, offset, m.Name + ".")) result.TryAdd(k, v);
        }
        return result;
    }

    private static string Alias(string field) => field switch
    {
        "PerfEventBpfCookie" => "perf_event.bpf_cookie",
        "TcxExpectedRevision" => "tcx.expected_revision",
        "StartId" => "start_id",
        "SamplePeriod" => "sample_period",
        "WakeupEvents" => "wakeup_events",
        "ClockId" => "clockid",
        _ => field,
    };

    private static string Normalize(string name) => name.Replace("_", "").Replace(".", "").ToLowerInvariant();
}
