using System.Buffers.Binary;
using System.Diagnostics;
using BpfSharp.Objects;

namespace BpfSharp.Tests.Objects;

/// <summary>Corrupted objects and .BTF.ext sections: only BpfFormatException, never another exception or a hang.</summary>
public class MalformedObjectTests
{
    private static void ReadExpectingOnlyFormatErrors(byte[] bytes, string what)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            var obj = ObjectSpec.Read(bytes, "fuzz.o");
            // Touch the lazily computed parts too.
            foreach (var p in obj.Programs) _ = p.Instructions.Length;
            _ = obj.BtfExt?.CoReRelocationCount;
        }
        catch (BpfFormatException)
        {
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
        }
        // A hang or a blow-up shows as one slow parse (each takes well under a millisecond normally).
        Assert.True(Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(2), $"{what}: parse took {Stopwatch.GetElapsedTime(start)}");
    }

    private static void ParseExtExpectingOnlyFormatErrors(byte[] ext, BpfSharp.Btf.BtfSpec btf, string what)
    {
        try
        {
            _ = BtfExt.Parse(ext, btf, "fuzz.o");
        }
        catch (BpfFormatException)
        {
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
        }
    }

    [Theory]
    [InlineData("core_reads")]
    [InlineData("maps")]
    [InlineData("progs:eb")]
    public void FlippedBytesAnywhere(string variant)
    {
        byte[] original = File.ReadAllBytes(TestObjects.Get(variant));
        // About 2,500 positions x 2 masks keeps the test within seconds even on a loaded machine.
        int stride = Math.Max(1, original.Length / 2500);
        foreach (byte mask in new byte[] { 0xff, 0x01 })
            for (int i = 0; i < original.Length; i += stride)
            {
                byte[] bytes = (byte[])original.Clone();
                bytes[i] ^= mask;
                ReadExpectingOnlyFormatErrors(bytes, $"byte {i} ^ 0x{mask:x2}");
            }
    }

    [Theory]
    [InlineData("core_reads")]
    [InlineData("maps:eb")]
    public void TruncatedAnywhere(string variant)
    {
        byte[] original = File.ReadAllBytes(TestObjects.Get(variant));
        for (int length = 0; length < original.Length; length++)
            ReadExpectingOnlyFormatErrors(original[..length], $"truncated to {length}");
    }

    public static TheoryData<string> ExtVariants() => new() { "core_reads", "core_reads:eb", "progs" };

    [Theory]
    [MemberData(nameof(ExtVariants))]
    public void BtfExtFlippedAndTruncated(string variant)
    {
        var obj = ObjectSpec.Load(TestObjects.Get(variant));
        var section = obj.FindSection(".BTF.ext")!;
        byte[] ext = section.Data.ToArray();
        // Through the whole object: .BTF.ext bytes flipped in place.
        byte[] image = obj.Image.ToArray();
        for (int i = 0; i < ext.Length; i++)
            foreach (byte mask in new byte[] { 0xff, 0x01, 0x80 })
            {
                byte[] bytes = (byte[])image.Clone();
                bytes[(int)section.FileOffset + i] ^= mask;
                ReadExpectingOnlyFormatErrors(bytes, $".BTF.ext byte {i} ^ 0x{mask:x2}");
            }
        for (int length = 0; length < ext.Length; length++)
            ParseExtExpectingOnlyFormatErrors(ext[..length], obj.Btf!, $".BTF.ext truncated to {length}");
    }

    [Theory]
    [MemberData(nameof(ExtVariants))]
    public void BtfExtAbsurdCountsAndOffsets(string variant)
    {
        var obj = ObjectSpec.Load(TestObjects.Get(variant));
        byte[] ext = obj.FindSection(".BTF.ext")!.Data.ToArray();
        bool be = obj.BtfExt!.IsBigEndian;
        var random = new Random(1234);
        uint[] interesting = [0, 1, 3, 4, 7, 8, 15, 16, 0x7fffffff, 0x80000000, 0xfffffff8, 0xfffffffc, 0xffffffff];
        // Every 4-byte aligned field (header offsets/lengths, rec_size, sec_name_off, num_info, record fields).
        for (int at = 4; at + 4 <= ext.Length; at += 4)
            for (int k = 0; k < interesting.Length + 4; k++)
            {
                uint value = k < interesting.Length ? interesting[k] : (uint)random.NextInt64(0, 1L << 32);
                byte[] bytes = (byte[])ext.Clone();
                if (be) BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at), value);
                else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), value);
                ParseExtExpectingOnlyFormatErrors(bytes, obj.Btf!, $"u32 at {at} = 0x{value:x}");
            }
    }

    [Fact]
    public void SpecificErrorsNameSectionAndOffset()
    {
        var obj = ObjectSpec.Load(TestObjects.Get("core_reads"));
        byte[] ext = obj.FindSection(".BTF.ext")!.Data.ToArray();

        var bad = (byte[])ext.Clone();
        bad[0] = 0x12;
        var e = Assert.Throws<BpfFormatException>(() => BtfExt.Parse(bad, obj.Btf!, "x.o"));
        Assert.Equal(BpfFormatError.BtfExtBadMagic, e.ErrorCode);
        Assert.Equal(".BTF.ext", e.Section);
        Assert.Equal(0, e.SectionOffset);
        Assert.StartsWith("x.o: .BTF.ext+0x0: BPFF0202 BtfExtBadMagic", e.Message, StringComparison.Ordinal);

        bad = (byte[])ext.Clone();
        bad[2] = 2;
        Assert.Equal(BpfFormatError.BtfExtUnsupportedVersion, Assert.Throws<BpfFormatException>(() => BtfExt.Parse(bad, obj.Btf!)).ErrorCode);

        // func_info rec_size 6 (below the minimum 8).
        uint funcOff = BinaryPrimitives.ReadUInt32LittleEndian(ext.AsSpan(8));
        bad = (byte[])ext.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(bad.AsSpan(32 + (int)funcOff), 6);
        e = Assert.Throws<BpfFormatException>(() => BtfExt.Parse(bad, obj.Btf!));
        Assert.Equal(BpfFormatError.BtfExtBadRecordSize, e.ErrorCode);
        Assert.Equal(32 + funcOff, (uint)e.SectionOffset);

        // First core_relo record's insn_off not a multiple of 8.
        uint coreOff = BinaryPrimitives.ReadUInt32LittleEndian(ext.AsSpan(24));
        bad = (byte[])ext.Clone();
        int firstRecord = 32 + (int)coreOff + 4 + 8;
        BinaryPrimitives.WriteUInt32LittleEndian(bad.AsSpan(firstRecord), 12);
        e = Assert.Throws<BpfFormatException>(() => BtfExt.Parse(bad, obj.Btf!));
        Assert.Equal(BpfFormatError.BtfExtBadInstructionOffset, e.ErrorCode);
        Assert.Equal(firstRecord, e.SectionOffset);

        // num_info 0.
        bad = (byte[])ext.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(bad.AsSpan(32 + (int)coreOff + 4 + 4), 0);
        Assert.Equal(BpfFormatError.BtfExtNoRecords, Assert.Throws<BpfFormatException>(() => BtfExt.Parse(bad, obj.Btf!)).ErrorCode);

        // Section name offset beyond the strings.
        bad = (byte[])ext.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(bad.AsSpan(32 + (int)coreOff + 4), 0x7fffffff);
        Assert.Equal(BpfFormatError.BtfExtBadSectionName, Assert.Throws<BpfFormatException>(() => BtfExt.Parse(bad, obj.Btf!)).ErrorCode);

        // hdr_len == size: "has no data".
        Assert.Equal(BpfFormatError.BtfExtBadHeader, Assert.Throws<BpfFormatException>(() => BtfExt.Parse(ext[..32], obj.Btf!)).ErrorCode);
    }

    [Fact]
    public void ElfHeaderChecks()
    {
        byte[] original = File.ReadAllBytes(TestObjects.Get("progs"));
        BpfFormatError Code(Action<byte[]> mutate)
        {
            var b = (byte[])original.Clone();
            mutate(b);
            return Assert.Throws<BpfFormatException>(() => ObjectSpec.Read(b)).ErrorCode;
        }
        Assert.Equal(BpfFormatError.ElfBadHeader, Code(b => b[0] = 0));
        Assert.Equal(BpfFormatError.ElfBadHeader, Code(b => b[4] = 1));      // ELFCLASS32
        Assert.Equal(BpfFormatError.ElfBadHeader, Code(b => b[16] = 2));     // ET_EXEC
        Assert.Equal(BpfFormatError.ElfBadHeader, Code(b => b[18] = 62));    // EM_X86_64
        Assert.Equal(BpfFormatError.ElfMalformed, Code(b => b[0x3a] = 32));  // e_shentsize
    }
}
