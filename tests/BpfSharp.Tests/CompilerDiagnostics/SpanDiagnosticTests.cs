namespace BpfSharp.Tests.CompilerDiagnostics;

/// <summary>BPFS1010 for spans says what is unsupported and what to write instead, not that System.Private.CoreLib
/// is unreadable.</summary>
public sealed class SpanDiagnosticTests
{
    [Fact]
    public void SpanOfAUtf8Literal_NamesSpanAndTheAlternative()
    {
        var compilation = DiagnosticProgramSources.Compile("SpanLiteral");
        var error = Assert.Single(compilation.Diagnostics, d => d.IsError);
        Assert.Equal("BPFS1010", error.Id);
        Assert.Contains("ReadOnlySpan", error.Message, StringComparison.Ordinal);
        Assert.Contains("pointer", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("readable assembly", error.Message, StringComparison.Ordinal);
    }
}
