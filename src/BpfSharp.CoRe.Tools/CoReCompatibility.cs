using BpfSharp.Btf;
using BpfSharp.Objects;

namespace BpfSharp.CoRe.Tools;

/// <summary>An object to check, with its row name.</summary>
/// <param name="Name">Row name (usually the file name).</param>
/// <param name="Object">The parsed object, or null when it could not be read (see <see cref="Error"/>).</param>
public sealed record CoReCheckObject(string Name, ObjectSpec? Object)
{
    /// <summary>Why the object could not be read, else null; every cell of its row then fails as unreadable.</summary>
    public string? Error { get; init; }

    /// <summary>
    /// Reads an object file; the row name is the file name. A file that cannot be read or parsed becomes an
    /// "unreadable" row instead of an exception, so one bad object does not cost the whole matrix.
    /// </summary>
    public static CoReCheckObject Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return new(Path.GetFileName(path), ObjectSpec.Load(path));
        }
        catch (Exception e) when (e is BpfFormatException or IOException or UnauthorizedAccessException)
        {
            return new(Path.GetFileName(path), null) { Error = e.Message };
        }
    }
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
    /// At most this many kernels are read (decompressed and parsed) at once, whatever the parallelism: each read is
    /// bounded by <see cref="InputFiles.MaxDecompressedBytes"/>, so a directory of gzip bombs costs at most this many
    /// times that, not one per worker.
    /// </summary>
    public const int MaxConcurrentKernelReads = 2;

    /// <summary>
    /// Checks every object against every kernel, in parallel over kernels. Each kernel's BTF is parsed once and its
    /// name index reused for all objects. An unreadable kernel or object, or an object the engine rejects, fails
    /// its cells with the reason; it never costs the other cells.
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
        using var reads = new SemaphoreSlim(MaxConcurrentKernelReads);
        Parallel.For(0, kernels.Count, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, k =>
        {
            var kernel = kernels[k];
            BtfSpec? spec = null;
            string? error = null;
            reads.Wait();
            try { spec = kernel.Load(); }
            catch (Exception e) when (e is BpfFormatException or IOException or UnauthorizedAccessException)
            {
                error = e.Message;
            }
            finally
            {
                reads.Release();
            }
            for (int o = 0; o < objects.Count; o++)
                cells[o, k] = CheckCell(objects[o], kernel, spec, error, options);
            kernelDone?.Invoke(kernel.Name);
        });
        return new CoReCompatibilityReport([.. objects.Select(o => o.Name)], [.. kernels.Select(k => k.Name)], cells);
    }

    /// <summary>
    /// Checks objects one at a time against every kernel (in parallel over kernels) and yields each object's row as
    /// soon as it is done: memory holds the kernels' BTF and one row, never the whole matrix, so a caller that writes
    /// rows as they come (<c>core check -j</c>) runs in memory that does not grow with the number of objects. The
    /// objects are enumerated lazily, one at a time, so <c>paths.Select(CoReCheckObject.Load)</c> keeps only the
    /// current object's file in memory. Kernels are read once, when the enumeration starts.
    /// </summary>
    /// <param name="objects">Rows, enumerated once.</param>
    /// <param name="kernels">Columns.</param>
    /// <param name="options">Engine options; null = <see cref="DefaultOptions"/>.</param>
    /// <param name="maxDegreeOfParallelism">Worker limit; -1 = as many as the runtime likes.</param>
    /// <returns>One array per object: its cell on each kernel, in <paramref name="kernels"/> order.</returns>
    public static IEnumerable<CoReObjectCheck[]> CheckByObject(IEnumerable<CoReCheckObject> objects, IReadOnlyList<CoReKernel> kernels,
        CoReOptions? options = null, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(kernels);
        return Rows(objects, kernels, options ?? DefaultOptions, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism });
    }

    private static IEnumerable<CoReObjectCheck[]> Rows(IEnumerable<CoReCheckObject> objects, IReadOnlyList<CoReKernel> kernels,
        CoReOptions options, ParallelOptions parallel)
    {
        var specs = new BtfSpec?[kernels.Count];
        var errors = new string?[kernels.Count];
        using (var reads = new SemaphoreSlim(MaxConcurrentKernelReads))
        {
            Parallel.For(0, kernels.Count, parallel, k =>
            {
                reads.Wait();
                try { specs[k] = kernels[k].Load(); }
                catch (Exception e) when (e is BpfFormatException or IOException or UnauthorizedAccessException)
                {
                    errors[k] = e.Message;
                }
                finally
                {
                    reads.Release();
                }
            });
        }
        foreach (var obj in objects)
        {
            var row = new CoReObjectCheck[kernels.Count];
            Parallel.For(0, kernels.Count, parallel, k => row[k] = CheckCell(obj, kernels[k], specs[k], errors[k], options));
            yield return row;
        }
    }

    private static CoReObjectCheck CheckCell(CoReCheckObject obj, CoReKernel kernel, BtfSpec? spec, string? kernelError, CoReOptions options)
    {
        var cellError = kernelError ?? obj.Error;
        if (cellError is null && obj.Object is not null && spec is not null)
        {
            try
            {
                return CheckOne(obj, kernel.Name, spec, options, kernel.Base);
            }
            catch (BpfFormatException e)
            {
                cellError = e.Message;
            }
        }
        return new CoReObjectCheck(obj.Name, kernel.Name, default, [], [], cellError ?? "object not read");
    }

    /// <summary>
    /// Checks one object against one kernel BTF; with <paramref name="baseSpec"/>, <paramref name="kernel"/> is a
    /// module's split BTF over it and relocation searches vmlinux, then the module.
    /// </summary>
    public static CoReObjectCheck CheckOne(CoReCheckObject obj, string kernelName, BtfSpec kernel, CoReOptions? options = null,
        BtfSpec? baseSpec = null)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(kernel);
        var spec = obj.Object ?? throw new ArgumentException($"object '{obj.Name}' was not read: {obj.Error}", nameof(obj));
        CoReTarget[] targets = baseSpec is null
            ? [new CoReTarget("vmlinux", kernel)]
            : [new CoReTarget("vmlinux", baseSpec), new CoReTarget(kernelName, kernel)];
        var result = CoReObjectRelocation.Relocate(spec, targets, options ?? DefaultOptions);
        var reachable = new Dictionary<string, bool[]>();
        var uncalled = UncalledSubprograms(spec);
        var checks = new List<CoReRelocationCheck>(result.Result.Relocations.Count);
        foreach (var r in result.Result.Relocations)
            checks.Add(Classify(r, result, reachable, uncalled));

        // One pass groups the checks by program (a filter per program was quadratic: 156 programs x 30,000 checks).
        var byProgram = new Dictionary<(string? Program, string Section), List<CoReRelocationCheck>>();
        foreach (var c in checks)
        {
            var key = (c.Report.ProgramName, c.Report.SectionName);
            if (!byProgram.TryGetValue(key, out var list)) byProgram[key] = list = [];
            list.Add(c);
        }
        var programs = new List<CoReProgramCheck>(spec.Programs.Count);
        foreach (var p in spec.Programs)
        {
            var mine = byProgram.TryGetValue((p.Name, p.SectionName), out var list) ? list : [];
            programs.Add(new CoReProgramCheck(p.Name, p.SectionName, p.IsSubprogram, CoReVerdictCounts.Of(mine), mine));
        }
        return new CoReObjectCheck(obj.Name, kernelName, CoReVerdictCounts.Of(checks), programs, checks, null);
    }

    /// <summary>
    /// Subprograms that nothing calls or takes the address of: the loader never appends them to an entry program, so
    /// the verifier never sees their poisoned instructions (bpftool and <c>prog loadall</c> load such an object
    /// fine). Conservative: any call or address reference from any function counts as a use.
    /// </summary>
    private static HashSet<string> UncalledSubprograms(ObjectSpec spec)
    {
        var used = new HashSet<(int Section, int Instruction)>();
        var relocated = new HashSet<(int Section, int Instruction)>();
        foreach (var reference in spec.References)
        {
            relocated.Add((reference.SectionIndex, reference.InstructionIndex));
            if (reference.Kind is InstructionReferenceKind.Call or InstructionReferenceKind.SubprogramAddress && reference.TargetInstructionIndex >= 0)
                used.Add((reference.Symbol.SectionIndex, reference.TargetInstructionIndex));
        }
        foreach (var section in spec.ProgramSections)
        {
            var insns = spec.GetInstructions(section.Index).Span;
            for (int i = 0; i < insns.Length; i++)
                if ((insns[i].IsPseudoCall || insns[i].IsPseudoFunc) && !relocated.Contains((section.Index, i)))
                    used.Add((section.Index, i + insns[i].Immediate + 1)); // an in-section call clang resolved itself
        }
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in spec.Programs)
        {
            if (!p.IsSubprogram) continue;
            bool called = false;
            foreach (var (section, insn) in used)
                if (section == p.Section.Index && insn >= p.InstructionOffset && insn < p.InstructionOffset + p.InstructionCount) { called = true; break; }
            if (!called) result.Add(p.Name);
        }
        return result;
    }

    private static CoReRelocationCheck Classify(CoReRelocationReport r, CoReObjectResult result, Dictionary<string, bool[]> reachable,
        HashSet<string> uncalled)
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
        // Poisoned in a function that is never loaded: the verifier never sees it.
        if (r.ProgramName is not null && uncalled.Contains(r.ProgramName))
            return new(r, CoReLoadVerdict.Guarded, $"poisoned ({r.Message}) in subprogram '{r.ProgramName}', which no program calls: never loaded");
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
