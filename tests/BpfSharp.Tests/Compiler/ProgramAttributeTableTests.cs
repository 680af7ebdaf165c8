using BpfSharp.Compiler;
using BpfSharp.Kernel;

namespace BpfSharp.Tests.Compiler;

/// <summary>The compiler finds programs by their attributes' names in metadata: every program attribute the kernel
/// API declares must be one it knows, or methods carrying it would silently compile to nothing.</summary>
public sealed class ProgramAttributeTableTests
{
    [Fact]
    public void EveryProgramAttributeOfTheKernelApiMakesAProgram()
    {
        var declared = typeof(BpfProgramAttribute).Assembly.GetTypes()
            .Where(t => t == typeof(BpfProgramAttribute) || t.IsSubclassOf(typeof(BpfProgramAttribute)) || t == typeof(StructOpsMethodAttribute))
            .Select(t => t.Name).Order(StringComparer.Ordinal);
        Assert.Equal(declared, BpfCompiler.ProgramAttributeNames.Order(StringComparer.Ordinal));
    }
}
