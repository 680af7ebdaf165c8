using BpfSharp.Btf;
using BpfSharp.Btf.Formatting;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Btf;

/// <summary>Differential tests: <see cref="BtfRawFormatter"/> against <c>bpftool btf dump file X format raw</c>.</summary>
public class BtfRawFormatterTests
{
    private static byte[] Ours(BtfSpec spec)
    {
        using var ms = new MemoryStream();
        BtfRawFormatter.Write(spec, ms);
        return ms.ToArray();
    }

    [Fact]
    public void RunningKernelMatchesBpftool()
    {
        var expected = BtfTestTools.Run("bpftool", "btf", "dump", "file", TestPaths.Vmlinux, "format", "raw");
        BtfTestTools.AssertSameText(expected, Ours(BtfSpec.Load(TestPaths.Vmlinux)), TestPaths.Vmlinux);
    }

    [Theory]
    [MemberData(nameof(KernelBlobs.Names), MemberType = typeof(KernelBlobs))]
    public void KernelBlobMatchesBpftool(string file)
    {
        var entry = KernelBlobs.All.Single(b => b.File == file);
        string raw = BtfTestTools.RawBlob(file);
        byte[] expected = entry.Base is null
            ? BtfTestTools.Run("bpftool", "btf", "dump", "file", raw, "format", "raw")
            : BtfTestTools.Run("bpftool", "-B", BtfTestTools.RawBlob(entry.Base), "btf", "dump", "file", raw, "format", "raw");
        BtfTestTools.AssertSameText(expected, Ours(KernelBlobs.Load(file)), file);
    }

    [Theory]
    [InlineData("kinds", "bpf")]
    [InlineData("kinds", "bpfeb")]
    [InlineData("maps", "bpf")]
    [InlineData("maps", "bpfeb")]
    public void ClangObjectMatchesBpftool(string name, string target)
    {
        string obj = BtfTestTools.CompileTestObject(name, target);
        var expected = BtfTestTools.Run("bpftool", "btf", "dump", "file", obj, "format", "raw");
        var spec = BtfSpec.Load(obj);
        Assert.Equal(target == "bpfeb", spec.IsBigEndian);
        BtfTestTools.AssertSameText(expected, Ours(spec), obj);
    }

    [Fact]
    public void BuilderMadeBtfOfEveryKindMatchesBpftool()
    {
        var b = BtfBuilderTests.EveryKind();
        string path = BtfTestTools.ScratchFile("every-kind.btf");
        File.WriteAllBytes(path, b.ToArray());
        var expected = BtfTestTools.Run("bpftool", "btf", "dump", "file", path, "format", "raw");
        var ours = Ours(BtfSpec.Load(path));
        BtfTestTools.AssertSameText(expected, ours, path);
        // Every kind really is there.
        var text = System.Text.Encoding.UTF8.GetString(ours);
        foreach (BtfKind kind in Enum.GetValues<BtfKind>())
            if (kind != BtfKind.Unknown) Assert.Contains("] " + kind.ToBpftoolName() + " '", text);
    }

    [Fact]
    public void BuilderMadeSplitBtfMatchesBpftoolWithBase()
    {
        var baseSpec = KernelBlobs.Load("debian-6.1.192-amd64.btf.gz");
        var b = new BpfSharp.Btf.Writing.BtfBuilder(baseSpec);
        int s = b.AddStruct("my_module_state", 24);
        b.AddMember(s, "inode", b.AddPointer(baseSpec.FindByName("inode", BtfKind.Struct)), 0);
        b.AddMember(s, "list", baseSpec.FindByName("list_head", BtfKind.Struct), 64);
        int e = b.AddEnum("my_module_mode", signed: true);
        b.AddEnumValue(e, "MODE_OFF", -1);
        b.AddEnumValue(e, "MODE_ON", 1);
        int proto = b.AddFuncProto(baseSpec.FindByName("int", BtfKind.Int));
        b.AddParam(proto, "state", b.AddPointer(s));
        b.AddFunc("my_module_init", proto, BtfLinkage.Global);
        string path = BtfTestTools.ScratchFile("split-module.btf");
        File.WriteAllBytes(path, b.ToArray());
        var expected = BtfTestTools.Run("bpftool", "-B", BtfTestTools.RawBlob("debian-6.1.192-amd64.btf.gz"), "btf", "dump", "file", path);
        BtfTestTools.AssertSameText(expected, Ours(BtfSpec.Load(path, baseSpec)), path);
        Assert.Contains($"[{s}] STRUCT 'my_module_state' size=24 vlen=2", System.Text.Encoding.UTF8.GetString(expected));
    }

    [Fact]
    public void SingleTypeAndStringFormsAgreeWithWholeDump()
    {
        var spec = BtfSpec.Load(BtfTestTools.CompileTestObject("kinds"));
        using var ms = new MemoryStream();
        for (int id = 1; id < spec.TypeCount; id++) BtfRawFormatter.WriteType(spec[id], ms);
        Assert.Equal(BtfRawFormatter.Format(spec), System.Text.Encoding.UTF8.GetString(ms.ToArray()));
    }
}
