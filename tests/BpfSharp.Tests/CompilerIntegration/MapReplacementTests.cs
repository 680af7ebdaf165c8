using BpfSharp.Compilation;
using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.CompilerIntegration;

/// <summary>
/// <see cref="BpfLoaderOptions.MapReplacements"/>: an object uses a map the caller made (or another object loaded)
/// instead of creating its own; a mismatch is refused naming it; the caller's map outlives the collection.
/// And <see cref="MemoryLockLimit"/>: this kernel charges the memory cgroup, so the limit is left alone.
/// </summary>
[Collection(TinyBpfProjectCollection.Name)]
public sealed class MapReplacementTests(BuiltTinyProject built)
{
    [Fact]
    public void ProgramsWriteIntoTheReplacementMap()
    {
        KernelObjects.RequireBpf();
        using var shared = BpfMap.Create(BpfMapType.Array, 4, 8, 1, name: "shared_runs");
        shared.Update(0u, 100UL);

        using (var o = BpfProgramSet.CompileAndOpen(built.Project.AssemblyPath, new BpfLoaderOptions
               {
                   MapReplacements = new Dictionary<string, BpfMap> { ["Runs"] = shared },
               }))
        {
            o.Load();
            o.Program("CountAndMeasure").TestRun(new byte[64]);
            Assert.Equal(shared.Id, o.Map("Runs").Id);
        }

        // The collection is gone; the caller's map is still open and saw the program's increment.
        Assert.True(shared.TryLookup(0u, out ulong runs));
        Assert.Equal(101UL, runs);
    }

    [Fact]
    public void AMismatchedReplacementIsRefusedNamingTheDifference()
    {
        KernelObjects.RequireBpf();
        using var wrong = BpfMap.Create(BpfMapType.Array, 4, 8, 2);

        using var o = BpfProgramSet.CompileAndOpen(built.Project.AssemblyPath, new BpfLoaderOptions
        {
            MapReplacements = new Dictionary<string, BpfMap> { ["Runs"] = wrong },
        });
        var e = Assert.Throws<BpfLoadException>(() => o.Load());

        Assert.Contains("map 'Runs'", e.Message);
        Assert.Contains("max entries 2 instead of 1", e.Message);
        Assert.True(wrong.TryLookup(0u, out ulong _));   // still usable
    }

    [Fact]
    public void MemoryLockLimitIsLeftAloneWhereTheKernelUsesCgroupAccounting()
    {
        KernelObjects.RequireBpf();
        var before = MemoryLockLimit.Read();

        Assert.True(MemoryLockLimit.KernelUsesCgroupAccounting, "a 5.11+ kernel charges BPF memory to the cgroup");
        Assert.False(MemoryLockLimit.RaiseIfNeeded());
        Assert.Equal(before, MemoryLockLimit.Read());
    }
}
