using System.Globalization;
using System.Text.RegularExpressions;
using BpfSharp.CoRe;
using BpfSharp.Objects;

namespace BpfSharp.Tests.Objects;

public class BtfExtTests
{
    /// <summary>Every CO-RE record llvm-objdump prints appears, in the same order, with the same section, offset and kind.</summary>
    [Theory]
    [MemberData(nameof(TestObjects.AllVariants), MemberType = typeof(TestObjects))]
    public void CoReRecordsMatchLlvmObjdump(string variant)
    {
        string path = TestObjects.Get(variant);
        var obj = ObjectSpec.Load(path);
        var expected = ParseObjdumpCoRe(TestObjects.Run("llvm-objdump-19", $"-dr {TestObjects.Quote(path)}"));

        var actual = new List<(string Section, uint Offset, string Kind, int TypeId)>();
        if (obj.BtfExt is not null)
            foreach (var sec in obj.BtfExt.CoReRelocations)
                foreach (var r in sec.Records)
                    actual.Add((sec.Name, r.InstructionByteOffset, r.Kind.ToLibbpfString(), r.TypeId));
        // llvm-objdump prints the records per section in section order, sorted by offset; compare as sets per section.
        Assert.Equal(expected.OrderBy(e => e.Section).ThenBy(e => e.Offset).ThenBy(e => e.Kind),
                     actual.OrderBy(e => e.Section).ThenBy(e => e.Offset).ThenBy(e => e.Kind));
        if (variant.StartsWith("core_reads", StringComparison.Ordinal)) Assert.True(actual.Count >= 19);
    }

    internal static List<(string Section, uint Offset, string Kind, int TypeId)> ParseObjdumpCoRe(string text)
    {
        var result = new List<(string, uint, string, int)>();
        string section = "";
        foreach (var line in text.Split('\n'))
        {
            var m = Regex.Match(line, @"^Disassembly of section (.*):$");
            if (m.Success) { section = m.Groups[1].Value; continue; }
            m = Regex.Match(line, @"^\s*([0-9a-f]+):\s+CO-RE <(\w+)> \[(\d+)\]");
            if (m.Success)
                result.Add((section, uint.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                    m.Groups[2].Value, int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)));
        }
        return result;
    }

    /// <summary>func_info: one record per function with a BTF FUNC named like the symbol at that offset.</summary>
    [Theory]
    [MemberData(nameof(TestObjects.AllVariants), MemberType = typeof(TestObjects))]
    public void FuncInfoNamesEveryFunction(string variant)
    {
        var obj = ObjectSpec.Load(TestObjects.Get(variant));
        Assert.NotNull(obj.BtfExt);
        Assert.NotNull(obj.Btf);
        var fromExt = new List<(string, int, string)>();
        foreach (var sec in obj.BtfExt!.FuncInfo)
            foreach (var r in sec.Records)
            {
                var t = obj.Btf![r.TypeId];
                Assert.Equal(BpfSharp.Btf.BtfKind.Func, t.Kind);
                fromExt.Add((sec.Name, r.InstructionIndex, t.Name));
            }
        var fromSymbols = obj.Programs.Select(p => (p.SectionName, p.InstructionOffset, p.Name)).ToList();
        Assert.Equal(fromSymbols.Order(), fromExt.Order());
    }

    /// <summary>line_info: file names resolve and lines are plausible; counts match llvm-objdump's line table per section.</summary>
    [Theory]
    [MemberData(nameof(TestObjects.AllVariants), MemberType = typeof(TestObjects))]
    public void LineInfoResolves(string variant)
    {
        var obj = ObjectSpec.Load(TestObjects.Get(variant));
        string name = variant.Split(':')[0] + ".c";
        int total = 0;
        foreach (var sec in obj.BtfExt!.LineInfo)
        {
            Assert.NotNull(obj.FindSection(sec.Name));
            uint last = 0;
            foreach (var r in sec.Records)
            {
                Assert.EndsWith(name, obj.Btf!.GetString(r.FileNameOffset), StringComparison.Ordinal);
                Assert.True(r.Line > 0);
                Assert.True(r.InstructionByteOffset >= last);
                last = r.InstructionByteOffset;
                total++;
            }
        }
        Assert.Equal(obj.BtfExt.LineInfoCount, total);
        Assert.True(total > 0);
    }

    [Fact]
    public void HeaderFieldsAsClangWritesThem()
    {
        var obj = ObjectSpec.Load(TestObjects.Get("core_reads"));
        var ext = obj.BtfExt!;
        Assert.False(ext.IsBigEndian);
        Assert.Equal(32u, ext.HeaderLength);
        Assert.Equal(8, ext.FuncInfoRecordSize);
        Assert.Equal(16, ext.LineInfoRecordSize);
        Assert.Equal(16, ext.CoReRelocationRecordSize);
        var eb = ObjectSpec.Load(TestObjects.Get("core_reads:eb"));
        Assert.True(eb.BtfExt!.IsBigEndian);
        // Same source: same functions; the CO-RE records differ slightly (bitfield reads depend on byte order).
        Assert.Equal(ext.FuncInfoCount, eb.BtfExt.FuncInfoCount);
        Assert.Equal(16, eb.BtfExt.CoReRelocationRecordSize);
    }

    [Fact]
    public void AccessStringsResolve()
    {
        var obj = ObjectSpec.Load(TestObjects.Get("core_reads"));
        var sec = obj.BtfExt!.FindCoReRelocations("kprobe/do_nanosleep")!;
        Assert.Equal("0:0", obj.Btf!.GetString(sec[0].AccessStringOffset));
        Assert.Equal("task_struct", obj.Btf[sec[0].TypeId].Name);
        Assert.Equal(CoReRelocationKind.FieldByteOffset, sec[0].Kind);
    }
}
