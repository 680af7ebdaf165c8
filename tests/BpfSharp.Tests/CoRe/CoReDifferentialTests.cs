using BpfSharp.CoRe;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.CoRe;

/// <summary>
/// Selftest-style groups: each testdata/core/&lt;group&gt;.c relocated against each &lt;group&gt;___&lt;case&gt;.c carrier,
/// with BpfSharp and with libbpf (the oracle); every decision, patched instruction and log line must agree.
/// </summary>
public sealed class CoReDifferentialTests
{
    /// <summary>All (group, case) pairs found under testdata/core.</summary>
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(TestPaths.TestData, "core"), "*___*.c").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_MatchesLibbpf(string carrier)
    {
        string group = carrier[..carrier.IndexOf("___", StringComparison.Ordinal)];
        string obj = CoReTestKit.Compile(group);
        string target = CoReTestKit.Compile(carrier);
        CoReTestKit.AssertSameAsLibbpf(obj, ("vmlinux", target, null));
    }

    /// <summary>Every group relocated against its own BTF (self-relocation): all agree with libbpf.</summary>
    public static TheoryData<string> Groups()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(TestPaths.TestData, "core"), "*.c").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(f);
            if (!name.Contains("___", StringComparison.Ordinal)) data.Add(name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Groups))]
    public void Group_SelfRelocation_MatchesLibbpf(string group)
    {
        string obj = CoReTestKit.Compile(group);
        CoReTestKit.AssertSameAsLibbpf(obj, ("vmlinux", obj, null));
    }

    [Theory]
    [MemberData(nameof(Groups))]
    public void Group_AgainstRunningKernel_MatchesLibbpf(string group)
    {
        string obj = CoReTestKit.Compile(group);
        CoReTestKit.AssertSameAsLibbpf(obj, ("vmlinux", TestPaths.Vmlinux, null));
    }
}

/// <summary>The libbpf bugs BpfSharp fixes by default, and the strict mode that reproduces them (checked against libbpf).</summary>
public sealed class CoReQuirkTests
{
    [Fact]
    public void StrictMode_ReproducesLibbpf_OnFloatAndUnsignedEnum()
    {
        string obj = CoReTestKit.Compile("quirks");
        var strict = CoReTestKit.AssertSameAsLibbpf(obj, ("vmlinux", obj, null));
        // libbpf: FLOAT is "unexpected" (exists 0, matches 0) and UBIG fails validation (hard error).
        Assert.False(strict.Result.Succeeded);
        var last = strict.Result.Relocations[^1];
        Assert.Equal(CoReOutcome.Error, last.Outcome);
        Assert.Contains("unexpected insn", last.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultMode_FixesFloatCompatibilityAndUnsignedEnumValues()
    {
        string obj = CoReTestKit.Compile("quirks");
        var spec = BpfSharp.Objects.ObjectSpec.Load(obj);
        var result = CoReObjectRelocation.Relocate(spec, [new CoReTarget("vmlinux", spec.Btf!)]);
        Assert.True(result.Result.Succeeded);
        var r = result.Result.Relocations;
        Assert.Equal(1UL, r[0].Value.NewValue); // type_exists(myfloat)
        Assert.Equal(1UL, r[1].Value.NewValue); // type_matches(myfloat)
        Assert.Equal(0xAAAAAAAAUL, r[3].Value.NewValue); // zero-extended, as clang emitted it
        Assert.All(r, x => Assert.Equal(CoReOutcome.Patched, x.Outcome));
    }
}

/// <summary>Big-endian objects decide exactly like their little-endian twins (bitfield shifts aside).</summary>
public sealed class CoReBigEndianTests
{
    [Theory]
    [MemberData(nameof(CoReDifferentialTests.Groups), MemberType = typeof(CoReDifferentialTests))]
    public void SelfRelocation_MatchesLittleEndianTwin(string group)
    {
        var le = BpfSharp.Objects.ObjectSpec.Load(CoReTestKit.Compile(group));
        var be = BpfSharp.Objects.ObjectSpec.Load(CoReTestKit.Compile(group + ":eb"));
        Assert.True(be.Btf!.IsBigEndian);
        var rl = CoReObjectRelocation.Relocate(le, [new CoReTarget("vmlinux", le.Btf!)]).Result;
        var rb = CoReObjectRelocation.Relocate(be, [new CoReTarget("vmlinux", be.Btf)]).Result;
        Assert.Equal(rl.Errno, rb.Errno);
        if (group == "bitfields") return; // clang emits different bitfield code per byte order (see BitfieldShifts test)
        Assert.Equal(rl.Relocations.Count, rb.Relocations.Count);
        for (int i = 0; i < rl.Relocations.Count; i++)
        {
            var l = rl.Relocations[i];
            var b = rb.Relocations[i];
            Assert.Equal(l.Outcome, b.Outcome);
            Assert.Equal(l.LocalSpec is null, b.LocalSpec is null);
            bool bitfield = l.LocalSpec?.Contains('.') == true && l.LocalSpec.Split("@ offset ")[^1].Contains('.');
            if (!bitfield && l.Kind != CoReRelocationKind.FieldLShiftU64)
                Assert.True(l.Value.NewValue == b.Value.NewValue, $"{l.LocalSpec}: LE {l.Value.NewValue}, BE {b.Value.NewValue}");
        }
    }

    [Fact]
    public void BitfieldShifts_FollowTheObjectByteOrder()
    {
        var le = BpfSharp.Objects.ObjectSpec.Load(CoReTestKit.Compile("bitfields"));
        var be = BpfSharp.Objects.ObjectSpec.Load(CoReTestKit.Compile("bitfields:eb"));
        var rl = CoReObjectRelocation.Relocate(le, [new CoReTarget("vmlinux", le.Btf!)]).Result.Relocations;
        var rb = CoReObjectRelocation.Relocate(be, [new CoReTarget("vmlinux", be.Btf!)]).Result.Relocations;
        // ub2: 2 bits at bit 1 of a 1-byte unit. LE: 64-(1+2-0)=61; BE: (8-1)*8+(1-0)=57.
        var l = rl.First(r => r.Kind == CoReRelocationKind.FieldLShiftU64 && r.LocalSpec!.Contains(".ub2", StringComparison.Ordinal));
        var b = rb.First(r => r.Kind == CoReRelocationKind.FieldLShiftU64 && r.LocalSpec!.Contains(".ub2", StringComparison.Ordinal));
        Assert.Equal(61UL, l.Value.NewValue);
        Assert.Equal(57UL, b.Value.NewValue);
    }
}
