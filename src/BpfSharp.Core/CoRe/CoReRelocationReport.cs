namespace BpfSharp.CoRe;

/// <summary>What happened to one relocation.</summary>
public enum CoReOutcome
{
    /// <summary>The instruction was patched with the target value.</summary>
    Patched,
    /// <summary>The instruction was replaced by <c>call 0xbad2310</c> (fails in the verifier only if reachable).</summary>
    Poisoned,
    /// <summary>A hard error: libbpf would fail the load.</summary>
    Error,
    /// <summary>Not applied: the instruction belongs to no program, or the program is not autoloaded.</summary>
    Skipped,
}

/// <summary>The structured result of one relocation.</summary>
public sealed record CoReRelocationReport
{
    /// <summary>ELF section of the instruction.</summary>
    public required string SectionName { get; init; }
    /// <summary>Index of the record within its <c>.BTF.ext</c> section ("relo #N").</summary>
    public required int RelocationIndex { get; init; }
    /// <summary>The record.</summary>
    public required CoReRelocationRecord Record { get; init; }
    /// <summary>The program, or null when the instruction belongs to none.</summary>
    public string? ProgramName { get; init; }
    /// <summary>Instruction index within the program (-1 if no program).</summary>
    public int InstructionIndex { get; init; } = -1;
    /// <summary>The relocation kind.</summary>
    public CoReRelocationKind Kind => Record.Kind;
    /// <summary>The formatted local spec (<c>bpf_core_format_spec</c>), or null if it failed to parse.</summary>
    public string? LocalSpec { get; init; }
    /// <summary>The chosen (first matching) candidate's target name ("vmlinux", module), or null.</summary>
    public string? TargetName { get; init; }
    /// <summary>The chosen candidate's type id in its target BTF, or 0.</summary>
    public int TargetTypeId { get; init; }
    /// <summary>The formatted target spec of the chosen candidate, or null.</summary>
    public string? TargetSpec { get; init; }
    /// <summary>
    /// The chosen candidate's raw access path (<c>bpf_core_spec.raw_spec</c>: member indices including anonymous
    /// members, array indices, or the enumerator index), or null when nothing matched. Used by minimal-BTF generation.
    /// </summary>
    public IReadOnlyList<int>? TargetRawSpec { get; init; }
    /// <summary>Number of matching candidates (after which the cache was pruned).</summary>
    public int MatchingCandidates { get; init; }
    /// <summary>The computed values (valid unless <see cref="Outcome"/> is Error/Skipped before calculation).</summary>
    public CoReRelocationValue Value { get; init; }
    /// <summary>The outcome.</summary>
    public required CoReOutcome Outcome { get; init; }
    /// <summary>The negative errno of a hard error, else 0.</summary>
    public int Errno { get; init; }
    /// <summary>For errors: libbpf's warning text (without the <c>libbpf: </c> prefix); for poisoning: why.</summary>
    public string? Message { get; init; }
}

/// <summary>The result of relocating an object.</summary>
/// <param name="Relocations">Per relocation, in processing order.</param>
/// <param name="Errno">0 on success, else the hard error that stopped relocation (negative errno).</param>
public sealed record CoReResult(IReadOnlyList<CoReRelocationReport> Relocations, int Errno)
{
    /// <summary>True when no hard error happened.</summary>
    public bool Succeeded => Errno == 0;
}
