using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BpfSharp.Btf;
using BpfSharp.Linux;
using BpfSharp.Linux.Interop;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Linux;

/// <summary>
/// The attr structs and enums checked against the running kernel's own description of them (vmlinux BTF):
/// every field we declare must sit at the offset the kernel's <c>union bpf_attr</c> gives it.
/// </summary>
public class SyscallLayoutTests
{
    private static readonly Lazy<BtfSpec> Vmlinux = new(() => BtfSpec.Load(TestPaths.Vmlinux));

    [Fact]
    public void AttrStructSizes()
    {
        Assert.Equal(80, Unsafe.SizeOf<MapCreateAttr>());
        Assert.Equal(32, Unsafe.SizeOf<MapElemAttr>());
        Assert.Equal(152, Unsafe.SizeOf<ProgLoadAttr>());
        Assert.Equal(40, Unsafe.SizeOf<BtfLoadAttr>());
        Assert.Equal(80, Unsafe.SizeOf<ProgTestRunAttr>());
        Assert.Equal(16, Unsafe.SizeOf<ObjGetInfoByFdAttr>());
        Assert.Equal(16, Unsafe.SizeOf<ObjectName>());
    }

    public static TheoryData<string, string> AttrStructs => new()
    {
        { nameof(MapCreateAttr), "map_type" },
        { nameof(MapElemAttr), "map_fd" },
        { nameof(ProgLoadAttr), "prog_type" },
        { nameof(BtfLoadAttr), "btf" },
        { nameof(ProgTestRunAttr), "test" },
        { nameof(ObjGetInfoByFdAttr), "info" },
        { nameof(TokenCreateAttr), "token_create" },
    };

    [Theory]
    [MemberData(nameof(AttrStructs))]
    public void AttrFieldOffsetsMatchKernelBtf(string structName, string kernelMember)
    {
        var type = typeof(MapCreateAttr).Assembly.GetType("BpfSharp.Linux.Interop." + structName, throwOnError: true)!;
        var kernel = KernelAttrMembers(kernelMember);
        var fields = type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
        Assert.NotEmpty(fields);
        foreach (var field in fields)
        {
            var ours = (int)Marshal.OffsetOf(type, field.Name);
            var matches = kernel.Where(k => Normalize(k.Key) == Normalize(Alias(field.Name))).ToArray();
            Assert.True(matches.Length == 1, $"{structName}.{field.Name}: no kernel member in bpf_attr '{kernelMember}' group ({string.Join(", ", kernel.Keys)})");
            Assert.True(matches[0].Value == ours, $"{structName}.{field.Name}: offset {ours}, kernel {matches[0].Key} at {matches[0].Value}");
            Assert.True(ours + Marshal.SizeOf(field.FieldType) <= Marshal.SizeOf(type), $"{structName}.{field.Name} overruns");
        }
    }

    [Fact]
    public void EnumsMatchKernelBtf()
    {
        AssertEnumMatches<BpfCommand>("bpf_cmd", "BPF_");
        AssertEnumMatches<BpfProgramType>("bpf_prog_type", "BPF_PROG_TYPE_");
        AssertEnumMatches<BpfMapType>("bpf_map_type", "BPF_MAP_TYPE_");
        AssertEnumMatches<BpfAttachType>("bpf_attach_type", "BPF_");
    }

    [Fact]
    public void CommandNamesUseTheCSpelling()
    {
        Assert.Equal("PROG_LOAD", BpfSyscallException.CommandName(BpfCommand.ProgLoad));
        Assert.Equal("OBJ_GET_INFO_BY_FD", BpfSyscallException.CommandName(BpfCommand.ObjGetInfoByFd));
        var e = new BpfSyscallException(BpfCommand.MapCreate, 1);
        Assert.Equal("BPF_MAP_CREATE failed: EPERM (Operation not permitted)", e.Message);
        Assert.True(e.IsPermissionDenied);
    }

    [Theory]
    [InlineData("0", 1)]
    [InlineData("0-3\n", 4)]
    [InlineData("0,2-5", 6)]
    [InlineData("0-1,8", 9)]
    public void PossibleCpuListParses(string text, int expected) => Assert.Equal(expected, PossibleCpus.Parse(text));

    private static void AssertEnumMatches<TEnum>(string kernelEnum, string prefix) where TEnum : struct, Enum
    {
        var spec = Vmlinux.Value;
        var id = spec.FindByName(kernelEnum, BtfKind.Enum);
        Assert.True(id > 0, $"enum {kernelEnum} not in vmlinux BTF");
        var kernelValues = new Dictionary<string, long>();
        var type = spec[id];
        for (var i = 0; i < type.Vlen; i++)
        {
            var v = type.GetEnumValue(i);
            kernelValues[v.Name] = v.Value;
        }
        foreach (var value in Enum.GetValues<TEnum>())
        {
            var ours = Normalize(value.ToString() == "Unspecified" ? "Unspec" : value.ToString());
            var match = kernelValues.Where(k => k.Key.StartsWith(prefix, StringComparison.Ordinal) && Normalize(k.Key[prefix.Length..]) == ours).ToArray();
            Assert.True(match.Length == 1, $"{typeof(TEnum).Name}.{value}: no {prefix}* constant of that name in enum {kernelEnum}");
            Assert.Equal(match[0].Value, Convert.ToInt64(value));
        }
        // Every kernel value up to our highest one has a name here (no gaps).
        var max = Enum.GetValues<TEnum>().Max(v => Convert.ToInt64(v));
        foreach (var (name, number) in kernelValues)
            if (number <= max && !name.StartsWith("__", StringComparison.Ordinal))
                Assert.True(Enum.IsDefined(typeof(TEnum), Enum.ToObject(typeof(TEnum), number)), $"{name} = {number} missing from {typeof(TEnum).Name}");
    }

    /// <summary>
    /// The members of one command's group in <c>union bpf_attr</c>, flattened through anonymous structs and unions,
    /// with byte offsets. A group is either a named member ("test", "info") or the anonymous struct containing
    /// the given first-level field name.
    /// </summary>
    private static Dictionary<string, int> KernelAttrMembers(string member)
    {
        var spec = Vmlinux.Value;
        var union = spec[spec.FindByName("bpf_attr", BtfKind.Union)];
        foreach (var m in union.Members)
        {
            var inner = spec.SkipModifiersAndTypedefs(m.TypeId);
            if (m.Name == member) return Flatten(inner, 0);
            if (m.Name.Length == 0 && inner.Kind == BtfKind.Struct && inner.Members.Count > 0 && inner.GetMember(0).Name == member)
                return Flatten(inner, 0);
        }
        throw new InvalidOperationException($"no bpf_attr group '{member}'");
    }

    private static Dictionary<string, int> Flatten(BtfType type, int baseOffset)
    {
        var result = new Dictionary<string, int>();
        foreach (var m in type.Members)
        {
            var offset = baseOffset + (int)(m.BitOffset / 8);
            var inner = type.Spec.SkipModifiersAndTypedefs(m.TypeId);
            if (m.Name.Length == 0 && inner.Kind is BtfKind.Struct or BtfKind.Union)
                foreach (var (k, v) in Flatten(inner, offset)) result[k] = v;
            else
                result[m.Name] = offset;
        }
        return result;
    }

    /// <summary>Our names for kernel fields that share a union slot.</summary>
    private static string Alias(string field) => field switch
    {
        "ValueOrNextKey" => "value",
        "AttachFd" => "attach_prog_fd",
        _ => field,
    };

    private static string Normalize(string name) => name.Replace("_", "").ToLowerInvariant();
}
