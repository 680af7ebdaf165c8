using BpfSharp.CoRe;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Objects;

namespace BpfSharp.Tests.CoRe;

/// <summary>
/// A realistic tracing object (task_struct chains, file/dentry/inode, sock bitfields, sk_buff, enums, a module type,
/// tp_btf direct reads) built against the running kernel's vmlinux.h, relocated against the running kernel and every
/// shared kernel blob (with module BTFs where available), decision by decision and log line by log line vs libbpf.
/// </summary>
public sealed class CoReKernelObjectTests
{
    private static readonly Lazy<string> Object = new(() => BpfSharp.Tests.CoReTools.CoReToolsKit.KernelReads);

    /// <summary>Target sets: "running" or a blob, with the module blobs that are split over it.</summary>
    public static TheoryData<string> Targets() => new()
    {
        "running",
        "debian-6.1.192-amd64.btf.gz",
        "debian-6.12.117-amd64.btf.gz",
        "ci-5.13.2.btf.gz",
        "ci-2019-5.x.btf.gz",
        "ci-7.1-hdr32.btf.gz",
    };

    [Theory]
    [MemberData(nameof(Targets))]
    public void KernelObject_MatchesLibbpf(string target)
    {
        var targets = new List<(string, string, string?)>();
        if (target == "running")
        {
            targets.Add(("vmlinux", TestPaths.Vmlinux, null));
            foreach (var m in Directory.GetFiles("/sys/kernel/btf").Where(f => Path.GetFileName(f) != "vmlinux").Order(StringComparer.Ordinal))
                targets.Add((Path.GetFileName(m), m, TestPaths.Vmlinux));
        }
        else
        {
            string vmlinux = CoReTestKit.RawKernelBlob(target);
            targets.Add(("vmlinux", vmlinux, null));
            foreach (var b in KernelBlobs.All.Where(b => b.Base == target))
            {
                string module = b.File.Split('.')[^3]; // debian-6.1.192-amd64.xfs.btf.gz -> xfs
                targets.Add((module, CoReTestKit.RawKernelBlob(b.File), vmlinux));
            }
        }
        var result = CoReTestKit.AssertSameAsLibbpf(Object.Value, [.. targets]);
        // (the 2019 kernel stops early at a hard error, exactly like libbpf)
        Assert.Contains(result.Result.Relocations, r => r.Outcome == CoReOutcome.Patched);
    }

    [Fact]
    public void ModuleTypes_AreFoundInModuleBtf_OnlyWhenVmlinuxHasNone()
    {
        string vmlinux = CoReTestKit.RawKernelBlob("debian-6.1.192-amd64.btf.gz");
        string xfs = CoReTestKit.RawKernelBlob("debian-6.1.192-amd64.xfs.btf.gz");
        var result = CoReTestKit.AssertSameAsLibbpf(Object.Value, ("vmlinux", vmlinux, null), ("xfs", xfs, vmlinux));
        var xfsRelos = result.Result.Relocations.Where(r => r.LocalSpec?.Contains("xfs_", StringComparison.Ordinal) == true && r.TargetName is not null).ToList();
        Assert.NotEmpty(xfsRelos);
        Assert.All(xfsRelos, r => Assert.Equal("xfs", r.TargetName));
        Assert.All(result.Result.Relocations.Where(r => r.LocalSpec?.Contains("task_struct", StringComparison.Ordinal) == true && r.TargetName is not null),
            r => Assert.Equal("vmlinux", r.TargetName));
    }

    [Fact]
    public void HotPath_RelocatingWithWarmCaches_AllocatesNothing()
    {
        var spec = BpfSharp.Objects.ObjectSpec.Load(Object.Value);
        var vmlinux = BpfSharp.Btf.BtfSpec.Load(TestPaths.Vmlinux);
        var relocator = new CoReRelocator(spec.Btf!, [new CoReTarget("vmlinux", vmlinux)]);
        var work = new List<(CoReRelocationRecord Rec, int Index, string Prog, BpfSharp.Instructions.Instruction[] Insns, int Insn)>();
        foreach (var sec in spec.BtfExt!.CoReRelocations)
            for (int i = 0; i < sec.Count; i++)
            {
                var rec = sec[i];
                int sectionInsn = (int)(rec.InstructionByteOffset / 8);
                var prog = spec.Programs.First(p => p.SectionName == sec.Name && p.Contains(sectionInsn));
                work.Add((rec, i, prog.Name, prog.Instructions.ToArray(), sectionInsn - prog.InstructionOffset));
            }
        var copies = work.Select(w => (BpfSharp.Instructions.Instruction[])w.Insns.Clone()).ToArray();
        for (int i = 0; i < work.Count; i++) // warm-up: candidate search, JIT
            relocator.RelocateInstruction(work[i].Prog, copies[i], work[i].Insn, work[i].Rec, work[i].Index);
        for (int i = 0; i < work.Count; i++) work[i].Insns.CopyTo(copies[i], 0);

        // The vmlinux spec may be shared with tests running in parallel, and its name index is built lazily once
        // scanning has cost enough: that one-time build may land in a measured pass. The hot path must allocate
        // nothing in steady state, so a pass that allocated is measured again, once.
        long allocated = 0;
        for (int attempt = 0; attempt < 2; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < work.Count; i++)
                relocator.RelocateInstruction(work[i].Prog, copies[i], work[i].Insn, work[i].Rec, work[i].Index);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated == 0) break;
            for (int i = 0; i < work.Count; i++) work[i].Insns.CopyTo(copies[i], 0);
        }
        Assert.Equal(0, allocated);
        Assert.True(work.Count > 50);
    }
}
