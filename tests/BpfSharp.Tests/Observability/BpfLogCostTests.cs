using BpfSharp.Compiler;
using BpfSharp.Tests.Compiler;

namespace BpfSharp.Tests.Observability;

/// <summary>
/// What a BpfLog call costs in BPF instructions: programs that differ only in their log call
/// (tests/BpfSharp.TestPrograms/Logging.cs, LogCost) compiled side by side. The numbers are in docs/observability.md.
/// </summary>
public sealed class BpfLogCostTests(ITestOutputHelper output)
{
    private static int Instructions(string program)
    {
        var compilation = BpfCompiler.Compile(CompiledTestPrograms.AssemblyPath, new BpfCompilerOptions
        {
            ProgramFilter = name => name == "BpfSharp.TestPrograms.LogCost." + program,
        });
        compilation.GetObjectOrThrow();
        return Assert.Single(compilation.Programs).InstructionCount;
    }

    [Fact]
    public void ALogCallCostsAFixedFewInstructionsAndEachHoleAFewMore()
    {
        var baseline = Instructions("CostBaseline");
        var text = Instructions("CostTextOnly") - baseline;
        var oneInteger = Instructions("CostOneInteger") - baseline;
        var fourIntegers = Instructions("CostFourIntegers") - baseline;
        var oneString = Instructions("CostOneString") - baseline;
        output.WriteLine($"text only: {text}, one integer: {oneInteger}, four integers: {fourIntegers}, one kernel string: {oneString}");

        // A call: the site id store, ringbuf_output's five argument moves and call, the lost-counter branch and add.
        Assert.InRange(text, 8, 16);
        // Each integer hole is one store; the first also keeps the value alive across the helper call (the baseline
        // returns it straight from the load, which the text-only call lets the compiler hoist above the call, so the
        // first hole also pays for the context kept instead). A string hole is one probe-read call with its three arguments.
        Assert.InRange(oneInteger - text, 1, 5);
        Assert.Equal(3, fourIntegers - oneInteger);
        Assert.InRange(oneString - text, 3, 6);
    }
}
