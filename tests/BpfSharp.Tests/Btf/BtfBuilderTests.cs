using BpfSharp.Btf;
using BpfSharp.Btf.Writing;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Btf;

public class BtfBuilderTests
{
    /// <summary>A small BTF with one (or more) type of every kind, shaped so that the kernel accepts it.</summary>
    internal static BtfBuilder EveryKind()
    {
        var b = new BtfBuilder();
        int i32 = b.AddInt("int", 4, BtfIntEncoding.Signed);
        int u8 = b.AddInt("unsigned char", 1);
        int u64 = b.AddInt("long long unsigned int", 8);
        int boolean = b.AddInt("_Bool", 1, BtfIntEncoding.Bool);
        int chr = b.AddInt("char", 1, BtfIntEncoding.Char);
        int node = b.AddStruct("node", 0);             // created first, filled below
        int nodePtr = b.AddPointer(node);
        int fwd = b.AddForward("opaque");
        int fwdUnion = b.AddForward("opaque_u", isUnion: true);
        int fwdPtr = b.AddPointer(fwd);
        int fwdUPtr = b.AddPointer(fwdUnion);
        int arr = b.AddArray(u8, i32, 16);
        int color = b.AddEnum("color");
        b.AddEnumValue(color, "RED", 0);
        b.AddEnumValue(color, "BLUE", uint.MaxValue);
        int sign = b.AddEnum("sign", 1, signed: true);
        b.AddEnumValue(sign, "NEG", -128);
        b.AddEnumValue(sign, "POS", 127);
        int big = b.AddEnum64("big");
        b.AddEnumValue(big, "HUGE", 0xfedcba9876543210UL);
        int bigSigned = b.AddEnum64("big_signed", signed: true);
        b.AddEnumValue(bigSigned, "MIN", long.MinValue);
        int flt = b.AddFloat("double", 8);
        int u = b.AddUnion("num", 8);
        b.AddMember(u, "i", i32, 0);
        b.AddMember(u, "d", flt, 0);
        int td = b.AddTypedef("node_t", node);
        int cv = b.AddVolatile(b.AddConst(i32));
        int restrictPtr = b.AddRestrict(b.AddPointer(i32));
        int tagged = b.AddPointer(b.AddTypeTag("user", i32));
        b.AddMember(node, "next", nodePtr, 0);
        b.AddMember(node, "value", u64, 64);
        b.AddMember(node, "a", i32, 128, 3);           // switches the struct to bitfield encoding
        b.AddMember(node, "b", i32, 131, 5);
        b.AddMember(node, "flag", boolean, 136, 1);
        b.AddMember(node, "name", arr, 160);
        b.AddMember(node, "num", u, 320);
        b.AddMember(node, "color", color, 384);
        b.AddMember(node, "cv", cv, 416);
        b.AddMember(node, "o", fwdPtr, 448);
        b.AddMember(node, "ou", fwdUPtr, 512);
        b.AddMember(node, "r", restrictPtr, 576);
        b.AddMember(node, "tagged", tagged, 640);
        b.AddMember(node, "c", chr, 704);
        b.AddMember(node, "s", sign, 712);
        b.AddMember(node, "big", big, 768);
        b.AddMember(node, "bigs", bigSigned, 832);
        b.SetSize(node, 112);
        int proto = b.AddFuncProto(i32);
        b.AddParam(proto, "n", b.AddPointer(td));
        b.AddParam(proto, "x", i32);
        int func = b.AddFunc("handle", proto, BtfLinkage.Global);
        b.AddDeclTag("func_tag", func);
        b.AddDeclTag("param_tag", func, 1);
        b.AddDeclTag("member_tag", node, 2);
        int v1 = b.AddVar("counter", i32);
        int v2 = b.AddVar("the_node", node);
        b.AddDeclTag("var_tag", v1);
        int sec = b.AddDataSec(".data", 120);
        b.AddDataSecVar(sec, v1, 0, 4);
        b.AddDataSecVar(sec, v2, 8, 112);
        return b;
    }

    public static TheoryData<string> BlobsAndVmlinux()
    {
        var data = new TheoryData<string>();
        foreach (var b in KernelBlobs.All) data.Add(b.File);
        data.Add(TestPaths.Vmlinux);
        return data;
    }

    private static (BtfSpec Spec, byte[] Bytes) LoadWithBytes(string file)
    {
        if (file == TestPaths.Vmlinux) return (BtfSpec.Load(file), File.ReadAllBytes(file));
        var spec = KernelBlobs.Load(file);
        return (spec, BtfSpec.ReadAllBytes(TestPaths.Kernel(file)));
    }

    [Theory]
    [MemberData(nameof(BlobsAndVmlinux))]
    public void ReadThenWriteIsByteIdentical(string file)
    {
        var (spec, bytes) = LoadWithBytes(file);
        var written = BtfBuilder.From(spec).ToArray();
        Assert.Equal(bytes.Length, written.Length);
        Assert.True(bytes.AsSpan().SequenceEqual(written), $"{file}: first difference at byte {bytes.AsSpan().CommonPrefixLength(written)}");
    }

    [Theory]
    [MemberData(nameof(BlobsAndVmlinux))]
    public void BigEndianCopyReadsBackTypeForType(string file)
    {
        var (spec, _) = LoadWithBytes(file);
        var be = BtfBuilder.From(spec).ToArray(bigEndian: true);
        Assert.Equal(0xEB, be[0]);
        Assert.Equal(0x9F, be[1]);
        var back = BtfSpec.Parse(be, spec.Base);
        Assert.True(back.IsBigEndian);
        Assert.Equal(spec.Header, back.Header);
        AssertSameTypes(spec, back);
        Assert.True(spec.StringSection.SequenceEqual(back.StringSection));
        // And back again: BE → BE and BE → LE are byte-exact too.
        Assert.True(be.AsSpan().SequenceEqual(BtfBuilder.From(back).ToArray(bigEndian: true)));
        Assert.True(BtfBuilder.From(spec).ToArray().AsSpan().SequenceEqual(BtfBuilder.From(back).ToArray(bigEndian: false)));
    }

    internal static void AssertSameTypes(BtfSpec expected, BtfSpec actual)
    {
        Assert.Equal(expected.StartId, actual.StartId);
        Assert.Equal(expected.TypeCount, actual.TypeCount);
        for (int id = expected.StartId; id < expected.TypeCount; id++)
        {
            var e = expected[id];
            var a = actual[id];
            if (!e.RecordBytes.SequenceEqual(a.RecordBytes)) Assert.Fail($"[{id}] {e} differs: {a}");
            if (!e.NameUtf8.SequenceEqual(a.NameUtf8)) Assert.Fail($"[{id}] name differs");
        }
    }

    [Theory]
    [InlineData("kinds")]
    [InlineData("maps")]
    public void ClangBigEndianObjectRoundTripsAndMatchesLittleEndian(string name)
    {
        var ebPath = BtfTestTools.CompileTestObject(name, "bpfeb");
        var elPath = BtfTestTools.CompileTestObject(name, "bpfel");
        var ebSection = ElfSections.FindSection(File.ReadAllBytes(ebPath), ".BTF")!.Value.ToArray();
        var eb = BtfSpec.Parse(ebSection);
        var el = BtfSpec.Load(elPath);
        Assert.True(eb.IsBigEndian);
        Assert.False(el.IsBigEndian);
        Assert.True(ebSection.AsSpan().SequenceEqual(BtfBuilder.From(eb).ToArray(bigEndian: true)), "BE .BTF not reproduced");
        // clang emits the same types in the same order for both byte orders.
        AssertSameTypes(el, eb);
        var elSection = ElfSections.FindSection(File.ReadAllBytes(elPath), ".BTF")!.Value.ToArray();
        Assert.True(elSection.AsSpan().SequenceEqual(BtfBuilder.From(eb).ToArray(bigEndian: false)), "LE copy of the BE .BTF differs from clang's LE .BTF");
    }

    [Fact]
    public void LayoutSectionIsWrittenOnRequestAndDescribesEveryKind()
    {
        var spec = BtfSpec.Load(TestPaths.Vmlinux);
        var bytes = BtfBuilder.From(spec).ToArray(layoutSection: true);
        var back = BtfSpec.Parse(bytes);
        Assert.Equal(32u, back.Header.HeaderLength);
        Assert.Equal(80u, back.Header.LayoutLength);
        Assert.Equal(back.Header.TypeLength, back.Header.LayoutOffset);
        AssertSameTypes(spec, back);
        // Same table as the 2026 kernel writes (the ci-7.1 blob).
        var kernel = KernelBlobs.Load("ci-7.1-hdr32.btf.gz");
        Assert.True(kernel.Layout.SequenceEqual(back.Layout));
        // And without: a classic header again.
        var classic = BtfBuilder.From(kernel).ToArray(layoutSection: false);
        var c = BtfSpec.Parse(classic);
        Assert.Equal(32u, c.Header.HeaderLength); // the source's header length is kept
        Assert.Equal(0u, c.Header.LayoutLength);
        var b2 = BtfBuilder.From(kernel);
        b2.HeaderLength = 24;
        Assert.Equal(24u, BtfSpec.Parse(b2.ToArray(layoutSection: false)).Header.HeaderLength);
    }

    [Fact]
    public void StringsAreDeduplicated()
    {
        var b = new BtfBuilder();
        uint a = b.AddString("task_struct");
        uint c = b.AddString("pid");
        Assert.Equal(a, b.AddString("task_struct"));
        Assert.Equal(c, b.AddString("pid"u8));
        Assert.NotEqual(a, c);
        Assert.Equal(0u, b.AddString(""));
        Assert.Equal(0u, b.AddString((string?)null));
        Assert.Equal(1u, a); // after the leading empty string
        Assert.Equal("pid", b.GetString(c));
        int s1 = b.AddStruct("task_struct", 8);
        b.AddMember(s1, "pid", b.AddInt("int", 4, BtfIntEncoding.Signed), 0);
        var spec = b.Build();
        Assert.Equal(a, spec[s1].NameOffset);
        Assert.Equal(c, spec[s1].GetMember(0).NameOffset);
        // "task_struct\0pid\0int\0" after the empty string: nothing duplicated.
        Assert.Equal(1 + 12 + 4 + 4, spec.StringSection.Length);
    }

    [Fact]
    public void AdoptedStringTableIsReusedForNewStrings()
    {
        var spec = BtfSpec.Load(BtfTestTools.CompileTestObject("kinds"));
        var b = BtfBuilder.From(spec);
        int id = spec.FindByName("bits", BtfKind.Struct);
        Assert.Equal(spec[id].NameOffset, b.AddString("bits"));
        int before = spec.StringSection.Length;
        uint fresh = b.AddString("brand_new_name");
        Assert.Equal((uint)before, fresh);
        int added = b.AddTypedef("bits_t", id);
        var back = b.Build();
        Assert.Equal(spec.TypeCount + 1, back.TypeCount);
        Assert.Equal("bits_t", back[added].Name);
        AssertSameTypes(spec, BtfSpec.Parse(BtfBuilder.From(spec).ToArray()));
    }

    [Fact]
    public void SplitBuilderContinuesBaseIdsAndStrings()
    {
        var baseSpec = KernelBlobs.Load("debian-6.1.192-amd64.btf.gz");
        var b = new BtfBuilder(baseSpec);
        Assert.Equal(baseSpec.TypeCount, b.StartId);
        int inode = baseSpec.FindByName("inode", BtfKind.Struct);
        // A string the base has maps to the base's offset, as libbpf does.
        Assert.Equal(baseSpec[inode].NameOffset, b.AddString("inode"));
        uint fresh = b.AddString("my_module_struct");
        Assert.Equal((uint)baseSpec.StringSection.Length, fresh);
        int s = b.AddStruct("my_module_struct", 16);
        b.AddMember(s, "inode", b.AddPointer(inode), 0);
        b.AddMember(s, "my_field_xyz", baseSpec.FindByName("long unsigned int", BtfKind.Int), 64);
        Assert.Equal(baseSpec.TypeCount, s);
        var split = b.Build();
        Assert.Same(baseSpec, split.Base);
        Assert.Equal(baseSpec.TypeCount, split.StartId);
        Assert.Equal("my_module_struct", split[s].Name);
        Assert.Equal("inode", split[split[s].GetMember(0).TypeId].Spec[split[split[s].GetMember(0).TypeId].ReferencedTypeId].Name);
        // The string section holds only the new strings (no leading NUL in split BTF).
        Assert.Equal("my_module_struct\0my_field_xyz\0"u8.ToArray(), split.StringSection.ToArray());
    }

    [Fact]
    public void SplitBuilderWithNoStringsWritesAnEmptyStringSection()
    {
        var baseSpec = KernelBlobs.Load("ci-7.1-btf_testmod.btf.base.gz");
        var b = new BtfBuilder(baseSpec);
        int p = b.AddPointer(1);
        var split = b.Build();
        Assert.Equal(0u, split.Header.StringLength);
        Assert.Equal(BtfKind.Pointer, split[p].Kind);
    }

    [Fact]
    public void ForwardReferencesAndLateFilling()
    {
        var b = new BtfBuilder();
        int ptr = b.AddPointer(0);                      // target unknown yet
        int list = b.AddStruct("list_head", 16);
        b.SetReferencedType(ptr, list);
        b.AddMember(list, "next", ptr, 0);
        b.AddMember(list, "prev", ptr, 64);
        int td = b.AddTypedef("later_t", 100);          // refers to an id not added yet
        Assert.Throws<InvalidOperationException>(() => b.ToArray());
        b.SetReferencedType(td, list);
        var spec = b.Build();
        Assert.Equal(2, spec[list].Vlen);
        Assert.Equal(ptr, spec[list].GetMember(1).TypeId);
        Assert.Equal(list, spec[ptr].ReferencedTypeId);
        Assert.Equal(16, spec.ResolveSize(td));
    }

    [Fact]
    public void GrowingEarlierTypesKeepsEveryTrailerIntact()
    {
        // Interleave appends to several composite types so that trailers move around in the pool.
        var b = new BtfBuilder();
        int i32 = b.AddInt("int", 4, BtfIntEncoding.Signed);
        int[] structs = [.. Enumerable.Range(0, 5).Select(k => b.AddStruct("s" + k, 400))];
        int e = b.AddEnum("e");
        int proto = b.AddFuncProto(i32);
        for (int m = 0; m < 100; m++)
        {
            foreach (int s in structs) b.AddMember(s, "m" + m, i32, (uint)m * 32);
            b.AddEnumValue(e, "E" + m, m);
            b.AddParam(proto, "p" + m, i32);
        }
        var spec = b.Build();
        foreach (int s in structs)
        {
            Assert.Equal(100, spec[s].Vlen);
            for (int m = 0; m < 100; m++)
            {
                Assert.Equal("m" + m, spec[s].GetMember(m).Name);
                Assert.Equal((uint)m * 32, spec[s].GetMember(m).BitOffset);
            }
        }
        for (int m = 0; m < 100; m++)
        {
            Assert.Equal(m, spec[e].GetEnumValue(m).Value);
            Assert.Equal("p" + m, spec[proto].GetParam(m).Name);
        }
    }

    [Fact]
    public void BitfieldMemberSwitchesEncodingAndKeepsEarlierOffsets()
    {
        var b = new BtfBuilder();
        int u32 = b.AddInt("unsigned int", 4);
        int s = b.AddStruct("flags", 8);
        b.AddMember(s, "whole", u32, 0);
        b.AddMember(s, "lo", u32, 32, 4);
        b.AddMember(s, "hi", u32, 36, 28);
        var spec = b.Build();
        var t = spec[s];
        Assert.True(t.KindFlag);
        Assert.Equal((0u, 0u), (t.GetMember(0).BitOffset, t.GetMember(0).BitfieldSize));
        Assert.Equal((32u, 4u), (t.GetMember(1).BitOffset, t.GetMember(1).BitfieldSize));
        Assert.Equal((36u, 28u), (t.GetMember(2).BitOffset, t.GetMember(2).BitfieldSize));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.AddMember(s, "x", u32, 1u << 24));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.AddMember(s, "x", u32, 0, 256));
    }

    [Fact]
    public void EnumValuesKeepSignednessAndWidth()
    {
        var b = new BtfBuilder();
        int e = b.AddEnum("e", signed: true);
        b.AddEnumValue(e, "MIN", int.MinValue);
        int u = b.AddEnum("u");
        b.AddEnumValue(u, "MAX", uint.MaxValue);
        Assert.Throws<ArgumentOutOfRangeException>(() => b.AddEnumValue(u, "TOO_BIG", 1L << 32));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.AddEnumValue(u, "TOO_BIG", ulong.MaxValue));
        int e64 = b.AddEnum64("e64");
        b.AddEnumValue(e64, "TOP", ulong.MaxValue);
        var spec = b.Build();
        Assert.True(spec[e].KindFlag);
        Assert.Equal(int.MinValue, spec[e].GetEnumValue(0).Value);
        Assert.Equal(uint.MaxValue, spec[u].GetEnumValue(0).Value);
        Assert.Equal(ulong.MaxValue, spec[e64].GetEnumValue(0).RawValue);
    }

    [Fact]
    public void MisuseIsReportedAsArgumentErrors()
    {
        var b = new BtfBuilder();
        int i = b.AddInt("int", 4, BtfIntEncoding.Signed);
        Assert.Throws<ArgumentException>(() => b.AddMember(i, "x", i, 0));
        Assert.Throws<ArgumentException>(() => b.AddParam(i, "x", i));
        Assert.Throws<ArgumentException>(() => b.AddEnumValue(i, "X", 1));
        Assert.Throws<ArgumentException>(() => b.AddDataSecVar(i, i, 0, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.AddMember(99, "x", i, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.AddInt("bad", 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.AddPointer(-1));
        Assert.Throws<ArgumentException>(() => b.AddString("a\0b"));
        Assert.Throws<ArgumentException>(() => b.SetSize(b.AddPointer(i), 8));
    }

    [Fact]
    public void EveryKindReadsBackWithTheBuiltValues()
    {
        var spec = EveryKind().Build();
        int node = spec.FindByName("node", BtfKind.Struct);
        var t = spec[node];
        Assert.Equal(112u, t.Size);
        Assert.True(t.KindFlag);
        Assert.Equal("a", t.GetMember(2).Name);
        Assert.Equal(3u, t.GetMember(2).BitfieldSize);
        Assert.Equal(128u, t.GetMember(2).BitOffset);
        int big = spec.FindByName("big_signed", BtfKind.Enum64);
        Assert.Equal(long.MinValue, spec[big].GetEnumValue(0).Value);
        int func = spec.FindByName("handle", BtfKind.Func);
        Assert.Equal(BtfLinkage.Global, spec[func].Linkage);
        Assert.Equal(2, spec[spec[func].ReferencedTypeId].Vlen);
        int sec = spec.FindByName(".data", BtfKind.DataSec);
        Assert.Equal(new BtfDataSecVar(spec.FindByName("the_node", BtfKind.Var), 8, 112), spec[sec].GetDataSecVar(1));
        foreach (BtfKind kind in Enum.GetValues<BtfKind>())
        {
            if (kind == BtfKind.Unknown) continue;
            bool found = false;
            for (int id = 1; id < spec.TypeCount && !found; id++) found = spec[id].Kind == kind;
            Assert.True(found, kind.ToString());
        }
    }

    /// <summary>The dependency closure of some types, copied into a new builder with dense ids (what min-BTF generation does).</summary>
    internal static BtfBuilder CopyClosure(BtfSpec spec, params string[] structNames)
    {
        var keep = new SortedSet<int>();
        var stack = new Stack<int>();
        foreach (var n in structNames)
        {
            int id = spec.FindByName(n, BtfKind.Struct);
            Assert.True(id > 0, n);
            stack.Push(id);
        }
        while (stack.Count > 0)
        {
            int id = stack.Pop();
            if (id == 0 || !keep.Add(id)) continue;
            var t = spec[id];
            if (t.Kind.HasTypeReference()) stack.Push(t.ReferencedTypeId);
            switch (t.Kind)
            {
                case BtfKind.Array: stack.Push(t.ArrayElementType); stack.Push(t.ArrayIndexType); break;
                case BtfKind.Struct or BtfKind.Union: foreach (var m in t.Members) stack.Push(m.TypeId); break;
                case BtfKind.FuncProto: for (int i = 0; i < t.Vlen; i++) stack.Push(t.GetParam(i).TypeId); break;
            }
        }
        var newIds = new Dictionary<int, int> { [0] = 0 };
        int next = 1;
        foreach (int id in keep) newIds[id] = next++;
        var b = new BtfBuilder();
        foreach (int id in keep) Assert.Equal(newIds[id], b.AddCopy(spec[id], old => newIds[old]));
        return b;
    }

    [Fact]
    public void CopiedClosureKeepsNamesKindsAndShapes()
    {
        var spec = BtfSpec.Load(TestPaths.Vmlinux);
        var copy = CopyClosure(spec, "list_head", "rb_node", "callback_head", "timer_list").Build();
        int tl = copy.FindByName("timer_list", BtfKind.Struct);
        int orig = spec.FindByName("timer_list", BtfKind.Struct);
        Assert.Equal(spec[orig].Vlen, copy[tl].Vlen);
        Assert.Equal(spec.ResolveSize(orig), copy.ResolveSize(tl));
        for (int i = 0; i < spec[orig].Vlen; i++)
        {
            var a = spec[orig].GetMember(i);
            var c = copy[tl].GetMember(i);
            Assert.Equal(a.Name, c.Name);
            Assert.Equal(a.RawOffset, c.RawOffset);
            Assert.Equal(spec[a.TypeId].Kind, copy[c.TypeId].Kind);
            Assert.Equal(spec.ResolveSize(a.TypeId), copy.ResolveSize(c.TypeId));
        }
        Assert.True(copy.TypeCount < 200, $"closure unexpectedly large: {copy.TypeCount}");
    }
}

public class BtfBuilderUnknownKindTests
{
    /// <summary>BTF with a record of kind 20, which only the layout section describes (4 info bytes + 8 per vlen).</summary>
    private static byte[] WithUnknownKind(out int unknownId)
    {
        var b = BtfBuilderTests.EveryKind();
        uint name = b.AddString("future");
        unknownId = b.TypeCount;
        var classic = b.ToArray();
        var spec = BtfSpec.Parse(classic);
        var types = spec.TypeSection.ToArray();
        var strings = spec.StringSection.ToArray();
        var extra = new byte[12 + 4 + 2 * 8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(extra, name);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(extra.AsSpan(4), 20u << 24 | 2);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(extra.AsSpan(12), 0xdeadbeef);
        var layout = BtfSpec.Parse(BtfBuilderTests.EveryKind().ToArray(layoutSection: true)).Layout.ToArray().ToList();
        layout.Add(new BtfLayoutEntry(4, 8, 0));
        int typeLen = types.Length + extra.Length, layoutLen = layout.Count * 4;
        var bytes = new byte[32 + typeLen + layoutLen + strings.Length];
        var s = bytes.AsSpan();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(s, 0xeb9f);
        s[2] = 1;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(s[4..], 32);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(s[12..], (uint)typeLen);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(s[16..], (uint)(typeLen + layoutLen));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(s[20..], (uint)strings.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(s[24..], (uint)typeLen);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(s[28..], (uint)layoutLen);
        types.CopyTo(s[32..]);
        extra.CopyTo(s[(32 + types.Length)..]);
        for (int i = 0; i < layout.Count; i++)
        {
            s[32 + typeLen + i * 4] = layout[i].InfoSize;
            s[32 + typeLen + i * 4 + 1] = layout[i].ElementSize;
        }
        strings.CopyTo(s[(32 + typeLen + layoutLen)..]);
        return bytes;
    }

    [Fact]
    public void KindsOnlyTheLayoutDescribesRoundTripInBothByteOrders()
    {
        var bytes = WithUnknownKind(out int id);
        var spec = BtfSpec.Parse(bytes);
        Assert.Equal((BtfKind)20, spec[id].Kind);
        Assert.Equal(32, spec[id].RecordSize);
        Assert.True(bytes.AsSpan().SequenceEqual(BtfBuilder.From(spec).ToArray()));
        var be = BtfSpec.Parse(BtfBuilder.From(spec).ToArray(bigEndian: true));
        Assert.True(be.IsBigEndian);
        BtfBuilderTests.AssertSameTypes(spec, be);
        Assert.True(spec.Layout.SequenceEqual(be.Layout));
        Assert.EndsWith($"[{id}] UNKNOWN 'future'\n", BpfSharp.Btf.Formatting.BtfRawFormatter.Format(spec));
        var b = BtfBuilder.From(spec);
        int copy = b.AddCopy(spec[id]);
        Assert.True(b.Build()[copy].RecordBytes[4..].SequenceEqual(spec[id].RecordBytes[4..]));
    }
}
