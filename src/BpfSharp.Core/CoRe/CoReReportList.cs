using System.Collections;

namespace BpfSharp.CoRe;

/// <summary>
/// The reports of one <see cref="CoReRelocator.Relocate"/> call. Relocation stores one small struct per record; a
/// <see cref="CoReRelocationReport"/> (with its formatted specs) is built only when it is read, so relocating an
/// object whose reports nobody reads allocates nothing per relocation. Hard errors are stored as built reports.
/// </summary>
internal sealed class CoReReportList : IReadOnlyList<CoReRelocationReport>
{
    private readonly IReadOnlyList<CoReRelocationSection> _sections;
    private readonly IReadOnlyList<CoReProgram> _programs;
    private readonly CoReResolutions _resolutions;
    private Entry[] _entries;
    private int _count;
    private Dictionary<int, CoReRelocationReport>? _built;
    private CoReRelocationReport?[]? _materialized;
    private int[]? _sectionStarts;

    public CoReReportList(IReadOnlyList<CoReRelocationSection> sections, IReadOnlyList<CoReProgram> programs,
        CoReResolutions resolutions, int capacity)
    {
        _sections = sections;
        _programs = programs;
        _resolutions = resolutions;
        _entries = new Entry[Math.Max(capacity, 4)];
    }

    public int Count => _count;

    /// <summary>
    /// Adds the next record's report (records are added one each, in processing order): patched, poisoned or skipped.
    /// <paramref name="program"/> is -1 when no program holds the instruction.
    /// </summary>
    public void Add(int program, CoReOutcome outcome, int resolution)
    {
        if (_count == _entries.Length) Array.Resize(ref _entries, _count * 2);
        _entries[_count++] = new Entry { Program = program, Outcome = (byte)outcome, Resolution = resolution };
    }

    /// <summary>Adds the next record's report, built up front (hard errors).</summary>
    public void Add(CoReRelocationReport report)
    {
        (_built ??= [])[_count] = report;
        Add(-1, report.Outcome, -1);
    }

    /// <summary>The texts (local spec, target spec, raw path) of a resolution, for building an error report.</summary>
    public CoReResolutions.ResolutionTexts Texts(int resolution) => _resolutions.Texts(resolution);

    public CoReRelocationReport this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count) throw new ArgumentOutOfRangeException(nameof(index));
            var cache = _materialized;
            if (cache is null)
            {
                Interlocked.CompareExchange(ref _materialized, new CoReRelocationReport?[_count], null);
                cache = _materialized;
            }
            return cache[index] ??= Build(index);
        }
    }

    private CoReRelocationReport Build(int index)
    {
        if (_built is not null && _built.TryGetValue(index, out var built)) return built;
        var e = _entries[index];
        // Entry i is the i-th record in section order: find its section.
        var starts = _sectionStarts ??= SectionStarts();
        // The last section starting at or before the entry (an empty section shares its start with the next one).
        int lo = 0, hi = starts.Length - 1, sectionIndex = 0;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] <= index) { sectionIndex = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        int relocationIndex = index - starts[sectionIndex];
        var section = _sections[sectionIndex];
        var record = section.Records[relocationIndex];
        if (e.Program < 0)
        {
            return new CoReRelocationReport
            {
                SectionName = section.SectionName, RelocationIndex = relocationIndex, Record = record,
                Outcome = CoReOutcome.Skipped, Message = "instruction belongs to no program",
            };
        }
        var program = _programs[e.Program];
        int instructionIndex = (int)(record.InstructionByteOffset / 8) - program.SectionInstructionOffset;
        if ((CoReOutcome)e.Outcome == CoReOutcome.Skipped)
        {
            return new CoReRelocationReport
            {
                SectionName = section.SectionName, RelocationIndex = relocationIndex, Record = record,
                ProgramName = program.Name, InstructionIndex = instructionIndex, Outcome = CoReOutcome.Skipped,
                Message = "program is not autoloaded",
            };
        }
        return Resolved(section.SectionName, relocationIndex, record, program.Name, instructionIndex, e.Resolution,
            (CoReOutcome)e.Outcome, 0, null);
    }

    private int[] SectionStarts()
    {
        var starts = new int[_sections.Count];
        for (int s = 1; s < starts.Length; s++) starts[s] = starts[s - 1] + _sections[s - 1].Records.Count;
        return starts;
    }

    /// <summary>A report for a relocation that reached patching (patched, poisoned, or a patch error).</summary>
    public CoReRelocationReport Resolved(string sectionName, int relocationIndex, in CoReRelocationRecord record,
        string programName, int instructionIndex, int resolution, CoReOutcome outcome, int errno, string? message)
    {
        ref readonly var r = ref _resolutions[resolution];
        var texts = _resolutions.Texts(resolution);
        bool chosen = r.Target >= 0;
        if (outcome == CoReOutcome.Poisoned)
            message = r.Value.Poison ? "no matching target" : "load/store size cannot be adjusted safely";
        return new CoReRelocationReport
        {
            SectionName = sectionName, RelocationIndex = relocationIndex, Record = record, ProgramName = programName,
            InstructionIndex = instructionIndex, LocalSpec = texts.LocalSpec,
            TargetName = chosen ? _resolutions.Targets[r.Target].Name : null,
            TargetTypeId = chosen ? r.TargetTypeId : 0,
            TargetSpec = chosen ? texts.TargetSpec : null,
            TargetRawSpec = chosen ? texts.TargetRawSpec : null,
            MatchingCandidates = r.Matches, Value = r.Value, Outcome = outcome, Errno = errno, Message = message,
        };
    }

    public IEnumerator<CoReRelocationReport> GetEnumerator()
    {
        for (int i = 0; i < _count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // 9 bytes per record; the section, record and instruction index follow from the entry's position.
    private struct Entry
    {
        public int Program;
        public int Resolution;
        public byte Outcome;
    }
}
