using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.CompilerDiagnostics;

/// <summary>Two program classes compiled into one object that declare a map or a global of the same name: one
/// BPFS2004 naming both declarations (the object has one symbol per name), not a compiler crash.</summary>
public sealed class DuplicateNameTests
{
    private const string Source = """
        using BpfSharp.Kernel;

        public static unsafe class First
        {
            static readonly ArrayMap<long> DupCounts = new(maxEntries: 1);
            static long DupTotal;

            [Xdp]
            public static int CountFirst(XdpMd* ctx)
            {
                DupTotal++;
                long* n = DupCounts.Lookup(0);
                return n == null ? 0 : (int)*n;
            }
        }

        public static unsafe class Second
        {
            static readonly ArrayMap<long> DupCounts = new(maxEntries: 2);
            static long DupTotal;

            [Xdp]
            public static int CountSecond(XdpMd* ctx)
            {
                DupTotal++;
                long* n = DupCounts.Lookup(1);
                return n == null ? 0 : (int)*n;
            }
        }
        """;

    [Fact]
    public void SameMapNameInTwoClasses_IsBpfs2004NamingBoth()
    {
        // The globals renamed apart: translation stops at a program's first error.
        var source = Source.Replace("static long DupTotal;\n\n    [Xdp]\n    public static int CountSecond", "static long OtherTotal;\n\n    [Xdp]\n    public static int CountSecond")
            .Replace("DupTotal++;\n        long* n = DupCounts.Lookup(1);", "OtherTotal++;\n        long* n = DupCounts.Lookup(1);");
        Assert.NotEqual(Source, source);
        var compilation = BpfSourceCompiler.Compile("DuplicateNames", source);
        Assert.False(compilation.Success);
        var errors = compilation.Diagnostics.Where(d => d.IsError).ToList();
        var map = Assert.Single(errors, e => e.Message.Contains("'DupCounts'", StringComparison.Ordinal));
        Assert.Equal("BPFS2004", map.Id);
        Assert.Contains("First.DupCounts", map.Message, StringComparison.Ordinal);
        Assert.Contains("Second.DupCounts", map.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(errors, e => e.Id == "BPFS2001");
    }

    [Fact]
    public void SameGlobalNameInTwoClasses_IsBpfs2004NamingBoth()
    {
        var compilation = BpfSourceCompiler.Compile("DuplicateGlobals", Source.Replace("static readonly ArrayMap<long> DupCounts = new(maxEntries: 2);", "static readonly ArrayMap<long> OtherCounts = new(maxEntries: 2);")
            .Replace("DupCounts.Lookup(1)", "OtherCounts.Lookup(1)"));
        var error = Assert.Single(compilation.Diagnostics, d => d.IsError);
        Assert.Equal("BPFS2004", error.Id);
        Assert.Contains("First.DupTotal", error.Message, StringComparison.Ordinal);
        Assert.Contains("Second.DupTotal", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OneClassCompiledAlone_HasNoConflict()
    {
        var compilation = BpfSourceCompiler.Compile("DuplicateNamesAlone", Source, name => name.EndsWith(".CountFirst", StringComparison.Ordinal));
        Assert.True(compilation.Success, string.Join("\n", compilation.Diagnostics));
    }
}
