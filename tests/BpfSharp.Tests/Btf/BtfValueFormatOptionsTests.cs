using System.Text;
using System.Text.Json;
using BpfSharp.Btf;
using BpfSharp.Btf.Formatting;
using BpfSharp.Btf.Writing;
using BpfSharp.Tests.Cli;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Btf;

/// <summary>
/// <see cref="BtfValueFormatOptions.ValidJson"/> (what <c>struct_ops dump</c> prints): bpftool's plain-text flavour,
/// which <c>map dump</c> reproduces byte for byte and is not JSON, with exactly its bare tokens quoted. Checked on the
/// running kernel's own types filled with random bytes: the quoted output is the unquoted one repaired by the same
/// rule the struct_ops differential test applies to bpftool's output, and it parses. A char holding <c>"</c> or
/// <c>\</c>, which bpftool writes unescaped in both flavours, parses back to that character.
/// </summary>
public sealed class BtfValueFormatOptionsTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("sk_buff")]
    [InlineData("tcp_sock")]
    [InlineData("file")]
    [InlineData("bpf_struct_ops_tcp_congestion_ops")]
    [InlineData("perf_event_attr")]
    public void ValidJsonPlainTextIsPlainTextWithItsBareTokensQuoted(string structName)
    {
        var vmlinux = BtfSpec.Load(TestPaths.Vmlinux);
        var id = vmlinux.FindByName(structName, BtfKind.Struct);
        Assert.True(id > 0, $"struct {structName} is not in the kernel's BTF");
        var data = new byte[vmlinux[id].Size];
        new Random(id).NextBytes(data);
        // A '"' or '\' byte in a char member is the other repair, checked on its own below.
        for (var i = 0; i < data.Length; i++) if (data[i] is (byte)'"' or (byte)'\\') data[i] = 1;

        var plain = Format(vmlinux, id, data, new BtfValueFormatOptions { PlainText = true });
        var valid = Format(vmlinux, id, data, new BtfValueFormatOptions { PlainText = true, ValidJson = true });
        var bare = plain.Split(["(nil)", "0x"], StringSplitOptions.None).Length - 1;
        output.WriteLine($"struct {structName}: {data.Length} bytes, {bare} bare tokens in bpftool's plain text");
        Assert.True(bare > 0, "random bytes left no pointer or hex value to quote");
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(plain).Dispose());
        Assert.Equal(StructOpsCliTests.RepairBpftoolDump(plain, selectedById: false), valid);
        using var parsed = JsonDocument.Parse(valid);
        Assert.Equal(JsonValueKind.Object, parsed.RootElement.ValueKind);

        // The JSON flavour is JSON already (random chars aside): the option changes nothing there.
        var json = Format(vmlinux, id, data, new BtfValueFormatOptions());
        Assert.Equal(json, Format(vmlinux, id, data, new BtfValueFormatOptions { ValidJson = true }));
    }

    [Fact]
    public void CharsThatBpftoolLeavesUnescapedParseBack()
    {
        var b = new BtfBuilder();
        var chr = b.AddInt("char", 1, BtfIntEncoding.Char);
        var s = b.AddStruct("quotes", 3);
        b.AddMember(s, "quote", chr, 0);
        b.AddMember(s, "backslash", chr, 8);
        b.AddMember(s, "letter", chr, 16);
        var spec = b.Build();
        byte[] data = [(byte)'"', (byte)'\\', (byte)'a'];
        foreach (var plainText in new[] { true, false })
        {
            var text = Format(spec, s, data, new BtfValueFormatOptions { PlainText = plainText, ValidJson = true });
            using var parsed = JsonDocument.Parse(text);
            Assert.Equal("\"", parsed.RootElement.GetProperty("quote").GetString());
            Assert.Equal("\\", parsed.RootElement.GetProperty("backslash").GetString());
            Assert.Equal("a", parsed.RootElement.GetProperty("letter").GetString());
            // bpftool's own text ("\"\"\"") does not parse.
            var theirs = Format(spec, s, data, new BtfValueFormatOptions { PlainText = plainText });
            Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(theirs).Dispose());
        }
    }

    private static string Format(BtfSpec spec, int typeId, byte[] data, BtfValueFormatOptions options)
    {
        var text = new StringBuilder();
        Assert.True(BtfValueFormatter.Write(spec, typeId, data, new BpftoolJsonWriter(text, pretty: true), options), text.ToString());
        return text.ToString();
    }
}
