using BpfSharp.CoRe;
using BpfSharp.Instructions;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.CoRe;

/// <summary>
/// The engine computes a result once per (local type, access string, kind) and candidate-list state, and reuses it
/// for every further record with that key (with a log, printing its lines again). testdata/core/memo.c repeats the same keys in three
/// programs while other relocations prune the candidate list in between (memo___two_layouts has two candidates).
/// </summary>
public sealed class CoReMemoTests
{
    private static (CoReRelocator Relocator, CoReResult Result, List<CoReProgram> Programs) Relocate(string obj, string target, CoReLog? log)
    {
        var spec = ObjectSpec.Load(obj);
        var programs = spec.Programs.Select(p => new CoReProgram(p.Name, p.SectionName, p.InstructionOffset, p.Instructions.ToArray())).ToList();
        var sections = spec.BtfExt!.CoReRelocations.Select(s => new CoReRelocationSection(s.Name, s.Records.ToArray())).ToList();
        var relocator = new CoReRelocator(spec.Btf!, [new CoReTarget("vmlinux", BpfSharp.Btf.BtfSpec.Load(target))],
            new CoReOptions { StrictLibbpf = true }) { Log = log };
        return (relocator, relocator.Relocate(sections, programs), programs);
    }

    [Fact]
    public void ReusedResults_FollowCandidatePruning_LikeLibbpf()
    {
        string obj = CoReTestKit.Compile("memo");
        string target = CoReTestKit.Compile("memo___two_layouts");
        CoReTestKit.AssertSameAsLibbpf(obj, ("vmlinux", target, null)); // with and without reuse, against libbpf

        var (relocator, result, programs) = Relocate(obj, target, null);
        Assert.True(result.Succeeded);
        Assert.Equal(21, result.Relocations.Count);
        // 7 keys per program; program 1 computes each once plus `in->a` again after field_exists(b) pruned the list.
        // Programs 2 and 3 reuse everything. With a log, results are reused with the lines they printed, except those
        // whose computation pruned the list (a reuse would print the candidates it had before): one more here, and
        // AssertSameAsLibbpf above checked the log line by line.
        Assert.Equal(7, relocator.ComputedResults);
        var (logged, _, _) = Relocate(obj, target, new CoReLog());
        Assert.Equal(8, logged.ComputedResults);

        // The scenario really depends on the list state: the first `in->a` of memo_1 is resolved against both
        // candidates (v1 first: 4 bytes), every later one against v2 only (8 bytes: the load is widened).
        var reads = result.Relocations.Where(r => r.Kind == CoReRelocationKind.FieldByteOffset).ToList();
        Assert.Equal(6, reads.Count);
        Assert.Equal(4u, reads[0].Value.NewSize);
        Assert.All(reads.Skip(1), r => Assert.Equal(8u, r.Value.NewSize));
        var memo1 = programs.Single(p => p.Name == "memo_1").Instructions;
        Assert.Equal(4, LoadBytes(memo1[reads[0].InstructionIndex]));
        Assert.Equal(8, LoadBytes(memo1[reads[1].InstructionIndex]));
        // field_exists(c) is 1 in no program: by then the list holds only v2, which has no c.
        Assert.All(result.Relocations.Where(r => r.Kind == CoReRelocationKind.FieldExists && r.LocalSpec!.Contains(".c", StringComparison.Ordinal)),
            r => Assert.Equal(0UL, r.Value.NewValue));
    }

    [Fact]
    public void KernelObject_SameWithAndWithoutReuse()
    {
        string obj = BpfSharp.Tests.CoReTools.CoReToolsKit.KernelReads;
        var targets = new[] { new CoReTarget("vmlinux", BpfSharp.Btf.BtfSpec.Load(TestPaths.Vmlinux)) };
        var logged = CoReObjectRelocation.Relocate(ObjectSpec.Load(obj), targets, null, new CoReLog());
        var reused = CoReObjectRelocation.Relocate(ObjectSpec.Load(obj), targets);
        Assert.True(reused.Result.Succeeded);
        CoReTestKit.AssertSameRelocation(logged, reused);
    }

    /// <summary>
    /// Past hard errors too (StopAtFirstError = false): an error inside candidate matching may already have compacted
    /// the candidate list, so results computed before it must not be reused.
    /// </summary>
    [Theory]
    [MemberData(nameof(CoReDifferentialTests.Cases), MemberType = typeof(CoReDifferentialTests))]
    public void AllCases_PastErrors_SameWithAndWithoutReuse(string carrier)
    {
        string group = carrier[..carrier.IndexOf("___", StringComparison.Ordinal)];
        string obj = CoReTestKit.Compile(group);
        var targets = new[] { new CoReTarget("vmlinux", BpfSharp.Btf.BtfSpec.Load(CoReTestKit.Compile(carrier))) };
        foreach (bool strict in new[] { true, false })
        {
            var options = new CoReOptions { StrictLibbpf = strict, StopAtFirstError = false };
            var logged = CoReObjectRelocation.Relocate(ObjectSpec.Load(obj), targets, options, new CoReLog());
            var reused = CoReObjectRelocation.Relocate(ObjectSpec.Load(obj), targets, options);
            CoReTestKit.AssertSameRelocation(logged, reused);
        }
    }

    private static int LoadBytes(Instruction insn) => (insn.Opcode & 0x18) switch { 0x00 => 4, 0x08 => 2, 0x10 => 1, _ => 8 };
}
