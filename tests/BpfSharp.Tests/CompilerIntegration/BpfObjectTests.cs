using BpfSharp.Compilation;
using BpfSharp.Linux.Loading;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.CompilerIntegration;

/// <summary>
/// <see cref="BpfObject"/>'s life cycle on the tiny project's object: what may be changed before load (map sizes,
/// value sizes, variables), what after, and the errors that name what is wrong.
/// </summary>
[Collection(TinyBpfProjectCollection.Name)]
public sealed class BpfObjectTests(BuiltTinyProject built)
{
    [Fact]
    public void MapsAreCreatedWithTheSizesSetBeforeLoad()
    {
        KernelObjects.RequireBpf();
        using var o = BpfProgramSet.CompileAndOpen(built.Project.AssemblyPath);
        Assert.Equal(16u, o.Loader.GetMaxEntries("ByLength"));
        o.SetMaxEntries("ByLength", 4096);
        o.SetValueSize("ByLength", 24);   // larger than LengthStats: created without BTF for the value
        o.Load();

        Assert.Equal(4096, o.Map("ByLength").MaxEntries);
        Assert.Equal(24, o.Map("ByLength").ValueSize);
        Assert.Equal(104u, o.Program("CountAndMeasure").TestRun(new byte[64]).ReturnValue);
    }

    [Fact]
    public void ChangesThatOnlyMakeSenseBeforeLoadAreRefusedAfterIt()
    {
        KernelObjects.RequireBpf();
        using var o = BpfProgramSet.CompileAndOpen(built.Project.AssemblyPath);
        o.Load();

        Assert.Throws<InvalidOperationException>(() => o.SetMaxEntries("ByLength", 1));
        Assert.Throws<InvalidOperationException>(() => o.Load());
        Assert.Throws<InvalidOperationException>(() => o.Variable<uint>("Bias").Value = 1);
        o.Variable<long>("Step").Value = 3;   // .data stays writable
        Assert.Equal(3L, o.Variable<long>("Step").Value);
    }

    [Fact]
    public void UnknownNamesAndWrongSizesAreNamedInTheError()
    {
        using var o = BpfProgramSet.CompileAndOpen(built.Project.AssemblyPath);

        Assert.Contains("'NoSuchMap'", Assert.Throws<KeyNotFoundException>(() => o.SetMaxEntries("NoSuchMap", 1)).Message);
        Assert.Contains("'NoSuchVariable'", Assert.Throws<KeyNotFoundException>(() => o.Variable<int>("NoSuchVariable")).Message);
        Assert.Contains("'Bias' is 4 bytes", Assert.Throws<ArgumentException>(() => o.Variable<ulong>("Bias")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.SetMaxEntries("ByLength", 0));
        Assert.Contains("not loaded", Assert.Throws<InvalidOperationException>(() => o.Map("ByLength")).Message);
    }
}
