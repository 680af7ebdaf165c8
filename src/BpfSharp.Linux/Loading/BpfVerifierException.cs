namespace BpfSharp.Linux.Loading;

/// <summary>
/// The kernel refused a program of an object. <see cref="VerifierLog"/> is the verifier's text with libbpf's fixups: a
/// reached poisoned CO-RE instruction shows as <c>N: &lt;invalid CO-RE relocation&gt;</c> followed by
/// <c>failed to resolve CO-RE relocation &lt;spec&gt;</c>.
/// </summary>
public sealed class BpfVerifierException : BpfLoadException
{
    /// <summary>Creates the exception.</summary>
    public BpfVerifierException(string programName, string sectionName, int errno, string? verifierLog, string? sourceLocation,
        BpfSyscallException inner)
        : base(Format(programName, sectionName, inner, verifierLog, sourceLocation), inner)
    {
        ProgramName = programName;
        SectionName = sectionName;
        Errno = errno;
        VerifierLog = verifierLog;
        SourceLocation = sourceLocation;
    }

    /// <summary>The program that failed.</summary>
    public string ProgramName { get; }
    /// <summary>Its ELF section.</summary>
    public string SectionName { get; }
    /// <summary>The errno of <c>BPF_PROG_LOAD</c>.</summary>
    public int Errno { get; }

    /// <summary>The symbolic name of <see cref="Errno"/> (<c>EACCES</c>), or <c>errno N</c> for a value Linux does not define.</summary>
    public string ErrnoName => Interop.Errno.Name(Errno);
    /// <summary>The (fixed-up) verifier log, or null if the kernel gave none.</summary>
    public string? VerifierLog { get; }
    /// <summary>The source line (from line_info) of the last instruction the log mentions: <c>file:line: text</c>, or null.</summary>
    public string? SourceLocation { get; }

    private static string Format(string prog, string section, BpfSyscallException inner, string? log, string? source)
    {
        var text = $"program '{prog}' (section '{section}') failed to load: {inner.ErrnoName}";
        if (source is not null) text += $" at {source}";
        if (!string.IsNullOrEmpty(log))
        {
            var lines = log.TrimEnd('\n', '\0').Split('\n');
            text += ": " + string.Join(" | ", lines[Math.Max(0, lines.Length - 4)..]);
        }
        return text;
    }
}
