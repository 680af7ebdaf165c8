namespace BpfSharp.Tests.CompilerDiagnostics;

/// <summary>A span member the compiler does not translate is BPFS1006 naming the member and the span operations
/// that do compile, not BPFS1010 blaming System.Private.CoreLib (spans themselves compile: CompilerSpans).</summary>
public sealed class SpanDiagnosticTests
{
    [Fact]
    public void UnsupportedSpanMember_NamesTheMemberAndWhatSpansSupport()
    {
        var compilation = DiagnosticProgramSources.Compile("SpanUnsupportedMember");
        var error = Assert.Single(compilation.Diagnostics, d => d.IsError);
        Assert.Equal("BPFS1006", error.Id);
        Assert.Contains("Span`1.Clear", error.Message, StringComparison.Ordinal);
        Assert.Contains("Slice", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("readable assembly", error.Message, StringComparison.Ordinal);
    }
}
