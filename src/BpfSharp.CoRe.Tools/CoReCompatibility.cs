using BpfSharp.Btf;
using BpfSharp.Objects;

namespace BpfSharp.CoRe.Tools;

/// <summary>An object to check, with its row name.</summary>
/// <param name="Name">Row name (usually the file name).</param>
/// <param name="Object">The parsed object.</param>
public sealed record CoReCheckObject(string Name, ObjectSpec Object)
{
    /// <summary>Reads an object file; the row name is the file name.</summary>
    public static CoReCheckObject Load(string path) => new(Path.GetFileName(path), ObjectSpec.Load(path));
}

/// <summary>
/// "Will this object load on those kernels?": relocates every object against every kernel's BTF with the CO-RE
/// engine and classifies every relocation, program and object as loads / guarded / fails.
/// </summary>
/// <remarks>
/// <para>A relocation the engine cannot resolve (libbpf returns an error: ambiguity, bad spec, patch failure) fails
/// the whole object, as it fails <c>bpf_object__load</c>. A relocation with no matching target is <em>poisoned</em>:
/// libbpf replaces the instruction with <c>call 0xbad2310</c>, which the verifier rejects only if it reaches it.</para>
/// <para>Poisoned relocations are classified by a reachability analysis of the relocated function (conditional
/// constant propagation, see the remarks of the internal <c>PoisonReachability</c>): if no path from the function's
/// entry reaches the poisoned instruction, taking into account that patched existence checks
/// (<c>bpf_core_field_exists</c>, <c>bpf_core_type_exists</c>, <c>bpf_core_enum_value_exists</c>, ...) are now
/// constants, it is <see cref="CoReLoadVerdict.Guarded"/>; otherwise it <see cref="CoReLoadVerdict.Fails"/>.
/// The analysis is sound in one direction: "guarded" is only claimed when the verifier cannot reach the instruction;
/// it may say "fails" for a poisoned instruction that is guarded in a way it does not model (a check in the caller
/// of a subprogram, a value kept in memory across the check).</para>
/// </remarks>
public static class CoReCompatibility
{
    /// <summary>Options used by <see cref="Check"/> when none are given: libbpf's decisions, keep going after an error.</summary>
    public static CoReOptions DefaultOptions { get; } = new() { StopAtFirstError = false };

    /// <summary>
    /// Checks every object against every kernel, in parallel over kernels. Each kernel's BTF is parsed once and its
    /// name index reused for all objects.
    /// </summary>
    /// <param name="objects">Rows.</param>
    /// <param name="kernels">Columns.</param>
    /// <param name="options">Engine options; null = <see cref="DefaultOptions"/>.</param>
    /// <param name="kernelDone">Called (from any thread) after each kernel is finished, with its name.</param>
    /// <param name="maxDegreeOfParallelism">Worker limit; -1 = as many as the runtime likes.</param>
    public static CoReCompatibilityReport Check(IReadOnlyList<CoReCheckObject> objects, IReadOnlyList<CoReKernel> kernels,
        CoReOptions? options = null, Action<string>? kernelDone = null, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(kernels);
        options ??= DefaultOptions;
        var cells = new CoReObjectCheck[objects.Count, kernels.Count];
        Parallel.For(0, kernels.Count, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, k =>
        {
            var kernel = kernels[k];
            BtfSpec? spec = null;
            string? error = null;
            try { spec = kernel.Load(); }
            catch (Exception e) when (e is BpfFormatException or IOException or UnauthorizedAccessException)
            {
                error = e.Message;
            }
            for (int o = 0; o < objects.Count; o++)
                cells[o, k] = spec is null
                    ? new CoReObjectCheck(objects[o].Name, kernel.Name, default, [], [], error)
                    : CheckOne(objects[o], kernel.Name, spec, options);
            kernelDone?.Invoke(kernel.Name);
        });
        return new CoReCompatibilityReport([.. objects.Select(o => o.Name)], [.. kernels.Select(k => k.Name)], cells);
    }

    /// <summary>Checks one object against one kernel BTF.</summary>
    public static CoReObjectCheck CheckOne(CoReCheckObject obj, string kernelName, BtfSpec kernel, CoReOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(kernel);
        var result = CoReObjectRelocation.Relocate(obj.Object, [new CoReTarget("vmlinux", kernel)], options ?? DefaultOptions);
        var reachable = new Dictionary<string, bool[]>();
        var checks = new List<CoReRelocationCheck>(result.Result.Relocations.Count);
        foreach (var r in result.Result.Relocations)
            checks.Add(Classify(r, result, reachable));

        // One pass groups the checks by program (a filter per program was quadratic: 156 programs x 30,000 checks).
        var byProgram = new Dictionary<(string? Program, string Section), List<CoReRelocationCheck>>();
        foreach (var c in checks)
        {
            var key = (c.Report.ProgramName, c.Report.SectionName);
            if (!byProgram.TryGetValue(key, out var list)) byProgram[key] = list = [];
            list.Add(c);
        }
        var programs = new List<CoReProgramCheck>(obj.Object.Programs.Count);
        foreach (var p in obj.Object.Programs)
        {
            var mine = byProgram.TryGetValue((p.Name, p.SectionName), out var list) ? list : [];
            programs.Add(new CoReProgramCheck(p.Name, p.SectionName, p.IsSubprogram, CoReVerdictCounts.Of(mine), mine));
        }
        return new CoReObjectCheck(obj.Name, kernelName, CoReVerdictCounts.Of(checks), programs, checks, null);
    }

    private static CoReRelocationCheck Classify(CoReRelocationReport r, CoReObjectResult result, Dictionary<string, bool[]> reachable)
    {
        switch (r.Outcome)
        {
            case CoReOutcome.Patched:
                return new(r, CoReLoadVerdict.Loads, r.Value.Validate || r.Value.OriginalValue != r.Value.NewValue
                    ? $"patched: {r.Value.OriginalValue} -> {r.Value.NewValue}"
                    : $"patched: {r.Value.NewValue}");
            case CoReOutcome.Skipped:
                return new(r, CoReLoadVerdict.Loads, $"skipped: {r.Message}");
            case CoReOutcome.Error:
                return new(r, CoReLoadVerdict.Fails, $"relocation failed ({CoReErrno.ToErrString(r.Errno)}): {r.Message}");
        }
        // Poisoned: is the poisoned slot reachable from the function's entry?
        var prog = r.ProgramName is null ? null : result.FindProgram(r.ProgramName);
        if (prog is null || r.InstructionIndex < 0 || r.InstructionIndex >= prog.Instructions.Length)
            return new(r, CoReLoadVerdict.Fails, $"poisoned ({r.Message}); instruction not found, assumed reachable");
        if (!reachable.TryGetValue(prog.Name, out var map))
            reachable[prog.Name] = map = PoisonReachability.Reachable(prog.Instructions);
        return map[r.InstructionIndex]
            ? new(r, CoReLoadVerdict.Fails, $"poisoned ({r.Message}) and reachable: the verifier rejects insn #{r.InstructionIndex} (call 0xbad2310)")
            : new(r, CoReLoadVerdict.Guarded, $"poisoned ({r.Message}) but unreachable: guarded by a patched constant branch");
    }
}
