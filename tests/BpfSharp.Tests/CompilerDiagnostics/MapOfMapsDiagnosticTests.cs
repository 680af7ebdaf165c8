using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.CompilerDiagnostics;

/// <summary>A map of maps' declaration the kernel or libbpf would refuse is a compile error naming the maps, not an
/// object that fails at load: an initial slot of the wrong shape or out of range, a map of maps as the inner class.</summary>
public sealed class MapOfMapsDiagnosticTests
{
    private const string Template = """
        using BpfSharp.Kernel;

        [assembly: License("GPL")]

        public static unsafe class BadMapsOfMaps
        {
            static readonly ArrayMap<ulong> FourSlots = new(maxEntries: 4);
            static readonly ArrayMap<ulong> Mapped = new(maxEntries: 4, flags: MapFlags.Mmapable);
            DECLARATION

            [Xdp]
            public static int UseOuter(XdpMd* ctx)
            {
                var inner = BadOuter.Lookup(0);
                return inner == null ? 1 : 2;
            }
        }
        """;

    private static List<BpfSharp.Compiler.CompilerDiagnostic> Errors(string declaration)
    {
        var compilation = BpfSourceCompiler.Compile("BadMapsOfMaps", Template.Replace("DECLARATION", declaration));
        Assert.False(compilation.Success, "compiled: " + declaration);
        return compilation.Diagnostics.Where(d => d.IsError).ToList();
    }

    [Fact]
    public void AnInitialSlotOfAnotherShapeIsBpfs1011()
    {
        // C# types keep the key and value apart; max_entries and flags are what a slot's map can still get wrong.
        var error = Assert.Single(Errors("static readonly ArrayOfMaps<ArrayMap<ulong>> BadOuter = new(maxEntries: 2, innerMaxEntries: 8) { [0] = FourSlots };"));
        Assert.Equal("BPFS1011", error.Id);
        Assert.Contains("'BadOuter'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'FourSlots'", error.Message, StringComparison.Ordinal);
        Assert.Contains("[0]", error.Message, StringComparison.Ordinal);
        Assert.Equal("BPFS1011", Assert.Single(Errors(
            "static readonly ArrayOfMaps<ArrayMap<ulong>> BadOuter = new(maxEntries: 2, innerMaxEntries: 4) { [1] = Mapped };")).Id);
        // The template's own shape compiles.
        Assert.True(BpfSourceCompiler.Compile("GoodMapsOfMaps", Template.Replace("DECLARATION",
            "static readonly ArrayOfMaps<ArrayMap<ulong>> BadOuter = new(maxEntries: 2, innerMaxEntries: 4) { [0] = FourSlots };")).Success);
    }

    [Fact]
    public void AnInitialSlotBeyondMaxEntriesIsAnError()
    {
        var error = Assert.Single(Errors("static readonly ArrayOfMaps<ArrayMap<ulong>> BadOuter = new(maxEntries: 2, innerMaxEntries: 4) { [2] = FourSlots };"));
        Assert.Contains("[2]", error.Message, StringComparison.Ordinal);
        Assert.Contains("2 entries", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMapOfMapsCannotBeTheInnerClass()
    {
        var error = Assert.Single(Errors("static readonly HashOfMaps<uint, ArrayOfMaps<ArrayMap<ulong>>> BadOuter = new(maxEntries: 2, innerMaxEntries: 4);"));
        Assert.Equal("BPFS1011", error.Id);
        Assert.Contains("nests no maps of maps", error.Message, StringComparison.Ordinal);
    }
}
