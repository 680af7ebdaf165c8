using BpfSharp.Btf;
using BpfSharp.CoRe;

namespace BpfSharp.Tests.CoRe;

/// <summary>
/// bpf_core_parse_spec / bpf_core_format_spec on hand-built BTF: golden formats (libbpf's exact shapes from the
/// reference notes) and every bound (negative/invalid indices, 64-accessor limit, type-based "0", enumval single index).
/// </summary>
public sealed class CoReSpecTests
{
    private static readonly string[] AccessStrings =
    [
        "0:1", "1:0", "0:0:2", "0", "1", "-1", "", ":0", "0:", "0::1", "0:2", "0:0:3", "abc", "4294967296", "0:0:0",
        "2:1", "0:3", "0:3:1", "0:4", "0:4:0", "0:4:5", "0:1:0", "2", "0:1:5", "0:1:100",
        string.Join(':', Enumerable.Repeat("0", 64)), string.Join(':', Enumerable.Repeat("0", 65)),
    ];

    private sealed record Fixture(BtfSpec Btf, int S, int T, int E, int E64Typedef, int Anon, int Flex, int Bits);

    private static (Fixture, TestBtfBuilder) Build()
    {
        var b = new TestBtfBuilder();
        foreach (var a in AccessStrings) b.Str(a);
        int i = b.Int("int", 4, signed: true);
        int s = b.Struct("s", 8, ("a", i, 0), ("b", i, 32));
        int arr = b.Array(i, i, 3);
        int anon = b.Struct("", 4, ("y", i, 0));
        int t = b.Struct("t", 20, ("x", arr, 0), ("", anon, 96), ("z", s, 128 - 32), ("w", i, 128));
        int e = b.Enum("e", true, ("A", 1), ("B", -1));
        int ed = b.Typedef("e_t", e);
        int zero = b.Array(i, i, 0);
        int flex = b.Struct("flex", 4, ("n", i, 0), ("data", zero, 32));
        var spec = b.Build();
        return (new Fixture(spec, s, t, e, ed, anon, flex, 0), b);
    }

    private static int Parse(string access, int type, CoReRelocationKind kind, out CoReSpec spec, out TestBtfBuilder builder)
    {
        var (f, b) = Build();
        builder = b;
        return CoReSpec.TryParse(f.Btf, new CoReRelocationRecord(0, type, b.Str(access), kind), out spec);
    }

    [Theory]
    [InlineData("0:1", "s", CoReRelocationKind.FieldByteOffset, "<byte_off> [2] struct s.b (0:1 @ offset 4)")]
    [InlineData("1:0", "s", CoReRelocationKind.FieldByteOffset, "<byte_off> [2] struct s[1].a (1:0 @ offset 8)")]
    [InlineData("0:0:2", "t", CoReRelocationKind.FieldExists, "<field_exists> [5] struct t.x[2] (0:0:2 @ offset 8)")]
    [InlineData("0:1:0", "t", CoReRelocationKind.FieldByteSize, "<byte_sz> [5] struct t.y (0:1:0 @ offset 12)")]
    [InlineData("0", "t", CoReRelocationKind.FieldByteOffset, "<byte_off> [5] struct t (0 @ offset 0)")]
    [InlineData("2", "s", CoReRelocationKind.FieldByteOffset, "<byte_off> [2] struct s[2] (2 @ offset 16)")]
    [InlineData("0", "s", CoReRelocationKind.TypeSize, "<type_size> [2] struct s")]
    [InlineData("0", "anon", CoReRelocationKind.TypeIdLocal, "<local_type_id> [4] struct <anon>")]
    [InlineData("1", "e", CoReRelocationKind.EnumValueValue, "<enumval_value> [6] enum e::B = -1")]
    [InlineData("0", "e_t", CoReRelocationKind.EnumValueExists, "<enumval_exists> [7] typedef e_t::A = 1")]
    [InlineData("0:1:5", "flex", CoReRelocationKind.FieldByteOffset, "<byte_off> [9] struct flex.data[5] (0:1:5 @ offset 24)")]
    public void Format_IsLibbpfExact(string access, string typeName, CoReRelocationKind kind, string expected)
    {
        var (f, b) = Build();
        int type = typeName switch { "s" => f.S, "t" => f.T, "e" => f.E, "e_t" => f.E + 1, "anon" => f.Anon, "flex" => f.Flex + 0, _ => -1 };
        if (typeName == "flex") type = f.Btf.FindByName("flex", BtfKind.Struct);
        var spec = CoReSpec.Parse(f.Btf, new CoReRelocationRecord(0, type, b.Str(access), kind));
        Assert.Equal(expected, spec.Format());
    }

    [Fact]
    public void Format_AnonymousMembersAddNoAccessor_AndBitOffsetIncludesThem()
    {
        var (f, b) = Build();
        var spec = CoReSpec.Parse(f.Btf, new CoReRelocationRecord(0, f.T, b.Str("0:1:0"), CoReRelocationKind.FieldByteOffset));
        Assert.Equal(2, spec.Length); // root + y (the anonymous member is only a raw index)
        Assert.Equal(3, spec.RawLength);
        Assert.Equal(96u, spec.BitOffset);
        Assert.Equal("y", System.Text.Encoding.UTF8.GetString(spec.AccessorName(1)));
    }

    [Theory]
    [InlineData("-1", "s", CoReRelocationKind.FieldByteOffset, -22)]
    [InlineData("", "s", CoReRelocationKind.FieldByteOffset, -22)]
    [InlineData(":0", "s", CoReRelocationKind.FieldByteOffset, -22)]
    [InlineData("0:", "s", CoReRelocationKind.FieldByteOffset, -22)]
    [InlineData("0::1", "s", CoReRelocationKind.FieldByteOffset, -22)]
    [InlineData("0:2", "s", CoReRelocationKind.FieldByteOffset, -22)]   // member index >= vlen
    [InlineData("0:0:3", "t", CoReRelocationKind.FieldByteOffset, -22)] // array index >= nelems
    [InlineData("0:0:0", "s", CoReRelocationKind.FieldByteOffset, -22)] // int is not indexable
    [InlineData("abc", "s", CoReRelocationKind.FieldByteOffset, -22)]
    [InlineData("4294967296", "s", CoReRelocationKind.FieldByteOffset, -22)]
    [InlineData("1", "s", CoReRelocationKind.TypeExists, -22)]          // type-based must be exactly "0"
    [InlineData("0:0", "s", CoReRelocationKind.TypeSize, -22)]
    [InlineData("2", "e", CoReRelocationKind.EnumValueValue, -22)]      // enumerator index >= vlen
    [InlineData("0:0", "e", CoReRelocationKind.EnumValueValue, -22)]    // enumval takes one index
    [InlineData("0", "s", CoReRelocationKind.EnumValueExists, -22)]     // enumval root must be an enum
    [InlineData("0", "s", (CoReRelocationKind)13, -22)]                 // unknown kind
    [InlineData("64zeros", "s", CoReRelocationKind.FieldByteOffset, -22)]
    [InlineData("65zeros", "s", CoReRelocationKind.FieldByteOffset, -7)] // more than 64 accessors: -E2BIG
    public void Parse_RejectsInvalidSpecs(string access, string typeName, CoReRelocationKind kind, int errno)
    {
        if (access.EndsWith("zeros", StringComparison.Ordinal))
            access = string.Join(':', Enumerable.Repeat("0", int.Parse(access[..2], System.Globalization.CultureInfo.InvariantCulture)));
        var (f, _) = Build();
        int type = typeName == "s" ? f.S : typeName == "t" ? f.T : f.E;
        Assert.Equal(errno, Parse(access, type, kind, out _, out _));
        var (f2, b2) = Build();
        Assert.Throws<BpfFormatException>(() => CoReSpec.Parse(f2.Btf, new CoReRelocationRecord(0, type, b2.Str(access), kind)));
    }

    [Fact]
    public void Parse_FlexibleArrayAllowsAnyIndex_OnlyAsLastMember()
    {
        var (f, b) = Build();
        int flex = f.Btf.FindByName("flex", BtfKind.Struct);
        Assert.Equal(0, CoReSpec.TryParse(f.Btf, new CoReRelocationRecord(0, flex, b.Str("0:1:100"), CoReRelocationKind.FieldByteOffset), out var spec));
        Assert.Equal(32u + 100u * 32u, spec.BitOffset);
        // a zero-length array that is not the last member is not flexible
        var b2 = new TestBtfBuilder();
        int i2 = b2.Int("int", 4);
        int z2 = b2.Array(i2, i2, 0);
        int st = b2.Struct("notflex", 4, ("data", z2, 0), ("n", i2, 0));
        uint acc = b2.Str("0:0:1");
        Assert.Equal(-22, CoReSpec.TryParse(b2.Build(), new CoReRelocationRecord(0, st, acc, CoReRelocationKind.FieldByteOffset), out _));
    }
}
