using BpfSharp.Btf;
using BpfSharp.CoRe;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.CoRe;

/// <summary>
/// Load/store size adjustment (libbpf's core_autosize selftest idea): a hand-built 32-bit target BTF where pointers
/// and longs are 4 bytes. Unsigned/pointer loads and stores are resized (mem_sz 8 -> 4), signed ones are poisoned.
/// </summary>
public sealed class CoReAutosizeTests
{
    private static string Target32()
    {
        var b = new TestBtfBuilder();
        int ulong32 = b.Int("long unsigned int", 4);
        int long32 = b.Int("long int", 4, signed: true);
        int uint32 = b.Int("unsigned int", 4);
        int int16 = b.Int("short int", 2, signed: true);
        int ushort16 = b.Int("short unsigned int", 2);
        int ptr = b.Pointer(0);
        b.Struct("core_reloc_autosize___32", 20,
            ("ptr_field", ptr, 0), ("ulong_field", ulong32, 32), ("uint_field", uint32, 64), ("long_field", long32, 96),
            ("int_field", int16, 128), ("ushort_field", ushort16, 144));
        string path = Path.Combine(TestPaths.NewScratchDirectory("autosize"), "target32.btf");
        File.WriteAllBytes(path, b.BuildBytes());
        Assert.Equal(4, BtfSpec.Load(path).PointerSize);
        return path;
    }

    [Fact]
    public void Autosize_MatchesLibbpf()
    {
        string obj = CoReTestKit.Compile("autosize");
        var result = CoReTestKit.AssertSameAsLibbpf(obj, ("vmlinux", Target32(), null));
        var handleUnsigned = result.Result.Relocations.Where(r => r.ProgramName == "handle_unsigned").ToList();
        Assert.Contains(handleUnsigned, r => r.Value.OriginalSize == 8 && r.Value.NewSize == 4 && r.Outcome == CoReOutcome.Patched);
        var handleSigned = result.Result.Relocations.Where(r => r.ProgramName == "handle_signed").ToList();
        Assert.All(handleSigned, r => Assert.Equal(CoReOutcome.Poisoned, r.Outcome));
    }
}
