using BpfSharp.Linux.Tools;

namespace BpfSharp.Tests.Tools;

/// <summary><see cref="CStrings"/> on the shapes BPF records hold: NUL-padded, unterminated, invalid UTF-8, argv lists.</summary>
public sealed class CStringsTests
{
    [Fact]
    public void DecodesUpToTheFirstNul()
    {
        Assert.Equal("bash", CStrings.Decode("bash\0\0\0\0\0\0\0\0\0\0\0\0"u8));
        Assert.Equal("sixteen-chars-xx", CStrings.Decode("sixteen-chars-xx"u8)); // no NUL at all: the whole buffer
        Assert.Equal("", CStrings.Decode("\0garbage"u8));
        Assert.Equal("a\uFFFDb", CStrings.Decode([(byte)'a', 0xff, (byte)'b', 0]));
        Assert.Equal(3, CStrings.Trim("abc\0def"u8).Length);
    }

    [Fact]
    public void JoinsArgumentLists()
    {
        Assert.Equal("/bin/ls -l /tmp", CStrings.DecodeList("/bin/ls\0-l\0/tmp\0"u8));
        Assert.Equal("a,b", CStrings.DecodeList("a\0b"u8, ','));
        Assert.Equal("", CStrings.DecodeList(""u8));
    }
}
