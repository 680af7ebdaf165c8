using System.Diagnostics;
using BpfSharp.Btf;
using BpfSharp.Btf.Writing;
using BpfSharp.CoRe;

namespace BpfSharp.Tests.Robustness;

/// <summary>Issue 13, D10: type_matches over nested struct DAGs is polynomial and keeps libbpf's answers.</summary>
public class TypeMatchDagTests
{
    // S0 { int x; }, S_k { S_k-1 a; S_k-1 b; }: every level doubles the naive walk (26 levels took 23.5 s).
    private static (BtfSpec Spec, int Top) Dag(int levels, string leafType = "int", uint leafSize = 4)
    {
        var b = new BtfBuilder();
        int leaf = b.AddInt(leafType, leafSize, BtfIntEncoding.Signed);
        int previous = b.AddStruct("s0", leafSize);
        b.AddMember(previous, "x", leaf, 0);
        for (int k = 1; k <= levels; k++)
        {
            uint size = leafSize << k;
            int s = b.AddStruct("s" + k, size);
            b.AddMember(s, "a", previous, 0);
            b.AddMember(s, "b", previous, size * 4); // bit offset of the second half
            previous = s;
        }
        return (BtfSpec.Parse(b.ToArray()), previous);
    }

    [Fact]
    public void NestedDagsMatchInPolynomialTime()
    {
        var (local, top) = Dag(28);
        var (target, targetTop) = Dag(28);
        var clock = Stopwatch.StartNew();
        Assert.Equal(1, CoReTypeRules.TypesMatch(local, top, target, targetTop));
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 2);
    }

    [Fact]
    public void TheAnswersStayLibbpfs()
    {
        // A leaf that differs deep down still fails the whole match; a DAG deeper than libbpf's 32 levels is -EINVAL.
        var (local, top) = Dag(20);
        var (other, otherTop) = Dag(20, "long", 8);
        Assert.Equal(0, CoReTypeRules.TypesMatch(local, top, other, otherTop));
        var (deep, deepTop) = Dag(40);
        Assert.Equal(-CoReErrno.EINVAL, CoReTypeRules.TypesMatch(deep, deepTop, deep, deepTop));
        var (shallow, shallowTop) = Dag(3);
        Assert.Equal(1, CoReTypeRules.TypesMatch(shallow, shallowTop, shallow, shallowTop));
    }
}
