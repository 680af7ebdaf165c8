using BpfSharp.Btf;
using BpfSharp.CoRe;
using BpfSharp.CoRe.Tools;
using BpfSharp.Linux;
using BpfSharp.Objects;
using BpfSharp.Tests.CoRe;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Objects;

namespace BpfSharp.Tests.CoReTools;

/// <summary>
/// Minimal BTF: relocating against it gives the decisions of the full BTF (ours and libbpf's), the kernel accepts
/// it, and it is never larger than <c>bpftool gen min_core_btf</c>'s output, whose decisions are compared too.
/// </summary>
public sealed class MinimalBtfTests
{
    public static TheoryData<string> Kernels()
    {
        var data = CoReToolsKit.VmlinuxBlobNames();
        data.Add(TestPaths.Vmlinux);
        return data;
    }

    private static string RawPath(string kernel) => kernel.StartsWith('/') ? kernel : CoReToolsKit.Raw(kernel);

    private static BtfSpec Full(string kernel) => kernel.StartsWith('/') ? BtfSpec.Load(kernel) : CoReToolsKit.Spec(kernel);

    /// <summary>Objects whose relocations all succeed on this kernel (bpftool refuses objects with failing relocations).</summary>
    private static string[] UsableObjects(BtfSpec full) => CoReToolsKit.KernelObjects.Where(o =>
        CoReObjectRelocation.Relocate(ObjectSpec.Load(o), [new CoReTarget("vmlinux", full)]).Result.Succeeded).ToArray();

    /// <summary>Null when no test object relocates on this kernel (then both we and bpftool refuse: checked here).</summary>
    private static (string Path, byte[] Bytes, string[] Objects)? Generate(string kernel)
    {
        var full = Full(kernel);
        var objects = UsableObjects(full);
        if (objects.Length == 0)
        {
            Assert.Throws<BpfFormatException>(() => MinimalBtf.Generate(full, CoReToolsKit.KernelObjects.Select(ObjectSpec.Load)));
            string dir0 = TestPaths.NewScratchDirectory("min-btf");
            TestObjects.Run("bpftool", $"gen min_core_btf {TestObjects.Quote(RawPath(kernel))} {TestObjects.Quote(Path.Combine(dir0, "x.btf"))} {TestObjects.Quote(CoReToolsKit.KernelReads)}", allowFailure: true);
            Assert.False(File.Exists(Path.Combine(dir0, "x.btf")) && new FileInfo(Path.Combine(dir0, "x.btf")).Length > 0, "bpftool wrote min BTF for an object whose relocations fail");
            return null;
        }
        byte[] bytes = MinimalBtf.GenerateBytes(full, objects.Select(ObjectSpec.Load));
        string dir = TestPaths.NewScratchDirectory("min-btf");
        string path = Path.Combine(dir, "min.btf");
        File.WriteAllBytes(path, bytes);
        return (path, bytes, objects);
    }

    private static void AssertSameDecisions(string obj, BtfSpec full, BtfSpec min, string what)
    {
        var spec = ObjectSpec.Load(obj);
        var a = CoReObjectRelocation.Relocate(spec, [new CoReTarget("vmlinux", full)]);
        var b = CoReObjectRelocation.Relocate(spec, [new CoReTarget("vmlinux", min)]);
        Assert.Equal(a.Result.Errno, b.Result.Errno);
        Assert.Equal(a.Result.Relocations.Count, b.Result.Relocations.Count);
        for (int i = 0; i < a.Result.Relocations.Count; i++)
        {
            var x = a.Result.Relocations[i];
            var y = b.Result.Relocations[i];
            string where = $"{what}: {Path.GetFileName(obj)} {x.SectionName} relo #{x.RelocationIndex} ({x.LocalSpec})";
            Assert.True(x.Outcome == y.Outcome, $"{where}: {x.Outcome} vs {y.Outcome} ({y.Message})");
            Assert.True((x.Kind == CoReRelocationKind.TypeIdTarget || x.Value.NewValue == y.Value.NewValue) && x.Value.OriginalValue == y.Value.OriginalValue && x.Value.Poison == y.Value.Poison
                && x.Value.NewSize == y.Value.NewSize && x.Value.FailMemorySizeAdjust == y.Value.FailMemorySizeAdjust,
                $"{where}: full {x.Value.NewValue}/{x.Value.NewSize}, min {y.Value.NewValue}/{y.Value.NewSize}");
            // the same candidate: same name (ids differ), same access path
            string? nx = x.TargetTypeId == 0 ? null : full[x.TargetTypeId].Name, ny = y.TargetTypeId == 0 ? null : min[y.TargetTypeId].Name;
            Assert.True(nx == ny, $"{where}: candidate {nx} vs {ny}");
            Assert.Equal(x.TargetRawSpec?.Count, y.TargetRawSpec?.Count); // indices differ: unused members are gone
        }
        // Patched programs are identical, except where the value is a target type id (ids differ by design).
        var typeIds = a.Result.Relocations.Where(r => r.Kind == CoReRelocationKind.TypeIdTarget && r.Outcome == CoReOutcome.Patched)
            .Select(r => (r.ProgramName, r.InstructionIndex)).ToHashSet();
        foreach (var pa in a.Programs)
        {
            var pb = b.Programs.First(p => p.Name == pa.Name && p.SectionName == pa.SectionName);
            Assert.Equal(pa.Instructions.Length, pb.Instructions.Length);
            for (int i = 0; i < pa.Instructions.Length; i++)
            {
                if (typeIds.Contains((pa.Name, i)) || (i > 0 && typeIds.Contains((pa.Name, i - 1)) && pa.Instructions[i - 1].IsLoadImm64)) continue;
                Assert.True(pa.Instructions[i] == pb.Instructions[i], $"{what}: {pa.Name} insn #{i} differs: full {CoReTestKit.Hex(pa.Instructions[i])}, min {CoReTestKit.Hex(pb.Instructions[i])}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void MinBtf_SameDecisionsAsFull_OursAndLibbpf(string kernel)
    {
        if (Generate(kernel) is not var (path, _, objects)) return;
        var full = Full(kernel);
        var min = BtfSpec.Load(path);
        Assert.True(min.TypeCount < full.TypeCount / 50, $"min BTF has {min.TypeCount} types of {full.TypeCount}");
        foreach (var obj in objects)
        {
            AssertSameDecisions(obj, full, min, "bpfsharp");
            var oFull = CoReTestKit.RunOracle(obj, ("vmlinux", RawPath(kernel), null));
            var oMin = CoReTestKit.RunOracle(obj, ("vmlinux", path, null));
            AssertSameOracle(oFull, oMin, $"libbpf {Path.GetFileName(obj)}", TypeIdRelocations(obj));
        }
    }

    /// <summary>(section, relo #) of the object's TYPE_ID_TARGET records: their value is an id of the target BTF itself.</summary>
    private static HashSet<(string, int)> TypeIdRelocations(string obj)
    {
        var set = new HashSet<(string, int)>();
        foreach (var sec in ObjectSpec.Load(obj).BtfExt!.CoReRelocations)
            for (int i = 0; i < sec.Records.Length; i++)
                if (sec.Records[i].Kind == CoReRelocationKind.TypeIdTarget) set.Add((sec.Name, i));
        return set;
    }

    private static void AssertSameOracle(OracleRun full, OracleRun min, string what, HashSet<(string, int)> typeIds)
    {
        Assert.Equal(full.Result, min.Result);
        Assert.Equal(full.Decisions.Count, min.Decisions.Count);
        for (int i = 0; i < full.Decisions.Count; i++)
        {
            var (x, y) = (full.Decisions[i], min.Decisions[i]);
            bool typeIdTarget = typeIds.Contains((x.Section, x.Relo));
            Assert.True(x.Err == y.Err && x.Poison == y.Poison && x.MemSizeFail == y.MemSizeFail && x.NewSize == y.NewSize
                && (x.New == y.New || typeIdTarget), $"{what}: {x.Section} relo #{x.Relo}: full {x}, min {y}");
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void MinBtf_KernelAccepts(string kernel)
    {
        KernelObjects.RequireBpf();
        if (Generate(kernel) is not var (_, bytes, _)) return;
        using var btf = KernelBtf.Load(bytes);
        Assert.True(btf.Id > 0);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void MinBtf_NoLargerThanBpftool_AndBpftoolsDecisionsAgree(string kernel)
    {
        if (Generate(kernel) is not var (path, bytes, objects)) return;
        string theirs = Path.Combine(Path.GetDirectoryName(path)!, "bpftool.btf");
        TestObjects.Run("bpftool", $"gen min_core_btf {TestObjects.Quote(RawPath(kernel))} {TestObjects.Quote(theirs)} {string.Join(' ', objects.Select(TestObjects.Quote))}");
        long theirSize = new FileInfo(theirs).Length;
        Assert.True(bytes.Length <= theirSize, $"ours {bytes.Length} bytes, bpftool {theirSize}");
        // same types as bpftool (names and kinds, in order); only enumerator lists may be shorter
        var ours = BtfSpec.Load(path);
        var bt = BtfSpec.Load(theirs);
        Assert.Equal(bt.TypeCount, ours.TypeCount);
        for (int id = 1; id < ours.TypeCount; id++)
        {
            Assert.Equal(bt[id].Kind, ours[id].Kind);
            Assert.Equal(bt[id].Name, ours[id].Name);
            if (!ours[id].Kind.IsAnyEnum()) Assert.Equal(bt[id].Vlen, ours[id].Vlen);
            else Assert.True(ours[id].Vlen <= bt[id].Vlen);
        }
        foreach (var obj in objects)
            AssertSameOracle(CoReTestKit.RunOracle(obj, ("vmlinux", theirs, null)), CoReTestKit.RunOracle(obj, ("vmlinux", path, null)),
                $"bpftool vs ours {Path.GetFileName(obj)}", TypeIdRelocations(obj));
    }

    [Fact]
    public void MinBtf_GuardsCarrier_KeepsOnlyUsedEnumerators()
    {
        var target = BtfSpec.Load(CoReToolsKit.Tools("guards___target"));
        var min = BtfSpec.Parse(MinimalBtf.GenerateBytes(target, [ObjectSpec.Load(CoReToolsKit.Tools("guards"))]));
        int enumId = min.FindByName("core_tools_state___v2", BtfKind.Enum);
        Assert.True(enumId > 0);
        var e = min[enumId];
        Assert.Equal(1, e.Vlen); // CORE_TOOLS_ON only; CORE_TOOLS_OFF is not used
        Assert.Equal("CORE_TOOLS_ON", e.GetEnumValue(0).Name);
        var s = min[min.FindByName("core_tools_guard___v2", BtfKind.Struct)];
        Assert.Equal(["present", "mode"], Enumerable.Range(0, s.Vlen).Select(i => s.GetMember(i).Name).ToArray()); // 'pad' and 'state' dropped, the size kept
        Assert.Equal(target[target.FindByName("core_tools_guard___v2", BtfKind.Struct)].Size, s.Size);
        // an enum needed only as a member's type keeps its name and size, no enumerators
        var mode = min[min.FindByName("core_tools_mode___v2", BtfKind.Enum)];
        Assert.Equal(0, mode.Vlen);
        Assert.Equal(4u, mode.Size);
        AssertSameDecisions(CoReToolsKit.Tools("guards"), target, min, "carrier");
    }

    [Fact]
    public void MinBtf_WithEnumeratorLessEnum_KernelAccepts()
    {
        KernelObjects.RequireBpf();
        var target = BtfSpec.Load(CoReToolsKit.Tools("guards___target"));
        byte[] bytes = MinimalBtf.GenerateBytes(target, [ObjectSpec.Load(CoReToolsKit.Tools("guards"))]);
        using var btf = KernelBtf.Load(bytes);
        Assert.True(btf.Id > 0);
    }

    [Fact]
    public void KernelFiles_XzAndTarXz_ReadLikeGz()
    {
        string dir = TestPaths.NewScratchDirectory("core-tools-xz");
        string raw = CoReToolsKit.Raw("ci-5.13.2.btf.gz");
        string name = "5.13.2-test.btf";
        File.Copy(raw, Path.Combine(dir, name));
        TestObjects.Run("tar", $"-cJf {TestObjects.Quote(Path.Combine(dir, "5.13.2-tar.btf.tar.xz"))} -C {TestObjects.Quote(dir)} {name}");
        TestObjects.Run("xz", $"-k {TestObjects.Quote(Path.Combine(dir, name))}");
        File.Copy(TestPaths.Kernel("ci-5.13.2.btf.gz"), Path.Combine(dir, "5.13.2-gz.btf.gz"));
        var files = KernelBtfFiles.Expand([dir]);
        Assert.Equal(4, files.Count);
        var expected = File.ReadAllBytes(raw);
        foreach (var f in files)
        {
            var spec = KernelBtfFiles.Load(f);
            Assert.Equal(72_709 + 1, spec.TypeCount);
            Assert.Equal(expected.Length, spec.Header.HeaderLength + (long)spec.Header.TypeLength + spec.Header.StringLength);
        }
        Assert.Equal(["5.13.2-gz", "5.13.2-tar", "5.13.2-test", "5.13.2-test"], files.Select(KernelBtfFiles.DisplayName).ToArray());
        string broken = Path.Combine(dir, "broken.btf.xz");
        File.WriteAllBytes(broken, [0xfd, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0, 1, 2, 3]);
        Assert.Throws<BpfFormatException>(() => KernelBtfFiles.Load(broken));
    }
}
