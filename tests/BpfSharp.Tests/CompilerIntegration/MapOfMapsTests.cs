using System.Text;
using BpfSharp.Btf;
using BpfSharp.Compiler;
using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Linux.Maps;
using BpfSharp.Objects;
using BpfSharp.Tests.Compiler;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Loading;

namespace BpfSharp.Tests.CompilerIntegration;

/// <summary>
/// Maps of maps declared in C# (<c>ArrayOfMaps&lt;TInner&gt;</c>, <c>HashOfMaps&lt;TKey, TInner&gt;</c>), against their C
/// twin (testdata/twins/map_of_maps.bpf.c, clang-19): the same BTF map definitions, the same counts in the kernel when
/// user space puts its own inner maps in the slots, and libbpf (bpftool) loading our object and filling the initial slot.
/// </summary>
public sealed class MapOfMapsTests
{
    private const string Program = "CountIntoInner";

    /// <summary>The C# twin alone, compiled from the test programs assembly.</summary>
    private static readonly Lazy<byte[]> CSharpObject = new(() =>
    {
        var compiled = BpfCompiler.Compile(CompiledTestPrograms.AssemblyPath,
            new BpfCompilerOptions { ProgramFilter = name => name.StartsWith("BpfSharp.TestPrograms.Twins.MapOfMapsTwin.", StringComparison.Ordinal) });
        Assert.True(compiled.Success, string.Join("\n", compiled.Diagnostics));
        return compiled.Object!;
    });

    private static string CObjectPath => LoaderObjects.Compile(Path.Combine(TestPaths.TestData, "twins", "map_of_maps.bpf.c"), mustCompile: true)!;

    [Fact]
    public void MapDefinitionsAreClangs()
    {
        var ours = ObjectSpec.Read(CSharpObject.Value, "map_of_maps_cs.bpf.o");
        var clang = ObjectSpec.Load(CObjectPath);
        Assert.Equal(Shapes(clang), Shapes(ours));
        Assert.Equal(Definitions(clang), Definitions(ours));
        // What the shapes say, spelled out once: the inner template and the initial slot.
        var bySlot = ours.Maps.Single(m => m.Name == "CountsBySlot");
        Assert.Equal((BpfMapType.ArrayOfMaps, 4u, 4u, 2u), (bySlot.Type, bySlot.KeySize, bySlot.ValueSize, bySlot.MaxEntries));
        Assert.Equal((BpfMapType.Array, 4u, 8u, 4u), (bySlot.InnerMap!.Type, bySlot.InnerMap.KeySize, bySlot.InnerMap.ValueSize, bySlot.InnerMap.MaxEntries));
        Assert.Equal([new MapInitialValue(1, "PresetCounts")], bySlot.InitialValues);
        var byKey = ours.Maps.Single(m => m.Name == "CountsByKey");
        Assert.Equal((BpfMapType.Hash, 4u, 8u, 16u), (byKey.InnerMap!.Type, byKey.InnerMap.KeySize, byKey.InnerMap.ValueSize, byKey.InnerMap.MaxEntries));
        Assert.Empty(byKey.InitialValues);
    }

    [Fact]
    public void CSharpAndCCountIntoTheInnerMapsUserSpacePutInTheSlots()
    {
        KernelObjects.RequireBpf();
        var fromCSharp = Exercise(BpfObject.Open(CSharpObject.Value, "map_of_maps_cs.bpf.o"));
        var fromC = Exercise(BpfObject.Open(CObjectPath));
        // Selector 0: three 64-byte packets into the first inner maps; selector 1: two 100-byte packets into the
        // second; selector 5: no map in either slot, nothing counted.
        Assert.Equal("first: 3 packets 192 bytes; second: 2 packets 200 bytes; preset: 0 packets; by length A: 64=3; by length B: 100=2", fromCSharp);
        Assert.Equal(fromC, fromCSharp);
    }

    [Fact]
    public void BpftoolLoadsTheObjectAndFillsTheInitialSlot()
    {
        KernelObjects.RequireBpf();
        var dir = TestPaths.NewScratchDirectory("map-of-maps");
        var objectPath = Path.Combine(dir, "map_of_maps_cs.bpf.o");
        File.WriteAllBytes(objectPath, CSharpObject.Value);
        var suffix = Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8];
        string programs = "/sys/fs/bpf/bpfsharp-mom-progs-" + suffix, maps = "/sys/fs/bpf/bpfsharp-mom-maps-" + suffix;
        try
        {
            var result = ExternalTool.Run("bpftool", ["prog", "loadall", objectPath, programs, "pinmaps", maps]);
            Assert.True(result.ExitCode == 0, $"bpftool prog loadall: {result.Stderr}");
            Assert.True(File.Exists(Path.Combine(programs, Program)), "bpftool did not pin " + Program);
            using var outer = BpfMap.OpenPinned(Path.Combine(maps, "CountsBySlot"));
            using var preset = BpfMap.OpenPinned(Path.Combine(maps, "PresetCounts"));
            var slots = new BpfMapOfMaps<uint>(outer);
            Assert.Equal(preset.Id, slots.GetInnerMapId(1u));
            Assert.Null(slots.GetInnerMapId(0u));
        }
        finally
        {
            foreach (var pins in new[] { programs, maps })
            {
                if (!Directory.Exists(pins)) continue;
                foreach (var f in Directory.GetFiles(pins)) File.Delete(f);
                Directory.Delete(pins);
            }
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TheKernelRefusesInnerMapsNotShapedLikeTheTemplate()
    {
        KernelObjects.RequireBpf();
        using var obj = BpfObject.Open(CSharpObject.Value, "map_of_maps_cs.bpf.o");
        obj.Load();
        var slots = obj.MapOfMaps<uint>("CountsBySlot");
        using var fits = obj.CreateInnerMap("CountsBySlot");
        Assert.Equal((BpfMapType.Array, 4, 8, 4), (fits.Type, fits.KeySize, fits.ValueSize, fits.MaxEntries));
        slots.Set(0u, fits);
        using var tooBig = BpfMap.Create(BpfMapType.Array, 4, 8, 8);
        Assert.Throws<BpfSyscallException>(() => slots.Set(1u, tooBig));
        Assert.Throws<ArgumentException>(() => obj.MapOfMaps<ulong>("CountsBySlot"));
        Assert.Throws<ArgumentException>(() => obj.MapOfMaps<uint>("PresetCounts"));
        Assert.Throws<InvalidOperationException>(() => obj.CreateInnerMap("PresetCounts"));
        Assert.True(slots.Delete(0u));
        Assert.Null(slots.GetInnerMapId(0u));
    }

    /// <summary>Loads the object, puts fresh inner maps in the slots, runs the program and describes the counts.</summary>
    private static string Exercise(BpfObject obj)
    {
        using (obj)
        {
            obj.Load();
            var slots = obj.MapOfMaps<uint>("CountsBySlot");
            var byKey = obj.MapOfMaps<uint>("CountsByKey");
            // The initial slot ({ [1] = PresetCounts }) is filled at load.
            Assert.Equal(obj.Map("PresetCounts").Id, slots.GetInnerMapId(1u));
            Assert.Null(slots.GetInnerMapId(0u));

            using var first = obj.CreateInnerMap("CountsBySlot", "mom_first");
            using var second = obj.CreateInnerMap("CountsBySlot", "mom_second");
            using var lengthsA = obj.CreateInnerMap("CountsByKey", "mom_len_a");
            using var lengthsB = obj.CreateInnerMap("CountsByKey", "mom_len_b");
            slots.Set(0u, first);
            slots.Set(1u, second);
            byKey.Set(0u, lengthsA);
            byKey.Set(1u, lengthsB);
            Assert.Equal(second.Id, slots.GetInnerMapId(1u));
            Assert.Equal([0u, 1u], byKey.Keys.Order());

            var selector = obj.Map<uint, uint>("SlotSelector");
            var program = obj.Program(Program);
            void Run(uint slot, int length, uint times)
            {
                selector.Update(0u, slot);
                var run = program.TestRun(new byte[length], repeat: times);
                Assert.Equal(2u, run.ReturnValue); // XDP_PASS
            }

            Run(0, 64, 3);
            Run(1, 100, 2);
            Run(5, 80, 1);

            // Read the first slot's map back through its id, as a tool that did not keep the fd would.
            using var reopened = slots.OpenInner(0u)!;
            Assert.Equal(first.Id, reopened.Id);
            var counts = new BpfMap<uint, ulong>(reopened);
            var secondCounts = new BpfMap<uint, ulong>(second);
            var preset = obj.Map<uint, ulong>("PresetCounts");
            string Lengths(BpfMap map) => string.Join(",", new BpfMap<uint, ulong>(map).Entries.OrderBy(e => e.Key).Select(e => $"{e.Key}={e.Value}"));
            return $"first: {counts[0]} packets {counts[1]} bytes; second: {secondCounts[0]} packets {secondCounts[1]} bytes; "
                + $"preset: {preset[0]} packets; by length A: {Lengths(lengthsA)}; by length B: {Lengths(lengthsB)}";
        }
    }

    /// <summary>The map definitions as the loader reads them (what libbpf would create).</summary>
    internal static List<string> Definitions(ObjectSpec spec) =>
        spec.Maps.OrderBy(m => m.Name, StringComparer.Ordinal)
            .Select(m => $"{m} parts {m.Parts} size {m.DefinitionSize} inner [{m.InnerMap}] slots [{string.Join(",", m.InitialValues)}]")
            .ToList();

    /// <summary>Each .maps variable's type as a shape: no type ids, typedefs resolved (clang's __u32 is our unsigned int).</summary>
    internal static Dictionary<string, string> Shapes(ObjectSpec spec)
    {
        var btf = spec.Btf!;
        var shapes = new Dictionary<string, string>();
        for (var id = btf.StartId; id < btf.TypeCount; id++)
        {
            var t = btf[id];
            if (t.Kind != BtfKind.DataSec || t.Name != ".maps") continue;
            for (var i = 0; i < t.Vlen; i++)
            {
                var v = t.GetDataSecVar(i);
                var variable = btf[v.TypeId];
                shapes[variable.Name] = $"size {v.Size}: {Shape(btf, variable.ReferencedTypeId, 0)}";
            }
        }
        Assert.NotEmpty(shapes);
        return shapes;
    }

    internal static string Shape(BtfSpec btf, int id, int depth)
    {
        Assert.True(depth < 16, "BTF nests too deeply");
        var t = btf[id];
        return t.Kind switch
        {
            BtfKind.Typedef or BtfKind.Const or BtfKind.Volatile => Shape(btf, t.ReferencedTypeId, depth + 1),
            BtfKind.Int => $"{t.Name}/{t.Size}/{t.IntEncoding}/{t.IntBits}",
            BtfKind.Pointer => "*" + Shape(btf, t.ReferencedTypeId, depth + 1),
            BtfKind.Array => $"[{t.ArrayLength}]{Shape(btf, t.ArrayElementType, depth + 1)}",
            BtfKind.Struct => $"struct {(t.IsAnonymous ? "" : t.Name)}({t.Size}){{"
                + string.Join("; ", Enumerable.Range(0, t.Vlen).Select(i => t.GetMember(i)).Select(m => $"{m.Name}@{m.BitOffset}: {Shape(btf, m.TypeId, depth + 1)}")) + "}",
            _ => t.Kind.ToString(),
        };
    }
}
