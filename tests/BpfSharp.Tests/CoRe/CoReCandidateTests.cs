using BpfSharp.CoRe;
using BpfSharp.Objects;

namespace BpfSharp.Tests.CoRe;

/// <summary>Candidate search, the shared per-local-type cache and libbpf's in-place pruning.</summary>
public sealed class CoReCandidateTests
{
    private static CoReRelocator Relocate(string group, string carrier, out CoReResult result)
    {
        var obj = ObjectSpec.Load(CoReTestKit.Compile(group));
        var target = ObjectSpec.Load(CoReTestKit.Compile(carrier)).Btf!;
        var programs = obj.Programs.Select(p => new CoReProgram(p.Name, p.SectionName, p.InstructionOffset, p.Instructions.ToArray())).ToList();
        var sections = obj.BtfExt!.CoReRelocations.Select(s => new CoReRelocationSection(s.Name, s.Records.ToArray())).ToList();
        var relocator = new CoReRelocator(obj.Btf!, [new CoReTarget("vmlinux", target)]);
        result = relocator.Relocate(sections, programs);
        return relocator;
    }

    [Fact]
    public void PartialMatchDups_FirstMatchPrunesTheCache_SoTheOtherFlavorIsNeverUsed()
    {
        var relocator = Relocate("nesting", "nesting___err_partial_match_dups", out var result);
        // relo #0 (a.a.a) matches only __a; the list is pruned to it, so relo #1 (b.b.b) finds nothing and is poisoned
        // although __b would have matched.
        Assert.Equal(CoReOutcome.Patched, result.Relocations[0].Outcome);
        Assert.Equal(CoReOutcome.Poisoned, result.Relocations[1].Outcome);
        var cached = relocator.GetCachedCandidates(result.Relocations[0].Record.TypeId)!;
        Assert.Single(cached);
        Assert.EndsWith("__a", cached[0].Target.Spec[cached[0].TypeId].Name, StringComparison.Ordinal);
    }

    [Fact]
    public void DupCompatTypes_AllCandidatesAgree_AndStayInTheCache()
    {
        var relocator = Relocate("nesting", "nesting___dup_compat_types", out var result);
        Assert.True(result.Succeeded);
        Assert.All(result.Relocations, r => Assert.Equal(3, r.MatchingCandidates));
        Assert.Equal(3, relocator.GetCachedCandidates(result.Relocations[0].Record.TypeId)!.Count);
    }

    [Fact]
    public void DupIncompatTypes_IsFieldOffsetAmbiguity()
    {
        Relocate("nesting", "nesting___err_dup_incompat_types", out var result);
        Assert.False(result.Succeeded);
        Assert.Equal(-CoReErrno.EINVAL, result.Errno);
        Assert.Contains("field offset ambiguity", result.Relocations[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SizeAmbiguity_IsRelocationDecisionAmbiguity()
    {
        Relocate("size", "size___err_ambiguous", out var result);
        Assert.False(result.Succeeded);
        Assert.Contains("relocation decision ambiguity: success 1 != success 4", result.Relocations[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongFlavorSeparator_HasNoCandidate_AndPoisons()
    {
        var relocator = Relocate("flavors", "flavors___err_wrong_name", out var result);
        Assert.True(result.Succeeded);
        Assert.All(result.Relocations, r => Assert.Equal(CoReOutcome.Poisoned, r.Outcome));
        Assert.All(result.Relocations, r => Assert.Empty(relocator.GetCachedCandidates(r.Record.TypeId)!));
    }
}
