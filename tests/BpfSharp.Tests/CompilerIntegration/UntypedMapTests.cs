using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Loading;

namespace BpfSharp.Tests.CompilerIntegration;

/// <summary>
/// The escape hatch for a map type the library does not model: <c>UntypedMap</c> declares any <c>BPF_MAP_TYPE_*</c>
/// number with key and value sizes in bytes. Its definition must be what clang writes for
/// <c>__uint(key_size, …)</c>/<c>__uint(value_size, …)</c> (testdata/twins/untyped_maps.bpf.c), and the kernel must
/// create and use it.
/// </summary>
public sealed class UntypedMapTests
{
    private const string Source = """
        using BpfSharp.Kernel;

        [assembly: License("GPL")]

        public static unsafe class UntypedMaps
        {
            // BPF_MAP_TYPE_ARRAY (2) and BPF_MAP_TYPE_HASH (1), declared by number and byte sizes.
            static readonly UntypedMap RawArray = new(type: 2, keySize: 4, valueSize: 16, maxEntries: 4);
            static readonly UntypedMap RawHash = new(type: 1, keySize: 8, valueSize: 8, maxEntries: 8, flags: MapFlags.NoPrealloc);

            [Xdp]
            public static int WriteRaw(XdpMd* ctx)
            {
                uint index = 2;
                ulong* slot = (ulong*)RawArray.Lookup(&index);
                if (slot != null)
                {
                    slot[0] = 0x1122;
                    slot[1] = ctx->DataEnd - ctx->Data;
                }

                ulong key = 0xfeed;
                ulong value = 7;
                RawHash.Update(&key, &value);
                return (int)XdpAction.Pass;
            }
        }
        """;

    private static readonly Lazy<byte[]> CSharpObject = new(() =>
    {
        var compiled = BpfSourceCompiler.Compile("UntypedMaps", Source);
        Assert.True(compiled.Success, string.Join("\n", compiled.Diagnostics));
        return compiled.Object!;
    });

    [Fact]
    public void DefinitionsAreClangsAndTheKernelUsesTheMaps()
    {
        var ours = ObjectSpec.Read(CSharpObject.Value, "untyped_maps_cs.bpf.o");
        var clang = ObjectSpec.Load(LoaderObjects.Compile(Path.Combine(TestPaths.TestData, "twins", "untyped_maps.bpf.c"), mustCompile: true)!);
        Assert.Equal(MapOfMapsTests.Shapes(clang), MapOfMapsTests.Shapes(ours));
        Assert.Equal(MapOfMapsTests.Definitions(clang), MapOfMapsTests.Definitions(ours));
        var raw = ours.Maps.Single(m => m.Name == "RawHash");
        Assert.Equal((BpfMapType.Hash, 8u, 8u, 8u, 1u), (raw.Type, raw.KeySize, raw.ValueSize, raw.MaxEntries, raw.Flags));

        KernelObjects.RequireBpf();
        using var obj = BpfObject.Open(CSharpObject.Value, "untyped_maps_cs.bpf.o");
        obj.Load();
        Assert.Equal(2u, obj.Program("WriteRaw").TestRun(new byte[60]).ReturnValue);
        var slot = new byte[16];
        Assert.True(obj.Map("RawArray").TryLookup(BitConverter.GetBytes(2u), slot));
        Assert.Equal(0x1122ul, BitConverter.ToUInt64(slot, 0));
        Assert.Equal(60ul, BitConverter.ToUInt64(slot, 8));
        Assert.True(obj.Map<ulong, ulong>("RawHash").TryLookup(0xfeedul, out var value));
        Assert.Equal(7ul, value);
        Assert.Equal((BpfMapType.Hash, 1), (obj.Map("RawHash").Type, (int)obj.Map("RawHash").Flags));
    }
}
