namespace BpfSharp.Compiler;

/// <summary>Where in the C# source (from the portable PDB) or in the assembly a diagnostic points.</summary>
/// <param name="File">The source file, or the assembly path when no PDB line is known.</param>
/// <param name="Line">1-based line, or 0 when unknown.</param>
/// <param name="Column">1-based column, or 0 when unknown.</param>
/// <param name="Method">The method being compiled, as <c>Type.Method</c>.</param>
/// <param name="IlOffset">The IL offset in <paramref name="Method"/>, or -1.</param>
public readonly record struct SourceLocation(string File, int Line, int Column, string Method, int IlOffset)
{
    /// <inheritdoc/>
    public override string ToString() =>
        Line > 0 ? $"{File}({Line},{Column})" : IlOffset >= 0 ? $"{File}: {Method} IL_{IlOffset:x4}" : File;
}

/// <summary>A compile error or warning with its stable id (<c>BPFS####</c>) and source location.</summary>
/// <param name="Id">The stable id; see <see cref="DiagnosticIds"/> and docs/compiler.md.</param>
/// <param name="IsError">True for errors (the object is not written).</param>
/// <param name="Message">What is wrong and, where useful, what to do instead.</param>
/// <param name="Location">Where.</param>
public sealed record CompilerDiagnostic(string Id, bool IsError, string Message, SourceLocation Location)
{
    /// <summary>MSBuild/csc-style text: <c>file(line,col): error BPFS1001: message [in Type.Method]</c>.</summary>
    public override string ToString() =>
        $"{Location}: {(IsError ? "error" : "warning")} {Id}: {Message} [in {Location.Method}]";
}

/// <summary>Thrown by <see cref="BpfCompiler"/> when compilation reports errors.</summary>
public sealed class BpfCompilationException : Exception
{
    /// <summary>Creates the exception from the diagnostics (the message lists the errors).</summary>
    public BpfCompilationException(IReadOnlyList<CompilerDiagnostic> diagnostics)
        : base(string.Join(Environment.NewLine, diagnostics.Where(d => d.IsError)))
    {
        Diagnostics = diagnostics;
    }

    /// <summary>All diagnostics, errors and warnings.</summary>
    public IReadOnlyList<CompilerDiagnostic> Diagnostics { get; }
}

/// <summary>Internal carrier for a diagnostic found deep in translation: aborts the current program.</summary>
internal sealed class CompileErrorException(string id, string message) : Exception(message)
{
    public string Id { get; } = id;

    /// <summary>Where the error is when that is not the instruction being translated (e.g. a static constructor).</summary>
    public (Frontend.LoadedModule Module, System.Reflection.Metadata.MethodDefinitionHandle Method, int IlOffset)? At { get; init; }

    /// <summary>An exact source location found another way (e.g. a keyword with no sequence point).</summary>
    public SourceLocation? Location { get; init; }
}
