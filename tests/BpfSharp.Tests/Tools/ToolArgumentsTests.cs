using BpfSharp.Linux.Tools;

namespace BpfSharp.Tests.Tools;

/// <summary><see cref="ToolArguments"/>: the comma lists of -P/--ports, -p/--pid and -L/--tid.</summary>
public sealed class ToolArgumentsTests
{
    [Fact]
    public void ParsesACommaListOfPositiveIntegers()
    {
        var ports = new List<ushort>();
        Assert.True(ToolArguments.TryParseList("80,443,65535", ports));
        Assert.Equal([80, 443, 65535], ports);
        var pids = new List<uint> { 7 };
        Assert.True(ToolArguments.TryParseList("4294967295", pids));
        Assert.Equal([7u, uint.MaxValue], pids);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("80,")]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData("+80")]
    [InlineData(" 80")]
    [InlineData("80,x")]
    public void RefusesAnythingElseAndAddsNothing(string? text)
    {
        var ports = new List<ushort> { 1 };
        Assert.False(ToolArguments.TryParseList(text, ports));
        Assert.Equal([1], ports);
    }
}
