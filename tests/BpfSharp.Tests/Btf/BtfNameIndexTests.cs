using System.Text;
using BpfSharp.Btf;
using BpfSharp.Btf.Writing;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Btf;

/// <summary>
/// The name index hashes names in place, eight bytes at a time, and looks them up by hashing a span: both must agree
/// for every name, whatever its length, alignment or flavor, or CO-RE would miss candidates.
/// </summary>
public sealed class BtfNameIndexTests
{
    [Theory]
    [InlineData("/sys/kernel/btf/vmlinux")]
    [InlineData("debian-6.1.192-amd64.btf.gz")]
    [InlineData("debian-6.1.192-amd64.xfs.btf.gz")]
    public void EveryNamedTypeIsFoundByItsEssentialName(string file)
    {
        var spec = file.StartsWith('/') ? BtfSpec.Load(file) : KernelBlobs.Load(file);
        int named = 0;
        for (int id = spec.StartId; id < spec.TypeCount; id++)
        {
            var name = spec[id].NameUtf8;
            if (name.IsEmpty) continue;
            named++;
            bool found = false;
            foreach (var t in spec.FindOwnByEssentialName(name[..BtfSpec.EssentialNameLength(name)]))
                if (t.Id == id) { found = true; break; }
            Assert.True(found, $"[{id}] '{Encoding.UTF8.GetString(name)}' is missing from the name index of {file}");
        }
        Assert.True(named > 1000, $"only {named} named types in {file}");
    }

    [Fact]
    public void NamesOfEveryLengthAndFlavorPositionAreFound()
    {
        var builder = new BtfBuilder();
        int intId = builder.AddInt("int", 4);
        var names = new List<string>();
        for (int length = 1; length <= 40; length++)
            names.Add(new string((char)('a' + length % 26), length));
        // Flavor separators at every position around the 8-byte word boundaries, and near-misses.
        for (int prefix = 1; prefix <= 18; prefix++)
        {
            string p = new('s', prefix);
            names.Add(p + "___v1");
            names.Add(p + "____v2");       // four underscores: not a flavor
            names.Add(p + "___");          // nothing after: not a flavor
            names.Add(p + "___a___b");     // the last separator counts
            names.Add("_" + p + "___x");
        }
        names.Add("sss");
        foreach (var name in names) builder.AddStruct(name, 4);
        var spec = builder.Build("names");
        foreach (var name in names)
        {
            int id = spec.FindByName(name, BtfKind.Struct);
            Assert.True(id > intId, $"'{name}' not found");
            Assert.Equal(name, spec[id].Name);
            var essential = Encoding.UTF8.GetBytes(BtfSpec.EssentialName(name));
            bool found = false;
            foreach (var t in spec.FindOwnByEssentialName(essential))
                if (t.Id == id) found = true;
            Assert.True(found, $"'{name}' not found by its essential name '{BtfSpec.EssentialName(name)}'");
        }
        // Scanning (a fresh spec's first searches) and the index give the same candidates in the same order.
        var raw = builder.ToArray();
        var indexed = BtfSpec.Parse(raw);
        indexed.EnsureNameIndex();
        foreach (var name in names)
        {
            var essential = Encoding.UTF8.GetBytes(BtfSpec.EssentialName(name));
            var scanned = BtfSpec.Parse(raw);
            Assert.Equal(Ids(indexed, essential), Ids(scanned, essential));
            Assert.Equal(indexed.FindByName(name, BtfKind.Struct), BtfSpec.Parse(raw).FindByName(name, BtfKind.Struct));
        }
        // Flavors of one essential name are all candidates of it, in id order.
        var flavored = new List<int>();
        foreach (var t in spec.FindOwnByEssentialName("sss"u8)) flavored.Add(t.Id);
        int[] expected = [spec.FindByName("sss___v1", BtfKind.Struct), spec.FindByName("sss", BtfKind.Struct)];
        Assert.Equal(expected, flavored);
    }

    [Theory]
    [InlineData("debian-6.1.192-amd64.btf.gz")]
    [InlineData("debian-6.1.192-amd64.xfs.btf.gz")]
    public void ScannedAndIndexedCandidateSearchesAgree(string file)
    {
        var indexed = KernelBlobs.Load(file);
        indexed.EnsureNameIndex();
        var rng = new Random(11);
        for (int n = 0; n < 12; n++)
        {
            var name = indexed[rng.Next(indexed.StartId, indexed.TypeCount)].NameUtf8.ToArray();
            if (name.Length == 0) continue;
            var essential = name.AsSpan(0, BtfSpec.EssentialNameLength(name)).ToArray();
            var scanned = KernelBlobs.Load(file); // its first searches scan
            var expected = Ids(indexed, essential);
            Assert.NotEmpty(expected);
            Assert.Equal(expected, Ids(scanned, essential));
        }
    }

    private static List<int> Ids(BtfSpec spec, ReadOnlySpan<byte> essential)
    {
        var ids = new List<int>();
        foreach (var t in spec.FindOwnByEssentialName(essential)) ids.Add(t.Id);
        return ids;
    }

    [Fact]
    public void RunningKernelBtfIsMappedWhereTheKernelAllowsIt()
    {
        const string path = "/sys/kernel/btf/vmlinux";
        if (!File.Exists(path)) Assert.Skip("no /sys/kernel/btf/vmlinux on this machine");
        var mapping = KernelBtfMapping.TryGet(path);
        // Linux 6.16 added mmap for this file; older kernels must fall back to reading it.
        bool kernelMaps = Environment.OSVersion.Version >= new Version(6, 16);
        Assert.Equal(kernelMaps, mapping is not null);
        var mapped = BtfSpec.Load(path);
        var read = BtfSpec.Parse(File.ReadAllBytes(path), source: path);
        Assert.Equal(read.TypeCount, mapped.TypeCount);
        Assert.True(read.TypeSection.SequenceEqual(mapped.TypeSection));
        Assert.True(read.StringSection.SequenceEqual(mapped.StringSection));
        // Every load shares the one mapping; none copies the file.
        Assert.Same(mapping, KernelBtfMapping.TryGet(path));
        Assert.Null(KernelBtfMapping.TryGet("/sys/kernel/btf/../btf/vmlinux"));
    }
}
