using System.Buffers.Binary;
using BpfSharp.Btf;
using BpfSharp.Btf.Writing;
using BpfSharp.CoRe.Tools;
using BpfSharp.Objects;
using BpfSharp.Tests.CoRe;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Robustness;

/// <summary>Issue 13, D5, D8 and M1: min-btf and the object writer on hostile input.</summary>
public class HostileCoReToolTests
{
    private static string CompileC(string name, string code)
    {
        var source = Path.Combine(TestPaths.NewScratchDirectory("hostile-core"), name + ".c");
        File.WriteAllText(source, code);
        return CoReTestKit.Compile(source);
    }

    private static readonly Lazy<string> EnumObject = new(() => CompileC("enum_reader", """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>
        #include <bpf/bpf_core_read.h>
        enum bpfsharp_e { BPFSHARP_V = 1 };
        SEC("xdp") int entry(struct xdp_md *ctx) { return bpf_core_enum_value(enum bpfsharp_e, BPFSHARP_V); }
        char LICENSE[] SEC("license") = "GPL";
        """));

    [Theory]
    [InlineData(BtfKind.Enum, 3u)]
    [InlineData(BtfKind.Enum, 0x8000_0000u)]
    [InlineData(BtfKind.Enum64, 7u)]
    public void MinBtfOfAnEnumWithAnImpossibleSizeIsAFormatError(BtfKind kind, uint size)
    {
        // The enum is type 1, so its size word sits right after the 24-byte header's name_off and info.
        var b = new BtfBuilder();
        int e = kind == BtfKind.Enum ? b.AddEnum("bpfsharp_e", 4) : b.AddEnum64("bpfsharp_e", 8);
        b.AddEnumValue(e, "BPFSHARP_V", 1L);
        var bytes = b.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24 + 8), size);
        var target = BtfSpec.Parse(bytes, null, "hostile.btf");
        Assert.Equal(size, target[1].Size);
        var obj = ObjectSpec.Load(EnumObject.Value);
        var error = Assert.Throws<BpfFormatException>(() => MinimalBtf.GenerateBytes(target, [obj]));
        Assert.Contains($"size {size}", error.Message);
    }

    [Fact]
    public void MinBtfTakesObjectsWithUnresolvedExterns()
    {
        // kfuncs, untyped and typed __ksym and a weak __kconfig meant for another kernel (bpftool handles them).
        var path = CompileC("externs", """
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>
            struct task_struct { int pid; } __attribute__((preserve_access_index));
            struct bpfsharp_nostruct { int a; };
            extern int bpfsharp_missing_ksym __ksym;
            extern const struct bpfsharp_nostruct bpfsharp_typed_ksym __ksym;
            extern int bpfsharp_missing_kfunc(int x) __ksym;
            extern int CONFIG_BPFSHARP_NOPE __kconfig __weak;
            SEC("tp_btf/sched_switch") int entry(unsigned long long *ctx)
            {
                struct task_struct *t = (void *)ctx[1];
                return t->pid + bpfsharp_missing_ksym + bpfsharp_typed_ksym.a + bpfsharp_missing_kfunc(1) + CONFIG_BPFSHARP_NOPE;
            }
            char LICENSE[] SEC("license") = "GPL";
            """);
        var target = KernelBtfFiles.Load(TestPaths.Kernel("ci-5.13.2.btf.gz"));
        var min = BtfSpec.Parse(MinimalBtf.GenerateBytes(target, [ObjectSpec.Load(path)]));
        Assert.Contains(Enumerable.Range(1, min.TypeCount - 1), id => min[id].Name == "task_struct");
    }

    [Theory]
    [InlineData(3UL)]
    [InlineData(1UL << 40)]
    [InlineData(1UL << 63)]
    [InlineData(ulong.MaxValue)]
    public void WritingAnObjectWithAnAbsurdAlignmentIsAFormatError(ulong alignment)
    {
        var elf = ElfPatch.SectionAlignment(File.ReadAllBytes(EnumObject.Value), "xdp", alignment);
        var spec = ObjectSpec.Read(elf, "aligned.o");
        var xdp = spec.Sections.Single(s => s.Name == "xdp");
        var writer = new ObjectWriter(spec).ReplaceSectionData(xdp.Index, xdp.Data.ToArray());
        var error = Assert.Throws<BpfFormatException>(() => writer.ToArray());
        Assert.Equal("aligned.o", error.FilePath);
    }
}
