using BpfSharp.CoRe;
using BpfSharp.CoRe.Tools;
using BpfSharp.Linux;
using BpfSharp.Tests.CoRe;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.CoReTools;

/// <summary>
/// The compatibility matrix against libbpf (every relocation decision, per kernel blob) and the guarded/fails split
/// against the kernel's verifier.
/// </summary>
public sealed class CoReCompatibilityTests
{
    private static readonly Lazy<CoReCompatibilityReport> Matrix = new(() =>
    {
        var objects = CoReToolsKit.KernelObjects.Select(CoReCheckObject.Load).ToList();
        var kernels = CoReToolsKit.VmlinuxBlobs.Select(b => CoReKernel.FromFile(TestPaths.Kernel(b)))
            .Append(CoReKernel.FromFile(TestPaths.Vmlinux)).ToList();
        return CoReCompatibility.Check(objects, kernels, CoReCompatibility.DefaultOptions with { StrictLibbpf = true });
    });

    public static TheoryData<string> Kernels()
    {
        var data = CoReToolsKit.VmlinuxBlobNames();
        data.Add(TestPaths.Vmlinux);
        return data;
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Matrix_EqualsLibbpfDecisions(string kernel)
    {
        var report = Matrix.Value;
        string name = KernelBtfFiles.DisplayName(kernel.StartsWith('/') ? kernel : TestPaths.Kernel(kernel));
        int k = report.Kernels.ToList().IndexOf(name);
        Assert.True(k >= 0, $"kernel column {name} missing");
        string raw = kernel.StartsWith('/') ? kernel : CoReToolsKit.Raw(kernel);
        for (int o = 0; o < report.Objects.Count; o++)
        {
            var cell = report[o, k];
            Assert.Null(cell.Error);
            var oracle = CoReTestKit.RunOracle(CoReToolsKit.KernelObjects[o], ("vmlinux", raw, null));
            var applied = cell.Relocations.Where(r => r.Report.Outcome != CoReOutcome.Skipped).ToList();
            // libbpf stops at the first error; the check goes on, so compare libbpf's prefix.
            Assert.True(applied.Count >= oracle.Decisions.Count, $"{cell.ObjectName}: {applied.Count} relocations, libbpf {oracle.Decisions.Count}");
            for (int i = 0; i < oracle.Decisions.Count; i++)
            {
                var d = oracle.Decisions[i];
                var r = applied[i].Report;
                string where = $"{cell.ObjectName} on {name}: {d.Section} relo #{d.Relo} ({r.LocalSpec})";
                Assert.True(d.Section == r.SectionName && d.Relo == r.RelocationIndex && d.Program == r.ProgramName, where);
                if (d.Err != 0)
                {
                    Assert.True(r.Outcome == CoReOutcome.Error && r.Errno == d.Err, $"{where}: libbpf error {d.Err}, ours {r.Outcome} {r.Errno}");
                    Assert.Equal(CoReLoadVerdict.Fails, applied[i].Verdict);
                    continue;
                }
                Assert.True(d.Poison == r.Value.Poison, $"{where}: poison");
                Assert.True(d.New == r.Value.NewValue && d.Orig == r.Value.OriginalValue, $"{where}: values {r.Value.OriginalValue}->{r.Value.NewValue}, libbpf {d.Orig}->{d.New}");
                if (d.Poison) Assert.True(applied[i].Verdict != CoReLoadVerdict.Loads, $"{where}: poisoned but verdict loads");
                if (r.Outcome == CoReOutcome.Patched) Assert.Equal(CoReLoadVerdict.Loads, applied[i].Verdict);
            }
            // The object's verdict follows from its relocations.
            bool anyError = oracle.Result != 0;
            if (anyError) Assert.Equal(CoReLoadVerdict.Fails, cell.Verdict);
            Assert.Equal(cell.Relocations.Count(r => r.Report.Outcome != CoReOutcome.Skipped), cell.Counts.Loads + cell.Counts.Guarded + cell.Counts.Fails);
        }
    }

    [Fact]
    public void Matrix_HasEveryKernelAndObject_AndSomeKernelDiffers()
    {
        var report = Matrix.Value;
        Assert.Equal(CoReToolsKit.KernelObjects.Length, report.Objects.Count);
        Assert.Equal(CoReToolsKit.VmlinuxBlobs.Count() + 1, report.Kernels.Count);
        // the realistic object relocates on the running kernel it was built from without a libbpf error (its module
        // types are missing from vmlinux alone: those are poisoned, not errors)
        int running = report.Kernels.ToList().IndexOf("vmlinux");
        Assert.DoesNotContain(report[0, running].Relocations, r => r.Report.Outcome == BpfSharp.CoRe.CoReOutcome.Error);
        Assert.Contains(report[0, running].Relocations, r => r.Verdict == CoReLoadVerdict.Loads);
        // and the 2019 kernel lacks things it needs (libbpf fails it too: see the decision test)
        int old = report.Kernels.ToList().IndexOf("ci-2019-5.x");
        Assert.Equal(CoReLoadVerdict.Fails, report[0, old].Verdict);
    }

    private static CoReObjectCheck GuardsOnTarget()
    {
        var obj = CoReCheckObject.Load(CoReToolsKit.Tools("guards"));
        var target = BpfSharp.Btf.BtfSpec.Load(CoReToolsKit.Tools("guards___target"));
        var report = CoReCompatibility.Check([obj], [CoReKernel.FromSpec("carrier", target)]);
        return report[0, 0];
    }

    [Fact]
    public void Guards_GuardedUnguardedClean()
    {
        var cell = GuardsOnTarget();
        var byName = cell.Programs.ToDictionary(p => p.Name);
        Assert.Equal(CoReLoadVerdict.Guarded, byName["guarded"].Verdict);
        Assert.Equal(2, byName["guarded"].Counts.Guarded); // the missing field's offset and the missing enumerator's value
        Assert.Equal(CoReLoadVerdict.Fails, byName["unguarded"].Verdict);
        Assert.Equal(1, byName["unguarded"].Counts.Fails);
        Assert.Equal(CoReLoadVerdict.Loads, byName["clean"].Verdict);
        Assert.Equal(CoReLoadVerdict.Fails, cell.Verdict);
        Assert.Contains(cell.Relocations, r => r.Verdict == CoReLoadVerdict.Fails && r.Reason.Contains("reachable", StringComparison.Ordinal));
    }

    /// <summary>The kernel's verifier is the oracle for guarded vs fails: load every relocated program.</summary>
    [Fact]
    public void Guards_VerifierAgrees()
    {
        KernelObjects.RequireBpf();
        var obj = BpfSharp.Objects.ObjectSpec.Load(CoReToolsKit.Tools("guards"));
        var target = BpfSharp.Btf.BtfSpec.Load(CoReToolsKit.Tools("guards___target"));
        var relocated = CoReObjectRelocation.Relocate(obj, [new CoReTarget("vmlinux", target)]);
        var cell = GuardsOnTarget();
        foreach (var p in cell.Programs)
        {
            var insns = relocated.FindProgram(p.Name)!.Instructions;
            string? verifierError = null;
            try
            {
                using var prog = BpfProgram.Load(BpfProgramType.RawTracepoint, insns);
            }
            catch (BpfSyscallException e) when (!e.IsPermissionDenied)
            {
                verifierError = e.Log ?? e.Message;
            }
            if (p.Verdict == CoReLoadVerdict.Fails)
                Assert.True(verifierError is not null && verifierError.Contains("unknown#195896080", StringComparison.Ordinal),
                    $"{p.Name}: we say fails, the verifier says {verifierError ?? "loads"}");
            else
                Assert.True(verifierError is null, $"{p.Name}: we say {p.Verdict}, the verifier refuses:\n{verifierError}");
        }
    }

    [Fact]
    public void UnreadableKernel_FailsItsColumnWithTheReason()
    {
        string dir = TestPaths.NewScratchDirectory("core-tools-bad");
        string bad = Path.Combine(dir, "broken.btf");
        File.WriteAllBytes(bad, [1, 2, 3, 4, 5]);
        var obj = CoReCheckObject.Load(CoReToolsKit.CoreReads);
        var report = CoReCompatibility.Check([obj], CoReKernel.FromPaths([dir]));
        Assert.Equal(["broken"], report.Kernels);
        Assert.Equal(CoReLoadVerdict.Fails, report[0, 0].Verdict);
        Assert.Contains("BPFF", report[0, 0].Error!, StringComparison.Ordinal);
        Assert.False(report.AllLoad);
    }
}
