using BpfSharp.Btf;
using BpfSharp.Instructions;

namespace BpfSharp.CoRe;

/// <summary>
/// The CO-RE relocation engine: libbpf's <c>bpf_object__relocate_core</c>, <c>bpf_core_resolve_relo</c>,
/// <c>bpf_core_calc_relo_insn</c> and <c>bpf_core_patch_insn</c> with the same decisions and log lines.
/// One instance holds the per-local-type candidate cache, shared by all programs of an object and pruned in place
/// by each relocation, so relocate one object per instance, in libbpf's order. It also reuses computed results for
/// repeated (local type, access string, kind) records; see <see cref="Relocate"/>.
/// </summary>
public sealed class CoReRelocator
{
    private readonly BtfSpec _local;
    private readonly CoReTarget[] _targets;
    private readonly CoReOptions _options;
    private readonly Dictionary<int, CandidateList> _cache = [];
    // Scratch specs (libbpf's specs_scratch[3]): reused for every relocation.
    private readonly CoReSpec _localSpec = new(), _candSpec = new(), _targSpec = new();

    /// <summary>Creates an engine for one object.</summary>
    /// <param name="local">The object's <c>.BTF</c>.</param>
    /// <param name="targets">Target BTFs: vmlinux (or a custom target) first, then module BTFs split over it.</param>
    /// <param name="options">Options; null = <see cref="CoReOptions.Default"/>.</param>
    public CoReRelocator(BtfSpec local, IReadOnlyList<CoReTarget> targets, CoReOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(targets);
        _local = local;
        _targets = [.. targets];
        _options = options ?? CoReOptions.Default;
        _resolutions = new CoReResolutions(local, _targets, _options.StrictLibbpf);
    }

    /// <summary>Receives libbpf-format log lines when set.</summary>
    public CoReLog? Log { get; set; }

    /// <summary>The local BTF.</summary>
    public BtfSpec Local => _local;

    /// <summary>The targets in search order.</summary>
    public IReadOnlyList<CoReTarget> Targets => _targets;

    /// <summary>How many relocation results were computed (the rest were reused); for tests.</summary>
    internal int ComputedResults => _resolutions.Count;

    private bool BigEndian => _options.BigEndian ?? _local.IsBigEndian;

    /// <summary>
    /// Relocates every record of every section against the programs (libbpf's <c>bpf_object__relocate_core</c>),
    /// patching the programs' instruction arrays in place.
    /// </summary>
    /// <remarks>
    /// A computed result is reused for every later record with the same local type, access string and kind while
    /// that type's candidate list is unchanged (libbpf would compute the same result again: it depends on nothing
    /// else), and reports are built only when read. With a <see cref="Log"/>, a reused result prints again the lines
    /// its computation printed (so the log is still libbpf's, line for line); results whose computation warned or
    /// pruned the candidate list are not reused then.
    /// </remarks>
    /// <param name="sections">The <c>.BTF.ext</c> core_relo sections, in file order.</param>
    /// <param name="programs">All programs of the object.</param>
    public CoReResult Relocate(IReadOnlyList<CoReRelocationSection> sections, IReadOnlyList<CoReProgram> programs)
    {
        ArgumentNullException.ThrowIfNull(sections);
        ArgumentNullException.ThrowIfNull(programs);
        int total = 0;
        for (int s = 0; s < sections.Count; s++) total += sections[s].Records.Count;
        var reports = new CoReReportList(sections, programs, _resolutions, total);
        var programIndex = new CoReProgramIndex(programs);
        int firstError = 0;
        var log = Log;
        for (int s = 0; s < sections.Count; s++)
        {
            var sec = sections[s];
            if (string.IsNullOrEmpty(sec.SectionName)) return new CoReResult(reports, -CoReErrno.EINVAL);
            log?.Debug($"sec '{sec.SectionName}': found {sec.Records.Count} CO-RE relocations");
            var sectionPrograms = programIndex.Section(sec.SectionName);
            var records = sec.Records;
            for (int i = 0; i < records.Count; i++)
            {
                var rec = records[i];
                if (rec.InstructionByteOffset % 8 != 0)
                {
                    reports.Add(new CoReRelocationReport
                    {
                        SectionName = sec.SectionName, RelocationIndex = i, Record = rec, Outcome = CoReOutcome.Error,
                        Errno = -CoReErrno.EINVAL, Message = $"insn_off {rec.InstructionByteOffset} is not a multiple of 8",
                    });
                    return new CoReResult(reports, -CoReErrno.EINVAL);
                }
                int sectionInsn = (int)(rec.InstructionByteOffset / 8);
                int progIndex = sectionPrograms.Find(sectionInsn);
                if (progIndex < 0)
                {
                    log?.Debug($"sec '{sec.SectionName}': skipping CO-RE relocation #{i} for insn #{sectionInsn} belonging to eliminated weak subprogram");
                    reports.Add(-1, CoReOutcome.Skipped, -1);
                    continue;
                }
                var prog = programs[progIndex];
                int insnIdx = sectionInsn - prog.SectionInstructionOffset;
                if (!prog.Autoload)
                {
                    reports.Add(progIndex, CoReOutcome.Skipped, -1);
                    continue;
                }
                int errno = RelocateOne(reports, sec.SectionName, progIndex, prog, insnIdx, rec, i);
                if (errno != 0)
                {
                    if (firstError == 0) firstError = errno;
                    if (_options.StopAtFirstError) return new CoReResult(reports, firstError);
                }
            }
        }
        return new CoReResult(reports, firstError);
    }

    // Resolves and patches one record and adds its report; returns 0 or the hard error's negative errno.
    private int RelocateOne(CoReReportList reports, string section, int progIndex, CoReProgram prog,
        int insnIdx, in CoReRelocationRecord rec, int reloIndex)
    {
        var log = Log;
        int err = log is null ? ResolveMemoised(prog.Name, rec, reloIndex, out int resolution)
            : ResolveLogged(log, prog.Name, rec, reloIndex, out resolution);
        if (err != 0)
        {
            string? localSpec = _localSpec.Btf is null || _localSpec.RootTypeId != rec.TypeId ? null : FormatSpec(_localSpec);
            string msg = $"prog '{prog.Name}': relo #{reloIndex}: failed to relocate: {CoReErrno.ToErrString(err)}";
            log?.Warn(msg);
            reports.Add(new CoReRelocationReport
            {
                SectionName = section, RelocationIndex = reloIndex, Record = rec, ProgramName = prog.Name,
                InstructionIndex = insnIdx, LocalSpec = localSpec, Outcome = CoReOutcome.Error, Errno = err,
                Message = _lastWarning ?? msg,
            });
            return err;
        }
        ref readonly var value = ref _resolutions[resolution].Value;
        var insns = prog.Instructions;
        var before = (uint)insnIdx < (uint)insns.Length ? insns[insnIdx] : default;
        int patchErr = CoRePatcher.Patch(prog.Name, insns, insnIdx, reloIndex, value, log, out string? patchWarning);
        if (patchErr != 0)
        {
            string failed = $"prog '{prog.Name}': relo #{reloIndex}: failed to patch insn #{(uint)insnIdx}: {CoReErrno.ToErrString(patchErr)}";
            log?.Warn(failed);
            reports.Add(reports.Resolved(section, reloIndex, rec, prog.Name, insnIdx, resolution, CoReOutcome.Error,
                patchErr, patchWarning ?? failed));
            return patchErr;
        }
        byte cls = (byte)(before.Opcode & 0x07);
        bool memoryAccess = cls is 0x01 or 0x02 or 0x03;
        bool poisoned = value.Poison || (value.FailMemorySizeAdjust && memoryAccess);
        reports.Add(progIndex, poisoned ? CoReOutcome.Poisoned : CoReOutcome.Patched, resolution);
        return 0;
    }

    // The memo: (local type, access string, kind) -> resolution index. Valid while the type's candidate list has the
    // version the resolution was computed with (the list only changes when a relocation prunes it).
    private readonly Dictionary<MemoKey, int> _memo = [];
    private readonly CoReResolutions _resolutions;

    private int ResolveMemoised(string programName, in CoReRelocationRecord rec, int reloIndex, out int resolution)
    {
        var key = new MemoKey(rec.TypeId, rec.AccessStringOffset, rec.Kind);
        if (_memo.TryGetValue(key, out resolution))
        {
            if (rec.Kind == CoReRelocationKind.TypeIdLocal) return 0;
            if (_cache.TryGetValue(rec.TypeId, out var cands) && cands.Version == _resolutions[resolution].CandidateVersion)
                return 0;
        }
        int err = ResolveInto(programName, rec, reloIndex, out resolution);
        if (err == 0) _memo[key] = resolution;
        return err;
    }

    // With a log, a reused result must also repeat the lines libbpf prints while computing it. Those depend only on
    // the key and the candidate list (the local spec, then one line per candidate, then "no matching targets
    // found" if none matched), so a computation that printed no warning and left the list as it found it keeps
    // its lines (after the "prog '...': relo #N: " prefix) and later records with the key print them again.
    private readonly Dictionary<int, string[]> _replay = [];
    private List<string>? _recording;

    private int ResolveLogged(CoReLog log, string programName, in CoReRelocationRecord rec, int reloIndex, out int resolution)
    {
        var key = new MemoKey(rec.TypeId, rec.AccessStringOffset, rec.Kind);
        bool cached = _cache.TryGetValue(rec.TypeId, out var cands);
        if (_memo.TryGetValue(key, out resolution) && _replay.TryGetValue(resolution, out var lines)
            && (rec.Kind == CoReRelocationKind.TypeIdLocal || (cached && cands!.Version == _resolutions[resolution].CandidateVersion)))
        {
            foreach (var line in lines) log.Debug($"prog '{programName}': relo #{reloIndex}: {line}");
            return 0;
        }
        int warnings = log.WarningCount;
        // What the resolution will record: 0 for type_id_local (no list) and for a list this computation makes.
        int versionBefore = rec.Kind != CoReRelocationKind.TypeIdLocal && cached ? cands!.Version : 0;
        _recording = [];
        int err;
        try { err = ResolveInto(programName, rec, reloIndex, out resolution); }
        finally { lines = [.. _recording]; _recording = null; }
        if (err == 0 && log.WarningCount == warnings && _resolutions[resolution].CandidateVersion == versionBefore)
        {
            _memo[key] = resolution;
            _replay[resolution] = lines;
        }
        return err;
    }

    // Logs one of the lines a reused result repeats (see ResolveLogged), keeping it when recording.
    private void LogStep(CoReLog log, string programName, int reloIndex, string text)
    {
        _recording?.Add(text);
        log.Debug($"prog '{programName}': relo #{reloIndex}: {text}");
    }

    private int ResolveInto(string programName, in CoReRelocationRecord rec, int reloIndex, out int resolution)
    {
        resolution = -1;
        int err = Resolve(programName, rec, reloIndex, out var value, out var chosen, out int matches);
        if (err != 0) return err;
        int version = rec.Kind != CoReRelocationKind.TypeIdLocal && _cache.TryGetValue(rec.TypeId, out var cands) ? cands.Version : 0;
        resolution = _resolutions.Add(rec, value, chosen.Target, chosen.TypeId, matches, version);
        return 0;
    }

    private readonly record struct MemoKey(int TypeId, uint AccessStringOffset, CoReRelocationKind Kind);

    private string? _lastWarning;
    private readonly System.Text.StringBuilder _specText = new(128);

    // Error reports keep the local spec as text; one reused builder keeps that to the final string.
    private string FormatSpec(CoReSpec spec)
    {
        _specText.Clear();
        spec.FormatTo(_specText);
        return _specText.ToString();
    }

    /// <summary>
    /// libbpf's <c>bpf_core_resolve_relo</c>: finds (or reuses and prunes) candidates for the record's local type and
    /// computes the relocation value. Returns 0 or a negative errno. Allocates only when a local type is seen first.
    /// </summary>
    public int Resolve(string programName, in CoReRelocationRecord rec, int reloIndex, out CoReRelocationValue value) =>
        Resolve(programName, rec, reloIndex, out value, out _, out _);

    private int Resolve(string programName, in CoReRelocationRecord rec, int reloIndex, out CoReRelocationValue value,
        out (int Target, int TypeId) chosen, out int matches)
    {
        value = default;
        chosen = (-1, 0);
        matches = 0;
        _lastWarning = null;
        _localSpec.Reset(_local, 0, rec.Kind);
        if (!_local.IsValidTypeId(rec.TypeId)) return -CoReErrno.EINVAL;
        var localType = _local.GetType(rec.TypeId);

        CandidateList? cands = null;
        if (rec.Kind != CoReRelocationKind.TypeIdLocal && !_cache.TryGetValue(rec.TypeId, out cands))
        {
            int err = FindCandidates(rec.TypeId, out cands);
            if (err != 0)
            {
                Warn($"prog '{programName}': relo #{reloIndex}: target candidate search failed for [{rec.TypeId}] {localType.Kind.ToLibbpfString()} {localType.Name}: {err}");
                return err;
            }
            _cache[rec.TypeId] = cands!;
        }
        return CalcRelocation(programName, rec, reloIndex, cands, out value, out chosen, out matches);
    }

    private void Warn(string message)
    {
        _lastWarning = message;
        Log?.Warn(message);
    }

    /// <summary><c>bpf_core_find_cands</c> + <c>bpf_core_add_cands</c>.</summary>
    private int FindCandidates(int localId, out CandidateList? list)
    {
        list = null;
        var localType = _local.GetType(localId);
        var name = localType.NameUtf8;
        if (name.IsEmpty) return -CoReErrno.EINVAL;
        int essentialLength = BtfSpec.EssentialNameLength(name);
        var essential = name[..essentialLength];
        var result = new CandidateList();
        var log = Log;
        for (int ti = 0; ti < _targets.Length; ti++)
        {
            // vmlinux (the first target) first; modules only when it has no candidate at all.
            if (ti > 0 && result.Count > 0) break;
            var target = _targets[ti];
            foreach (var t in target.Spec.FindOwnByEssentialName(essential, includeFunctions: localType.Kind == BtfKind.Func))
            {
                if (!CoReTypeRules.KindsCompatible(t.Kind, localType.Kind)) continue;
                log?.Debug($"CO-RE relocating [{localId}] {localType.Kind.ToLibbpfString()} {localType.Name}: found target candidate [{t.Id}] {t.Kind.ToLibbpfString()} {t.Name} in [{target.Name}]");
                result.Add(ti, t.Id);
            }
        }
        list = result;
        return 0;
    }

    /// <summary><c>bpf_core_calc_relo_insn</c>: matching, ambiguity checks and in-place pruning of the candidate list.</summary>
    private int CalcRelocation(string programName, in CoReRelocationRecord rec, int reloIndex, CandidateList? cands,
        out CoReRelocationValue targRes, out (int Target, int TypeId) chosen, out int matches)
    {
        targRes = default;
        chosen = (-1, 0);
        matches = 0;
        var log = Log;
        var localType = _local.GetType(rec.TypeId);
        int err = _localSpec.ParseLocal(_local, rec, log, programName);
        if (err != 0)
        {
            string spec = _local.IsValidStringOffset(rec.AccessStringOffset) ? _local.GetString(rec.AccessStringOffset) : "<?>";
            Warn($"prog '{programName}': relo #{reloIndex}: parsing [{rec.TypeId}] {localType.Kind.ToLibbpfString()} {(localType.IsAnonymous ? "<anon>" : localType.Name)} + {spec} failed: {err}");
            _localSpec.Reset(null!, 0, rec.Kind);
            return -CoReErrno.EINVAL;
        }
        if (log is not null)
        {
            if (_recording is null) log.Debug($"prog '{programName}': relo #{reloIndex}: {_localSpec}");
            else LogStep(log, programName, reloIndex, _localSpec.Format());
        }

        if (rec.Kind == CoReRelocationKind.TypeIdLocal)
        {
            targRes.Validate = false;
            targRes.OriginalValue = targRes.NewValue = (uint)_localSpec.RootTypeId;
            return 0;
        }
        if (localType.IsAnonymous)
        {
            Warn($"prog '{programName}': relo #{reloIndex}: <{rec.Kind.ToLibbpfString()}> ({(uint)rec.Kind}) relocation doesn't support anonymous types");
            return -CoReErrno.EOPNOTSUPP;
        }

        bool strict = _options.StrictLibbpf;
        int j = 0;
        for (int i = 0; i < cands!.Count; i++)
        {
            var target = _targets[cands.Targets[i]];
            err = _candSpec.MatchCandidate(_localSpec, target.Spec, cands.Ids[i], strict, log);
            if (err < 0)
            {
                Warn($"prog '{programName}': relo #{reloIndex}: error matching candidate #{i} {_candSpec.Format()}: {err}");
                return Failed(cands, j, i, err);
            }
            if (log is not null)
            {
                if (_recording is null) log.Debug($"prog '{programName}': relo #{reloIndex}: {(err == 0 ? "non-matching" : "matching")} candidate #{i} {_candSpec}");
                else LogStep(log, programName, reloIndex, $"{(err == 0 ? "non-matching" : "matching")} candidate #{i} {_candSpec.Format()}");
            }
            if (err == 0) continue;

            err = CoReCalculator.Calculate(programName, rec, reloIndex, _localSpec, _candSpec, BigEndian, !strict, log, out var candRes);
            if (err != 0) { _lastWarning ??= $"relo #{reloIndex}: value calculation failed: {err}"; return Failed(cands, j, i, err); }

            if (j == 0)
            {
                targRes = candRes;
                _targSpec.CopyFrom(_candSpec);
                chosen = (cands.Targets[i], cands.Ids[i]);
            }
            else if (_candSpec.BitOffset != _targSpec.BitOffset)
            {
                Warn($"prog '{programName}': relo #{reloIndex}: field offset ambiguity: {_candSpec.BitOffset} != {_targSpec.BitOffset}");
                return Failed(cands, j, i, -CoReErrno.EINVAL);
            }
            else if (candRes.Poison != targRes.Poison || candRes.NewValue != targRes.NewValue)
            {
                Warn($"prog '{programName}': relo #{reloIndex}: relocation decision ambiguity: {(candRes.Poison ? "failure" : "success")} {candRes.NewValue} != {(targRes.Poison ? "failure" : "success")} {targRes.NewValue}");
                return Failed(cands, j, i, -CoReErrno.EINVAL);
            }
            cands.Targets[j] = cands.Targets[i];
            cands.Ids[j] = cands.Ids[i];
            j++;
        }
        matches = j;
        if (j > 0)
        {
            if (j != cands.Count) cands.Version++;
            cands.Count = j;
            return 0;
        }
        if (log is not null) LogStep(log, programName, reloIndex, "no matching targets found");
        err = CoReCalculator.Calculate(programName, rec, reloIndex, _localSpec, null, BigEndian, !strict, log, out targRes);
        if (err != 0) _lastWarning ??= $"relo #{reloIndex}: value calculation failed: {err}";
        return err;
    }

    // An error inside the matching loop leaves the entries already compacted in place (as libbpf does) while the
    // length stays: if anything moved, reused results computed on the old contents are no longer valid.
    private static int Failed(CandidateList cands, int kept, int current, int err)
    {
        if (kept < current) cands.Version++;
        return err;
    }

    /// <summary>The current (possibly pruned) candidates of a local type: (target index, type id) pairs, or null if not searched yet.</summary>
    public IReadOnlyList<(CoReTarget Target, int TypeId)>? GetCachedCandidates(int localTypeId)
    {
        if (!_cache.TryGetValue(localTypeId, out var list)) return null;
        var result = new (CoReTarget, int)[list.Count];
        for (int i = 0; i < list.Count; i++) result[i] = (_targets[list.Targets[i]], list.Ids[i]);
        return result;
    }

    /// <summary>Relocates a single instruction array (one program) for one record; returns 0 or a negative errno.</summary>
    public int RelocateInstruction(string programName, Span<Instruction> instructions, int instructionIndex,
        in CoReRelocationRecord rec, int reloIndex)
    {
        int err = Resolve(programName, rec, reloIndex, out var value, out _, out _);
        if (err != 0)
        {
            Log?.Warn($"prog '{programName}': relo #{reloIndex}: failed to relocate: {CoReErrno.ToErrString(err)}");
            return err;
        }
        err = CoRePatcher.Patch(programName, instructions, instructionIndex, reloIndex, value, Log);
        if (err != 0)
            Log?.Warn($"prog '{programName}': relo #{reloIndex}: failed to patch insn #{(uint)instructionIndex}: {CoReErrno.ToErrString(err)}");
        return err;
    }

    private sealed class CandidateList
    {
        public int[] Targets = new int[4];
        public int[] Ids = new int[4];
        public int Count;
        /// <summary>Bumped whenever a relocation prunes the list.</summary>
        public int Version;

        public void Add(int target, int id)
        {
            if (Count == Ids.Length)
            {
                Array.Resize(ref Targets, Count * 2);
                Array.Resize(ref Ids, Count * 2);
            }
            Targets[Count] = target;
            Ids[Count] = id;
            Count++;
        }
    }
}
