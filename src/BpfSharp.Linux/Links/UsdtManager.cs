using BpfSharp.Linux.Features;
using BpfSharp.Linux.Symbols;

namespace BpfSharp.Linux.Links;

/// <summary>
/// The user-space half of libbpf's USDT support for one BPF object (<c>struct usdt_manager</c>): it owns the
/// object's spec ids and fills its <c>__bpf_usdt_specs</c> map (spec id → <c>struct __bpf_usdt_spec</c>), which
/// <c>usdt.bpf.h</c>'s <c>bpf_usdt_arg</c> (and the C# <c>Usdt.Arg</c>) read with the BPF cookie as the key.
/// Spec ids are small integers handed out as libbpf does: sites of one attachment with the same argument string
/// share an id; ids come back to a free list when the link is disposed and are reused last-freed first.
/// </summary>
public sealed class UsdtManager
{
    /// <summary>The spec map's name in the object (<c>usdt.bpf.h</c>).</summary>
    public const string SpecsMapName = "__bpf_usdt_specs";

    /// <summary>The IP-to-spec-id map's name (<c>usdt.bpf.h</c>), used only by kernels without BPF cookies.</summary>
    public const string IpToSpecIdMapName = "__bpf_usdt_ip_to_spec_id";

    private readonly Lock _lock = new();
    private readonly List<int> _freeIds = [];
    private int _nextId;

    /// <summary>A manager over an object's spec map.</summary>
    /// <param name="specs">The loaded <c>__bpf_usdt_specs</c> array.</param>
    /// <exception cref="ArgumentException">The map's value size matches no <c>usdt.bpf.h</c> layout.</exception>
    public UsdtManager(BpfMap specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        if (specs.ValueSize is not (UsdtSpec.LegacyValueSize or UsdtSpec.ValueSize) || specs.KeySize != 4)
            throw new ArgumentException($"{SpecsMapName}: key size {specs.KeySize} and value size {specs.ValueSize} match no usdt.bpf.h layout " +
                $"(4 and {UsdtSpec.LegacyValueSize} or {UsdtSpec.ValueSize})", nameof(specs));
        Specs = specs;
    }

    /// <summary>The spec map.</summary>
    public BpfMap Specs { get; }

    /// <summary>
    /// Attaches <paramref name="program"/> to every site of USDT <paramref name="provider"/>:<paramref name="name"/>
    /// in <paramref name="binaryPath"/> (libbpf's <c>bpf_program__attach_usdt</c>): one uprobe.multi link when the
    /// kernel has them (the program must then be loaded for <see cref="BpfAttachType.TraceUprobeMulti"/>, as the
    /// loader does for <c>usdt/</c> sections), otherwise one perf-event uprobe per site; each site's BPF cookie is
    /// its spec id, and semaphores are counted by the kernel (<c>ref_ctr_offset</c>) while attached.
    /// </summary>
    /// <param name="program">A loaded kprobe-type program of the object whose spec map this manager fills.</param>
    /// <param name="binaryPath">The executable or shared library with the USDT notes.</param>
    /// <param name="provider">The USDT provider.</param>
    /// <param name="name">The USDT name.</param>
    /// <param name="processId">Only this process; 0 for the calling process; -1 (the default) for every process.</param>
    /// <param name="cookie">The USDT cookie <c>bpf_usdt_cookie</c> returns.</param>
    /// <exception cref="BpfAttachException">No such probe, an argument spec libbpf would not take, no free spec id, a
    /// semaphore the kernel cannot count, or the kernel refused (the message names the file and probe).</exception>
    /// <exception cref="BpfFormatException">The file is not an ELF executable or library, or its notes are malformed.</exception>
    public UsdtLink Attach(BpfProgram program, string binaryPath, string provider, string name, int processId = -1, ulong cookie = 0)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentException.ThrowIfNullOrEmpty(binaryPath);
        ArgumentException.ThrowIfNullOrEmpty(provider);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var what = $"USDT {provider}:{name} in {binaryPath}";
        if (processId < 0) processId = -1;
        else if (processId == 0) processId = Environment.ProcessId;

        var sites = UsdtNotes.Load(binaryPath).Sites(provider, name);
        if (sites.Count == 0) throw new BpfAttachException($"{what}: no such probe", Interop.Errno.ENOENT);
        if (sites.Any(s => s.SemaphoreOffset != 0) && !BpfSystemFeatures.HasUprobeReferenceCounter)
            throw new BpfAttachException($"{what}: the probe has a semaphore and this kernel cannot count it (no uprobe ref_ctr_offset)", EOPNOTSUPP);

        var offsets = new ulong[sites.Count];
        var semaphores = new ulong[sites.Count];
        var specs = new UsdtSpec[sites.Count];
        var nopSkip = BpfSystemFeatures.HasUprobeSyscall ? NopComboSites(binaryPath, sites) : null;
        for (var i = 0; i < sites.Count; i++)
        {
            try
            {
                specs[i] = UsdtSpec.Parse(sites[i].Note.Arguments, cookie);
            }
            catch (FormatException e)
            {
                throw new BpfAttachException($"{what}: site {i} at 0x{sites[i].Address:x}: {e.Message}", EINVAL, e);
            }
            // A NOP followed by a 10-byte NOP: probing the second lets the kernel optimise the uprobe (libbpf 1.6).
            offsets[i] = sites[i].FileOffset + (nopSkip is not null && nopSkip[i] ? 1u : 0u);
            semaphores[i] = sites[i].SemaphoreOffset;
        }

        var link = new UsdtLink(this, what, program.Id);
        try
        {
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            var cookies = new ulong[sites.Count];
            for (var i = 0; i < sites.Count; i++)
            {
                var arguments = sites[i].Note.Arguments;
                if (!ids.TryGetValue(arguments, out var id))
                {
                    id = AllocateId(what);
                    link.SpecIds.Add(id);
                    ids[arguments] = id;
                    try
                    {
                        Specs.Update(BitConverter.GetBytes(id), specs[i].Encode(Specs.ValueSize));
                    }
                    catch (NotSupportedException e)
                    {
                        throw new BpfAttachException($"{what}: site {i}: {e.Message}", EINVAL, e);
                    }
                }
                cookies[i] = (ulong)id;
            }

            if (UseUprobeMulti)
            {
                link.Links.Add(UprobeMultiLink.AttachOffsets(program, binaryPath, offsets, isReturnProbe: false, processId, semaphores, cookies));
            }
            else
            {
                for (var i = 0; i < sites.Count; i++)
                    link.Links.Add(PerfEventLink.UprobeAtOffset(program, binaryPath, offsets[i], isReturnProbe: false, processId, cookies[i], semaphores[i]));
            }
            link.Sites = sites;
            return link;
        }
        catch
        {
            link.Dispose();
            throw;
        }
    }

    private const int EINVAL = 22, E2BIG = 7, EOPNOTSUPP = 95;

    /// <summary>Tests set this to take the perf-event path on a kernel with uprobe.multi; null means "ask the kernel".</summary>
    internal static bool? UprobeMultiOverride { get; set; }

    /// <summary>
    /// Whether USDT programs load for, and attach with, uprobe.multi: one decision for both, as libbpf's
    /// <c>FEAT_UPROBE_MULTI_LINK</c> (a program loaded for uprobe.multi cannot attach to a perf event).
    /// </summary>
    internal static bool UseUprobeMulti => UprobeMultiOverride ?? BpfSystemFeatures.HasUprobeMultiLink;

    private int AllocateId(string what)
    {
        lock (_lock)
        {
            if (_freeIds.Count > 0)
            {
                var id = _freeIds[^1];
                _freeIds.RemoveAt(_freeIds.Count - 1);
                return id;
            }
            if (_nextId >= Specs.MaxEntries)
                throw new BpfAttachException($"{what}: all {Specs.MaxEntries} USDT spec ids are in use ({SpecsMapName} is full)", E2BIG);
            return _nextId++;
        }
    }

    internal void Release(List<int> ids)
    {
        lock (_lock) _freeIds.AddRange(ids);
    }

    private static bool[] NopComboSites(string path, IReadOnlyList<UsdtSite> sites)
    {
        ReadOnlySpan<byte> combo = [0x90, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00];
        var found = new bool[sites.Count];
        using var file = File.OpenHandle(path);
        Span<byte> buffer = stackalloc byte[11];
        for (var i = 0; i < sites.Count; i++)
        {
            var offset = (long)sites[i].FileOffset;
            // The kernel cannot optimise a 10-byte NOP that crosses a page.
            if ((offset + 1) % Environment.SystemPageSize + 10 > Environment.SystemPageSize) continue;
            found[i] = RandomAccess.Read(file, buffer, offset) == 11 && buffer.SequenceEqual(combo);
        }
        return found;
    }
}

/// <summary>
/// A USDT attachment (libbpf's <c>bpf_link_usdt</c>): the uprobe.multi link, or the perf-event uprobes, that put
/// one program on every site of a probe, and the spec ids it holds in its object's <c>__bpf_usdt_specs</c>.
/// Disposing detaches the uprobes (the kernel then decrements the semaphores) and frees the spec ids.
/// </summary>
public sealed class UsdtLink : BpfLink
{
    private readonly UsdtManager _manager;
    private readonly string _what;

    internal UsdtLink(UsdtManager manager, string what, int programId) : base(programId)
    {
        _manager = manager;
        _what = what;
    }

    internal List<BpfLink> Links { get; } = [];

    internal List<int> SpecIds { get; } = [];

    /// <summary>The probe sites attached, in note order.</summary>
    public IReadOnlyList<UsdtSite> Sites { get; internal set; } = [];

    /// <summary>The spec ids this attachment filled in <c>__bpf_usdt_specs</c> (one per distinct argument string).</summary>
    public IReadOnlyList<int> SpecIdsInUse => SpecIds;

    /// <summary>The underlying links: one <see cref="UprobeMultiLink"/>, or one <see cref="PerfEventLink"/> per site.</summary>
    public IReadOnlyList<BpfLink> UprobeLinks => Links;

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            for (var i = Links.Count - 1; i >= 0; i--) Links[i].Dispose();
            Links.Clear();
            _manager.Release(SpecIds);
            SpecIds.Clear();
        }
        base.Dispose(disposing);
    }

    /// <inheritdoc />
    public override string ToString() => $"{_what} ({Links.Count} uprobe link(s), spec ids {string.Join(",", SpecIds)})";
}
