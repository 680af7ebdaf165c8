using System.Buffers.Binary;
using System.Diagnostics;
using BpfSharp.Btf;
using BpfSharp.Btf.Formatting;
using BpfSharp.Btf.Writing;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Btf;

/// <summary>
/// Corrupted BTF either parses (and then every accessor, helper and printer works on it) or fails with
/// <see cref="BpfFormatException"/>: never another exception, a hang or a crash.
/// </summary>
public class BtfReaderRobustnessTests
{
    private static readonly byte[] Mutations = [0xff, 0x01, 0x80, 0x00, 0x10];

    /// <summary>Reads everything a consumer could read from a spec.</summary>
    private static void Walk(BtfSpec spec, bool withPrinters = true)
    {
        long sink = 0;
        for (int id = spec.StartId; id < spec.TypeCount; id++)
        {
            var t = spec[id];
            sink += t.NameUtf8.Length + t.Vlen + (t.KindFlag ? 1 : 0) + t.SizeOrType + t.RecordBytes.Length + (t.IsAnonymous ? 1 : 0);
            _ = t.Name;
            switch (t.Kind)
            {
                case BtfKind.Int:
                    sink += (int)t.IntEncoding + t.IntOffset + t.IntBits;
                    break;
                case BtfKind.Array:
                    sink += spec[t.ArrayElementType].Vlen + spec[t.ArrayIndexType].Vlen + t.ArrayLength;
                    break;
                case BtfKind.Struct or BtfKind.Union:
                    foreach (var m in t.Members) sink += m.Name.Length + m.BitOffset + m.BitfieldSize + spec[m.TypeId].Vlen;
                    break;
                case BtfKind.Enum or BtfKind.Enum64:
                    for (int i = 0; i < t.Vlen; i++) { var v = t.GetEnumValue(i); sink += v.Value + v.Name.Length; }
                    break;
                case BtfKind.FuncProto:
                    for (int i = 0; i < t.Vlen; i++) { var p = t.GetParam(i); sink += p.Name.Length + spec[p.TypeId].Vlen; }
                    break;
                case BtfKind.Func or BtfKind.Var:
                    sink += (int)t.Linkage;
                    break;
                case BtfKind.DataSec:
                    for (int i = 0; i < t.Vlen; i++) { var v = t.GetDataSecVar(i); sink += v.Offset + v.Size + spec[v.TypeId].Vlen; }
                    break;
                case BtfKind.DeclTag:
                    sink += t.DeclTagComponentIndex;
                    break;
            }
            if (t.Kind.HasTypeReference()) sink += spec[t.ReferencedTypeId].Vlen;
            // Exceptions are slow: the throwing form is exercised where the Try form succeeded (it must not throw then).
            if (spec.TryResolveSize(id, out long size)) sink += size + spec.ResolveSize(id);
            try { sink += spec.SkipModifiersAndTypedefs(id).Id; } catch (BpfFormatException) { }
            try { sink += spec.SkipModifiers(id).Id; } catch (BpfFormatException) { }
        }
        sink += spec.PointerSize + spec.FindByName("task_struct", BtfKind.Struct) + spec.FindByName("int");
        if (withPrinters)
        {
            BtfRawFormatter.Write(spec, Stream.Null);
            BtfJsonFormatter.Write(spec, Stream.Null);
            sink += BtfBuilder.From(spec).ToArray().Length;
        }
        GC.KeepAlive(sink);
    }

    /// <summary>Parses and walks; only <see cref="BpfFormatException"/> may escape, which counts as a rejection.</summary>
    private static bool ParseAndWalk(byte[] data, BtfSpec? baseSpec, string what, bool withPrinters = true)
    {
        try
        {
            var spec = BtfSpec.Parse(data, baseSpec);
            Walk(spec, withPrinters);
            return true;
        }
        catch (BpfFormatException)
        {
            return false;
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name} instead of BpfFormatException: {e}");
            return false;
        }
    }

    private static void FlipAndTruncate(byte[] original, BtfSpec? baseSpec, string name, int maxPositions)
    {
        var watch = Stopwatch.StartNew();
        Assert.True(ParseAndWalk(original, baseSpec, name), $"{name} itself must parse");
        int stride = Math.Max(1, original.Length / maxPositions);
        int accepted = 0, rejected = 0, n = 0;
        for (int pos = 0; pos < original.Length; pos += stride)
        {
            foreach (byte x in Mutations)
            {
                var copy = (byte[])original.Clone();
                copy[pos] = x == 0 ? (byte)0 : (byte)(copy[pos] ^ x);
                if (copy[pos] == original[pos]) continue;
                // The printers and the writer read the same accessors; run them on every 4th case to keep the test fast.
                if (ParseAndWalk(copy, baseSpec, $"{name}: byte {pos} ^ 0x{x:x2}", n++ % 4 == 0)) accepted++; else rejected++;
            }
        }
        for (int len = 0; len < original.Length; len += stride)
            if (ParseAndWalk(original[..len], baseSpec, $"{name}: truncated to {len}", n++ % 4 == 0)) accepted++; else rejected++;
        // Both outcomes happen: mutations of names/values parse, mutations of structure are rejected.
        Assert.True(accepted > 0 && rejected > 0, $"{name}: {accepted} accepted, {rejected} rejected");
        // A generous bound (machines running tests in parallel are slow); a hang would never finish anyway.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"{name}: took {watch.Elapsed}");
    }

    [Fact]
    public void SplitModuleBlob()
    {
        var baseSpec = KernelBlobs.Load("debian-6.1.192-amd64.btf.gz");
        FlipAndTruncate(BtfSpec.ReadAllBytes(TestPaths.Kernel("debian-6.1.192-amd64.veth.btf.gz")), baseSpec, "veth", 1500);
    }

    [Fact]
    public void DistilledBaseAndItsSplitModule()
    {
        var baseBytes = BtfSpec.ReadAllBytes(TestPaths.Kernel("ci-7.1-btf_testmod.btf.base.gz"));
        FlipAndTruncate(baseBytes, null, "distilled base", 4000);
        FlipAndTruncate(BtfSpec.ReadAllBytes(TestPaths.Kernel("ci-7.1-btf_testmod.btf.gz")), BtfSpec.Parse(baseBytes), "btf_testmod", 800);
    }

    [Theory]
    [InlineData("bpf")]
    [InlineData("bpfeb")]
    public void ClangObjectBtf(string target)
    {
        var elf = File.ReadAllBytes(BtfTestTools.CompileTestObject("kinds", target));
        FlipAndTruncate(ElfSections.FindSection(elf, ".BTF")!.Value.ToArray(), null, "kinds.o " + target, 4000);
    }

    [Fact]
    public void LayoutSectionBtf()
    {
        FlipAndTruncate(BtfBuilderTests.EveryKind().ToArray(layoutSection: true), null, "layout", 4000);
        FlipAndTruncate(BtfBuilderTests.EveryKind().ToArray(bigEndian: true, layoutSection: true), null, "layout BE", 4000);
    }

    [Fact]
    public void CyclicTypedefsAreReportedByTheHelpers()
    {
        var b = new BtfBuilder();
        int a = b.AddTypedef("A", 0);
        int bb = b.AddTypedef("B", a);
        b.SetReferencedType(a, bb);
        var spec = b.Build();
        Assert.Equal(BpfFormatError.BtfTypeChainTooDeep, Assert.Throws<BpfFormatException>(() => spec.SkipModifiersAndTypedefs(a)).ErrorCode);
        Assert.False(spec.TryResolveSize(a, out _));
        Assert.Throws<BpfFormatException>(() => spec.ResolveSize(bb));
        Assert.Equal(a, spec.SkipModifiers(a).Id); // typedefs are not modifiers
        Walk(spec);
    }

    [Fact]
    public void ModifierChainsAreBoundedAt32()
    {
        var b = new BtfBuilder();
        int i32 = b.AddInt("int", 4, BtfIntEncoding.Signed);
        int top = i32, top31 = 0;
        for (int n = 1; n <= 40; n++)
        {
            top = (n % 3) switch { 0 => b.AddConst(top), 1 => b.AddVolatile(top), _ => b.AddTypeTag("t", top) };
            if (n == 31) top31 = top;
        }
        var spec = b.Build();
        Assert.Equal(i32, spec.SkipModifiers(top31).Id);
        Assert.Equal(4, spec.ResolveSize(top31));
        Assert.Equal(BpfFormatError.BtfTypeChainTooDeep, Assert.Throws<BpfFormatException>(() => spec.SkipModifiers(top)).ErrorCode);
        Assert.Equal(BpfFormatError.BtfTypeChainTooDeep, Assert.Throws<BpfFormatException>(() => spec.SkipModifiersAndTypedefs(top)).ErrorCode);
        Assert.False(spec.TryResolveSize(top, out _));
        Walk(spec);
    }

    [Fact]
    public void SelfContainingArrayAndVarCyclesDoNotHang()
    {
        var b = new BtfBuilder();
        int i32 = b.AddInt("int", 4, BtfIntEncoding.Signed);
        int arr = b.AddArray(0, i32, 2);
        var bytes = b.ToArray();
        // Point the array at itself (the builder checks ids, not cycles: patch the element type word).
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24 + 16 + 12), (uint)arr);
        var spec = BtfSpec.Parse(bytes);
        Assert.Equal(arr, spec[arr].ArrayElementType);
        Assert.False(spec.TryResolveSize(arr, out _));
        Walk(spec);
    }

    [Fact]
    public void HugeArraySizesDoNotOverflow()
    {
        var b = new BtfBuilder();
        int i32 = b.AddInt("int", 4, BtfIntEncoding.Signed);
        int s = b.AddStruct("huge", uint.MaxValue);
        int arr = b.AddArray(s, i32, uint.MaxValue);
        int small = b.AddArray(i32, i32, 1u << 29);
        int outer = b.AddArray(small, i32, 4);
        var spec = b.Build();
        Assert.False(spec.TryResolveSize(arr, out long size), $"resolved to {size}");
        Assert.False(spec.TryResolveSize(outer, out size), $"resolved to {size}");
        Assert.True(spec.TryResolveSize(small, out size));
        Assert.Equal(1L << 31, size);
    }

    [Fact]
    public void AbsurdCountsAreRejectedWithTheirCodes()
    {
        var good = BtfBuilderTests.EveryKind().ToArray();
        var spec = BtfSpec.Parse(good);
        int node = spec.FindByName("node", BtfKind.Struct);
        int at = 24 + spec.GetTypeRecordOffset(node);

        BpfFormatError Code(Action<byte[]> patch)
        {
            var copy = (byte[])good.Clone();
            patch(copy);
            return Assert.Throws<BpfFormatException>(() => BtfSpec.Parse(copy)).ErrorCode;
        }
        uint info = BinaryPrimitives.ReadUInt32LittleEndian(good.AsSpan(at + 4));
        Assert.Equal(BpfFormatError.BtfTruncatedType, Code(c => BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(at + 4), info | 0xffffff)));
        Assert.Equal(BpfFormatError.BtfUnknownKind, Code(c => BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(at + 4), (info & 0x80ffffff) | 0x7f000000)));
        Assert.Equal(BpfFormatError.BtfBadHeader, Code(c => BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(12), uint.MaxValue - 3)));
        Assert.Equal(BpfFormatError.BtfBadHeader, Code(c => BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(20), uint.MaxValue)));
        Assert.Equal(BpfFormatError.BtfBadHeader, Code(c => BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(4), uint.MaxValue)));
        Assert.Equal(BpfFormatError.BtfBadTypeId, Code(c => BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(at + 16), 0x7fffffff)));
        Assert.Equal(BpfFormatError.BtfBadStringOffset, Code(c => BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(at), 0xffffff)));
        Assert.Equal(BpfFormatError.BtfBadMagic, Code(c => c[0] = 0));
        Assert.Equal(BpfFormatError.BtfTruncated, Assert.Throws<BpfFormatException>(() => BtfSpec.Parse(good.AsMemory(0, 23))).ErrorCode);
    }
}
