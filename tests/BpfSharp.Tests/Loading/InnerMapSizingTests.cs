using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Loading;

/// <summary>
/// Sizing a map-in-map's inner template before load: the kernel is the oracle, since it accepts as values of the
/// outer map only inner maps whose max_entries equal the template's.
/// </summary>
public sealed class InnerMapSizingTests
{
    [Fact]
    public void InnerTemplateSizeDecidesWhichInnerMapsTheKernelAccepts()
    {
        KernelObjects.RequireBpf();
        foreach (var (templateSize, resized) in new[] { (1u, false), (64u, true) })
        {
            using var obj = BpfObject.Open(LoaderObjects.Get("inner_sizing"));
            if (resized) obj.SetInnerMapMaxEntries("outer", templateSize);
            Assert.Equal(templateSize, obj.Loader.GetInnerMapMaxEntries("outer"));
            Assert.Equal(4u, obj.Loader.GetMaxEntries("outer")); // the outer map keeps its own size
            obj.Load();
            var outer = obj.Map("outer");
            Assert.Equal(4, outer.MaxEntries);
            using var fits = BpfMap.Create(BpfMapType.Array, 4, 4, (int)templateSize, name: "bpfsharp_t_in1");
            using var other = BpfMap.Create(BpfMapType.Array, 4, 4, resized ? 1 : 64, name: "bpfsharp_t_in2");
            outer.SetInnerMap(BitConverter.GetBytes(0u), fits);
            var e = Assert.Throws<BpfSyscallException>(() => outer.SetInnerMap(BitConverter.GetBytes(1u), other));
            Assert.Equal(22, e.Errno); // EINVAL: max_entries differs from the template's
        }

        using var notLoaded = BpfObject.Open(LoaderObjects.Get("inner_sizing"));
        Assert.Throws<KeyNotFoundException>(() => notLoaded.SetInnerMapMaxEntries("no_such_map", 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => notLoaded.SetInnerMapMaxEntries("outer", 0));
        var everything = BpfObject.Open(LoaderObjects.Get("everything"));
        using (everything)
            Assert.Contains("not a map of maps", Assert.Throws<InvalidOperationException>(() => everything.SetInnerMapMaxEntries("hash", 2)).Message);
    }
}
