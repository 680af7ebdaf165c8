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
public sealed unsafe class SemanticsTests
{
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

        // Statics are part of some programs; run each .NET twin on a fresh copy of the initial values by running it
        // before the BPF program reads the object's (pristine) .data.
        var expected = (int)method.Invoke(null, [null])!;

        using var collection = BpfCollection.Load(ObjectSpec.Load(CompiledTestPrograms.ObjectPath));
        var result = collection.Programs[name].TestRun(Packet);
        Assert.Equal((uint)expected, result.ReturnValue);
    }

    [Fact]
    public void EveryProgramPassesTheVerifierInOneLoad()
    {
        KernelObjects.RequireBpf();
        using var collection = BpfCollection.Load(ObjectSpec.Load(CompiledTestPrograms.ObjectPath));
        Assert.Equal(CompiledTestPrograms.Compilation.Programs.Count, collection.Programs.Count);
    }
}
