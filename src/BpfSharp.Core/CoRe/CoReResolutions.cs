using BpfSharp.Btf;

namespace BpfSharp.CoRe;

/// <summary>
/// The successful resolutions (libbpf's <c>bpf_core_calc_relo_insn</c> results) of one relocator, one per distinct
/// computation. Reports refer to them by index; the spec texts a report shows are formatted only when a report is
/// read, by parsing and matching again (both are pure functions of the record and the chosen candidate).
/// </summary>
internal sealed class CoReResolutions
{
    private readonly BtfSpec _local;
    private readonly CoReTarget[] _targets;
    private readonly bool _strict;
    private Resolution[] _items = new Resolution[64];
    private int _count;
    private readonly object _formatLock = new();
    private CoReSpec? _formatLocal, _formatTarget;

    public CoReResolutions(BtfSpec local, CoReTarget[] targets, bool strict)
    {
        _local = local;
        _targets = targets;
        _strict = strict;
    }

    public int Count => _count;

    public CoReTarget[] Targets => _targets;

    public ref readonly Resolution this[int index] => ref _items[index];

    /// <summary>Adds a resolution; <paramref name="candidateVersion"/> is the candidate list's version it is valid for.</summary>
    public int Add(in CoReRelocationRecord record, in CoReRelocationValue value, int target, int targetTypeId, int matches,
        int candidateVersion)
    {
        if (_count == _items.Length) Array.Resize(ref _items, _count * 2);
        _items[_count] = new Resolution
        {
            TypeId = record.TypeId, AccessStringOffset = record.AccessStringOffset, Kind = record.Kind, Value = value,
            Target = target, TargetTypeId = targetTypeId, Matches = matches, CandidateVersion = candidateVersion,
        };
        return _count++;
    }

    /// <summary>The report texts of resolution <paramref name="index"/>, formatted on first use.</summary>
    public ResolutionTexts Texts(int index)
    {
        lock (_formatLock)
        {
            ref var r = ref _items[index];
            if (r.Texts is { } done) return done;
            var local = _formatLocal ??= new CoReSpec();
            var record = new CoReRelocationRecord(0, r.TypeId, r.AccessStringOffset, r.Kind);
            string? localText = local.ParseLocal(_local, record, null, null) == 0 ? local.Format() : null;
            string? targetText = null;
            int[]? raw = null;
            if (r.Target >= 0 && localText is not null)
            {
                var target = _formatTarget ??= new CoReSpec();
                target.MatchCandidate(local, _targets[r.Target].Spec, r.TargetTypeId, _strict, null);
                targetText = target.Format();
                raw = target.RawIndices.ToArray();
            }
            return r.Texts = new ResolutionTexts(localText, targetText, raw);
        }
    }

    /// <summary>One computed relocation result and what it was computed from.</summary>
    internal struct Resolution
    {
        public int TypeId;
        public uint AccessStringOffset;
        public CoReRelocationKind Kind;
        public CoReRelocationValue Value;
        /// <summary>Index of the chosen candidate's target, or -1 when nothing matched.</summary>
        public int Target;
        public int TargetTypeId;
        public int Matches;
        public int CandidateVersion;
        public ResolutionTexts? Texts;
    }

    /// <summary>Formatted local and target specs and the target's raw access path.</summary>
    internal sealed record ResolutionTexts(string? LocalSpec, string? TargetSpec, int[]? TargetRawSpec);
}
