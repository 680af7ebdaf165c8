using System.Reflection;
using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.TestPrograms;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Compiler;

/// <summary>
/// Each method of <see cref="Semantics"/> runs twice: on .NET (the oracle for C# semantics) and compiled to BPF
/// under BPF_PROG_TEST_RUN in the kernel. The return values must be equal.
/// </summary>
public sealed unsafe class SemanticsTests(SemanticsTests.Loaded loaded) : IClassFixture<SemanticsTests.Loaded>
{
    /// <summary>The test programs loaded into the kernel once for the whole class.</summary>
    public sealed class Loaded : IDisposable
    {
        private BpfCollection? _collection;

        public BpfCollection Collection
        {
            get
            {
                KernelObjects.RequireBpf();
                return _collection ??= BpfCollection.Load(ObjectSpec.Load(CompiledTestPrograms.ObjectPath));
            }
        }

        public void Dispose() => _collection?.Dispose();
    }

    public static TheoryData<string> Programs()
    {
        var data = new TheoryData<string>();
        foreach (var m in typeof(Semantics).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (m.GetCustomAttributes().Any(a => a.GetType().Name == "XdpAttribute"))
            {
                data.Add(m.Name);
            }
        }

        return data;
    }

    private static readonly byte[] Packet = new byte[64];

    [Theory]
    [MemberData(nameof(Programs))]
    public void BpfResultEqualsDotNetResult(string name)
    {
        KernelObjects.RequireBpf();
        var method = typeof(Semantics).GetMethod(name)!;

        // Each program runs once on each side, so programs that change statics start from the initial values.
        var expected = (int)method.Invoke(null, [null])!;

        var result = loaded.Collection.Programs[name].TestRun(Packet);
        Assert.Equal((uint)expected, result.ReturnValue);
    }

    [Fact]
    public void EveryProgramPassesTheVerifierInOneLoad()
    {
        Assert.Equal(CompiledTestPrograms.Compilation.Programs.Count, loaded.Collection.Programs.Count);
    }
}
