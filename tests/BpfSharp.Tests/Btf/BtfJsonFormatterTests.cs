using System.Text.Json;
using BpfSharp.Btf;
using BpfSharp.Btf.Formatting;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Btf;

public class BtfJsonFormatterTests
{
    private static JsonDocument Ours(BtfSpec spec, bool indented = false)
    {
        using var ms = new MemoryStream();
        BtfJsonFormatter.Write(spec, ms, indented);
        return JsonDocument.Parse(ms.ToArray());
    }

    public static TheoryData<string> Sources() => new("kinds", "maps", "debian-6.1.192-amd64.veth.btf.gz",
        "ci-7.1-btf_testmod.btf.gz", "ci-7.1-btf_testmod.btf.base.gz", "ci-7.1-hdr32.btf.gz");

    private static BtfSpec Load(string source) =>
        source.EndsWith(".gz", StringComparison.Ordinal) ? KernelBlobs.Load(source) : BtfSpec.Load(BtfTestTools.CompileTestObject(source));

    private static string Str(BtfSpec spec, uint offset) => offset == 0 ? "(anon)" : spec.GetString(offset);

    [Theory]
    [MemberData(nameof(Sources))]
    public void EveryTypeAgreesWithTheSpec(string source)
    {
        var spec = Load(source);
        using var doc = Ours(spec, indented: source == "kinds");
        var root = doc.RootElement;
        var header = root.GetProperty("header");
        Assert.Equal(spec.Header.TypeLength, header.GetProperty("type_len").GetUInt32());
        Assert.Equal(spec.Header.StringLength, header.GetProperty("str_len").GetUInt32());
        Assert.Equal(spec.Header.HeaderLength, header.GetProperty("hdr_len").GetUInt32());
        Assert.Equal(spec.Header.LayoutLength, header.GetProperty("layout_len").GetUInt32());
        Assert.Equal(spec.StartId, header.GetProperty("start_id").GetInt32());
        Assert.Equal(spec.OwnTypeCount, header.GetProperty("type_count").GetInt32());
        Assert.Equal(spec.Base is not null, header.GetProperty("split").GetBoolean());
        Assert.Equal(spec.IsBigEndian ? "big" : "little", header.GetProperty("endianness").GetString());
        Assert.Equal(spec.Layout.Length > 0, header.TryGetProperty("layout", out _));

        var types = root.GetProperty("types");
        Assert.Equal(spec.OwnTypeCount, types.GetArrayLength());
        int id = spec.StartId;
        foreach (var j in types.EnumerateArray())
        {
            var t = spec[id];
            Assert.Equal(id, j.GetProperty("id").GetInt32());
            Assert.Equal(t.Kind.ToBpftoolName(), j.GetProperty("kind").GetString());
            Assert.Equal(Str(spec, t.NameOffset), j.GetProperty("name").GetString());
            switch (t.Kind)
            {
                case BtfKind.Int:
                    Assert.Equal(t.Size, j.GetProperty("size").GetUInt32());
                    Assert.Equal(t.IntBits, j.GetProperty("nr_bits").GetInt32());
                    Assert.Equal(t.IntOffset, j.GetProperty("bits_offset").GetInt32());
                    break;
                case BtfKind.Pointer or BtfKind.Typedef or BtfKind.Const or BtfKind.Volatile or BtfKind.Restrict or BtfKind.TypeTag:
                    Assert.Equal(t.ReferencedTypeId, j.GetProperty("type_id").GetInt32());
                    break;
                case BtfKind.Array:
                    Assert.Equal(t.ArrayElementType, j.GetProperty("type_id").GetInt32());
                    Assert.Equal(t.ArrayIndexType, j.GetProperty("index_type_id").GetInt32());
                    Assert.Equal(t.ArrayLength, j.GetProperty("nr_elems").GetUInt32());
                    break;
                case BtfKind.Struct or BtfKind.Union:
                {
                    Assert.Equal(t.Size, j.GetProperty("size").GetUInt32());
                    var members = j.GetProperty("members");
                    Assert.Equal(t.Vlen, members.GetArrayLength());
                    int i = 0;
                    foreach (var m in members.EnumerateArray())
                    {
                        var bm = t.GetMember(i++);
                        Assert.Equal(Str(spec, bm.NameOffset), m.GetProperty("name").GetString());
                        Assert.Equal(bm.TypeId, m.GetProperty("type_id").GetInt32());
                        Assert.Equal(bm.BitOffset, m.GetProperty("bits_offset").GetUInt32());
                        Assert.Equal(bm.BitfieldSize, m.TryGetProperty("bitfield_size", out var bf) ? bf.GetUInt32() : 0u);
                    }
                    break;
                }
                case BtfKind.Enum or BtfKind.Enum64:
                {
                    Assert.Equal(t.KindFlag ? "SIGNED" : "UNSIGNED", j.GetProperty("encoding").GetString());
                    var values = j.GetProperty("values");
                    Assert.Equal(t.Vlen, values.GetArrayLength());
                    int i = 0;
                    foreach (var v in values.EnumerateArray())
                    {
                        var ev = t.GetEnumValue(i++);
                        Assert.Equal(Str(spec, ev.NameOffset), v.GetProperty("name").GetString());
                        var val = v.GetProperty("val");
                        if (t.KindFlag || t.Kind == BtfKind.Enum) Assert.Equal(ev.Value, val.GetInt64());
                        else Assert.Equal(ev.RawValue, val.GetUInt64());
                    }
                    break;
                }
                case BtfKind.Forward:
                    Assert.Equal(t.KindFlag ? "union" : "struct", j.GetProperty("fwd_kind").GetString());
                    break;
                case BtfKind.Func or BtfKind.Var:
                    Assert.Equal(t.ReferencedTypeId, j.GetProperty("type_id").GetInt32());
                    Assert.Equal(t.Linkage switch { BtfLinkage.Static => "static", BtfLinkage.Global => "global", BtfLinkage.Extern => "extern", _ => "(unknown)" },
                        j.GetProperty("linkage").GetString());
                    break;
                case BtfKind.FuncProto:
                {
                    Assert.Equal(t.ReferencedTypeId, j.GetProperty("ret_type_id").GetInt32());
                    var ps = j.GetProperty("params");
                    Assert.Equal(t.Vlen, ps.GetArrayLength());
                    int i = 0;
                    foreach (var p in ps.EnumerateArray())
                    {
                        var bp = t.GetParam(i++);
                        Assert.Equal(Str(spec, bp.NameOffset), p.GetProperty("name").GetString());
                        Assert.Equal(bp.TypeId, p.GetProperty("type_id").GetInt32());
                    }
                    break;
                }
                case BtfKind.DataSec:
                {
                    Assert.Equal(t.Size, j.GetProperty("size").GetUInt32());
                    var vs = j.GetProperty("vars");
                    Assert.Equal(t.Vlen, vs.GetArrayLength());
                    int i = 0;
                    foreach (var v in vs.EnumerateArray())
                    {
                        var dv = t.GetDataSecVar(i++);
                        Assert.Equal(dv.TypeId, v.GetProperty("type_id").GetInt32());
                        Assert.Equal(dv.Offset, v.GetProperty("offset").GetUInt32());
                        Assert.Equal(dv.Size, v.GetProperty("size").GetUInt32());
                    }
                    break;
                }
                case BtfKind.Float:
                    Assert.Equal(t.Size, j.GetProperty("size").GetUInt32());
                    break;
                case BtfKind.DeclTag:
                    Assert.Equal(t.ReferencedTypeId, j.GetProperty("type_id").GetInt32());
                    Assert.Equal(t.DeclTagComponentIndex, j.GetProperty("component_idx").GetInt32());
                    break;
            }
            id++;
        }
    }

    [Theory]
    [InlineData("kinds", null)]
    [InlineData("maps", null)]
    [InlineData("debian-6.1.192-amd64.veth.btf.gz", "debian-6.1.192-amd64.btf.gz")]
    [InlineData("ci-7.1-btf_testmod.btf.gz", "ci-7.1-btf_testmod.btf.base.gz")]
    public void TypesAreTheSameAsBpftoolJson(string source, string? baseFile)
    {
        string path = source.EndsWith(".gz", StringComparison.Ordinal) ? BtfTestTools.RawBlob(source) : BtfTestTools.CompileTestObject(source);
        byte[] theirs = baseFile is null
            ? BtfTestTools.Run("bpftool", "-j", "btf", "dump", "file", path)
            : BtfTestTools.Run("bpftool", "-j", "-B", BtfTestTools.RawBlob(baseFile), "btf", "dump", "file", path);
        using var expected = JsonDocument.Parse(theirs);
        using var actual = Ours(Load(source));
        var e = expected.RootElement.GetProperty("types");
        var a = actual.RootElement.GetProperty("types");
        Assert.Equal(e.GetArrayLength(), a.GetArrayLength());
        for (int i = 0; i < e.GetArrayLength(); i++)
            if (!JsonElement.DeepEquals(e[i], a[i]))
                Assert.Fail($"type #{i}: bpftool {e[i].GetRawText()}\n ours {a[i].GetRawText()}");
    }

    [Fact]
    public void NamesAreEscapedAsJson()
    {
        var b = new BpfSharp.Btf.Writing.BtfBuilder();
        b.AddStruct("quote\"back\\slash\ttab\u00e9", 0);
        using var doc = Ours(b.Build());
        Assert.Equal("quote\"back\\slash\ttab\u00e9", doc.RootElement.GetProperty("types")[0].GetProperty("name").GetString());
    }
}
