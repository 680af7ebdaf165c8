namespace BpfSharp.CoRe.Tools;

/// <summary>One relocation of one object on one kernel, with the verdict and why.</summary>
/// <param name="Report">The engine's report (kind, specs, values, outcome).</param>
/// <param name="Verdict">Loads (patched or skipped), Guarded (poisoned, unreachable) or Fails.</param>
/// <param name="Reason">A one-line explanation.</param>
public sealed record CoReRelocationCheck(CoReRelocationReport Report, CoReLoadVerdict Verdict, string Reason);

/// <summary>The verdict counts of a set of relocations.</summary>
/// <param name="Loads">Relocations patched with a target value.</param>
/// <param name="Guarded">Poisoned relocations whose instruction is unreachable.</param>
/// <param name="Fails">Failed relocations plus reachable poisoned ones.</param>
public readonly record struct CoReVerdictCounts(int Loads, int Guarded, int Fails)
{
    /// <summary>The verdict these counts imply: any failure fails, else any guarded is guarded.</summary>
    public CoReLoadVerdict Verdict => Fails > 0 ? CoReLoadVerdict.Fails : Guarded > 0 ? CoReLoadVerdict.Guarded : CoReLoadVerdict.Loads;

    internal static CoReVerdictCounts Of(IEnumerable<CoReRelocationCheck> checks)
    {
        int l = 0, g = 0, f = 0;
        foreach (var c in checks)
        {
            if (c.Report.Outcome == CoReOutcome.Skipped) continue;
            switch (c.Verdict)
            {
                case CoReLoadVerdict.Loads: l++; break;
                case CoReLoadVerdict.Guarded: g++; break;
                default: f++; break;
            }
        }
        return new(l, g, f);
    }
}

/// <summary>One function (program or subprogram) of an object on one kernel.</summary>
/// <param name="Name">Function name.</param>
/// <param name="SectionName">ELF section.</param>
/// <param name="IsSubprogram">True for a static/global subprogram (<c>.text</c>) rather than an entry program.</param>
/// <param name="Counts">Relocation verdict counts.</param>
/// <param name="Relocations">This function's relocations.</param>
public sealed record CoReProgramCheck(string Name, string SectionName, bool IsSubprogram, CoReVerdictCounts Counts,
    IReadOnlyList<CoReRelocationCheck> Relocations)
{
    /// <summary>The function's verdict.</summary>
    public CoReLoadVerdict Verdict => Counts.Verdict;
}

/// <summary>One object on one kernel: one cell of the compatibility matrix.</summary>
/// <param name="ObjectName">Row name.</param>
/// <param name="KernelName">Column name.</param>
/// <param name="Counts">Relocation verdict counts over the whole object.</param>
/// <param name="Programs">Per function.</param>
/// <param name="Relocations">Every relocation in libbpf's processing order.</param>
/// <param name="Error">Why the kernel's BTF could not be used (unreadable file), else null; the cell then fails.</param>
public sealed record CoReObjectCheck(string ObjectName, string KernelName, CoReVerdictCounts Counts,
    IReadOnlyList<CoReProgramCheck> Programs, IReadOnlyList<CoReRelocationCheck> Relocations, string? Error)
{
    /// <summary>The object's verdict: fails if the kernel is unusable or any relocation fails.</summary>
    public CoReLoadVerdict Verdict => Error is not null ? CoReLoadVerdict.Fails : Counts.Verdict;
}

/// <summary>The objects × kernels matrix.</summary>
public sealed class CoReCompatibilityReport
{
    private readonly CoReObjectCheck[,] _cells;

    internal CoReCompatibilityReport(IReadOnlyList<string> objects, IReadOnlyList<string> kernels, CoReObjectCheck[,] cells)
    {
        Objects = objects;
        Kernels = kernels;
        _cells = cells;
    }

    /// <summary>Row names, in input order.</summary>
    public IReadOnlyList<string> Objects { get; }

    /// <summary>Column names, in input order.</summary>
    public IReadOnlyList<string> Kernels { get; }

    /// <summary>The cell for object <paramref name="objectIndex"/> on kernel <paramref name="kernelIndex"/>.</summary>
    public CoReObjectCheck this[int objectIndex, int kernelIndex] => _cells[objectIndex, kernelIndex];

    /// <summary>True when every object loads (possibly with guarded poison) on every kernel.</summary>
    public bool AllLoad
    {
        get
        {
            foreach (var c in _cells) if (c.Verdict == CoReLoadVerdict.Fails) return false;
            return true;
        }
    }
}
