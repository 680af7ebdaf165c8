using BpfSharp.Compiler;
using BpfSharp.CoRe;
using BpfSharp.Objects;

namespace BpfSharp.Tests.CompilerDiagnostics;

/// <summary>
/// Programs that may compile, but only correctly: tests/BpfSharp.DiagnosticPrograms/NoSilentMiscompile. Either the
/// object carries what makes the code right on every kernel, or the compiler rejects the marked line.
/// </summary>
public sealed class NoSilentMiscompileTests
{
    private const string Namespace = DiagnosticProgramSources.Namespace + ".NoSilentMiscompile";

    [Fact]
    public void RelocatableFieldAddressHasACoReRelocationOrIsRejected() => CheckRelocatableFieldAddress();

    private static void CheckRelocatableFieldAddress()
    {
        var source = Path.Combine(DiagnosticProgramSources.SourceDirectory, "NoSilentMiscompile", "RelocatableFieldAddress.cs");
        var line = Assert.Single(DiagnosticProgramSources.LinesContaining(source, "// expect-relocation: field_byte_offset"));

        var compilation = BpfCompiler.Compile(DiagnosticProgramSources.AssemblyPath,
            new BpfCompilerOptions { ProgramFilter = n => n.StartsWith(Namespace + ".RelocatableFieldAddress.", StringComparison.Ordinal) });

        if (!compilation.Success)
        {
            var error = Assert.Single(compilation.Diagnostics, d => d.IsError);
            Assert.True(error.Location.File == source && error.Location.Line == line, $"rejected, but not at line {line}: {error}");
            return;
        }

        var spec = ObjectSpec.Read(compilation.Object!);
        var records = spec.BtfExt?.FindCoReRelocations("kprobe/do_unlinkat");
        Assert.True(records is not null && records.Count > 0, "the object has no CO-RE relocation for the [Relocatable] field access");
        Assert.Contains(records!.Records.ToArray(), r => r.Kind == CoReRelocationKind.FieldByteOffset);
    }
}
