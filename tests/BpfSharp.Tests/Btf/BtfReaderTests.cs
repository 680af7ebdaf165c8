using BpfSharp.Btf;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Btf;

public class BtfReaderTests
{
    [Theory]
    [MemberData(nameof(KernelBlobs.Names), MemberType = typeof(KernelBlobs))]
    public void ParsesEveryBlobWithTheIndexedTypeCount(string file)
    {
        var spec = KernelBlobs.Load(file);
        var expected = KernelBlobs.All.Single(b => b.File == file).Types;
        Assert.Equal(expected, spec.OwnTypeCount);
        // Every type view can be read, and every referenced id is in range (the parser validated it).
        for (int id = spec.StartId; id < spec.TypeCount; id++)
        {
            var t = spec[id];
            Assert.True(t.Kind <= BtfKinds.MaxKnown, $"[{id}] kind {t.Kind}");
            if (t.Kind.HasTypeReference()) Assert.True(spec.IsValidTypeId(t.ReferencedTypeId));
        }
    }

    [Fact]
    public void FindsWellKnownStructsInRunningKernel()
    {
        var spec = BtfSpec.Load(TestPaths.Vmlinux);
        foreach (var name in new[] { "task_struct", "sk_buff", "file", "inode", "dentry", "sock", "mm_struct" })
        {
            int id = spec.FindByName(name, BtfKind.Struct);
            Assert.True(id > 0, name);
            Assert.Equal(name, spec[id].Name);
            Assert.Equal(BtfKind.Struct, spec[id].Kind);
        }
        Assert.Equal(-1, spec.FindByName("no_such_struct_anywhere", BtfKind.Struct));
        Assert.Equal(8, spec.PointerSize);
    }

    [Fact]
    public void SplitBtfResolvesBaseIdsAndStrings()
    {
        var spec = KernelBlobs.Load("debian-6.1.192-amd64.xfs.btf.gz");
        Assert.Equal(spec.Base!.TypeCount, spec.StartId);
        int id = spec.FindByName("xfs_inode", BtfKind.Struct);
        Assert.True(id >= spec.StartId);
        // A member of an xfs struct refers to a base type (e.g. struct inode).
        bool sawBase = false;
        foreach (var m in spec[id].Members)
            if (m.TypeId > 0 && m.TypeId < spec.StartId) { sawBase = true; _ = spec[m.TypeId].Name; }
        Assert.True(sawBase);
    }

    [Theory]
    [InlineData("task_struct___v1", "task_struct")]
    [InlineData("a___b___c", "a___b")]
    [InlineData("foo____bar", "foo____bar")]
    [InlineData("___x", "___x")]
    [InlineData("core_reloc_nesting___dup_compat_types__2", "core_reloc_nesting")]
    [InlineData("core_reloc_flavors__err_wrong_name", "core_reloc_flavors__err_wrong_name")]
    public void EssentialNameFollowsLibbpf(string name, string essential) =>
        Assert.Equal(essential, BtfSpec.EssentialName(name));

    [Theory]
    [InlineData("debian-6.1.192-amd64.btf.gz")]
    [InlineData("debian-6.1.192-amd64.xfs.btf.gz")]
    public void ScannedAndIndexedLookupsAgree(string file)
    {
        // A fresh spec answers its first lookups by scanning; one with the index built answers from the index.
        var scanned = KernelBlobs.Load(file);
        var indexed = KernelBlobs.Load(file);
        indexed.EnsureNameIndex();
        var rng = new Random(7);
        for (int n = 0; n < 40; n++)
        {
            var t = indexed[rng.Next(indexed.StartId, indexed.TypeCount)];
            string name = t.Name;
            Assert.Equal(indexed.FindByName(name, t.Kind), scanned.FindByName(name, t.Kind));
            Assert.Equal(indexed.FindByName(name), scanned.FindByName(name));
            if (name.Length > 0) Assert.True(indexed.FindByName(name, t.Kind) <= t.Id);
        }
        Assert.Equal(-1, scanned.FindByName("no_such_type_here", BtfKind.Struct));
        Assert.Equal(-1, scanned.FindByName("", BtfKind.Struct));
    }
}
