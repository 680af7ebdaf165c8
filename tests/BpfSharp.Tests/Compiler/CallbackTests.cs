using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Compiler;

/// <summary>Callbacks (<c>&amp;Method</c> passed to bpf_loop) are static .text functions with func_info, referenced
/// the way clang references them, and run in the kernel.</summary>
public sealed class CallbackTests
{
    [Fact]
    public void CallbacksAreStaticTextFunctions()
    {
        var spec = ObjectSpec.Load(CompiledTestPrograms.ObjectPath);
        // The assembly's other .text functions are BPF-to-BPF functions (FunctionTests).
        var callbacks = spec.Programs.Where(p => p.Name is "AddIndex" or "AddSquare").ToList();
        Assert.Equal(["AddIndex", "AddSquare"], callbacks.Select(p => p.Name).Order());
        Assert.All(callbacks, p => Assert.True(p.IsSubprogram));
        Assert.All(spec.Programs.Where(p => p.IsSubprogram), p => Assert.Equal(".text", p.SectionName));
        Assert.All(callbacks, p => Assert.True(p.IsStatic));
    }

    [Fact]
    public void BpfLoopRunsTheCallbacks()
    {
        KernelObjects.RequireBpf();
        using var collection = BpfCollection.Load(ObjectSpec.Load(CompiledTestPrograms.ObjectPath));
        var run = collection.Programs["LoopSum"].TestRun(new byte[64]);
        // sum of 0..9 = 45, squares 0+1+4 = 5 (stopped by the callback), 10 iterations reported by the first loop
        Assert.Equal(45u * 1000 + 5 * 10 + 10, run.ReturnValue);
    }
}
