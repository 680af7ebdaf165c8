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
