namespace BpfSharp.Linux.Loading;

/// <summary>BTF features a kernel may lack; the loader rewrites the object's BTF for each missing one (libbpf's sanitising).</summary>
[Flags]
public enum BtfFeatures
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary><c>BTF_KIND_FUNC</c> and <c>BTF_KIND_FUNC_PROTO</c> (and with them func_info/line_info).</summary>
    Func = 1 << 0,
    /// <summary><c>BTF_KIND_VAR</c> and <c>BTF_KIND_DATASEC</c>.</summary>
    DataSec = 1 << 1,
    /// <summary>FUNC with global linkage.</summary>
    GlobalFunc = 1 << 2,
    /// <summary><c>BTF_KIND_FLOAT</c>.</summary>
    Float = 1 << 3,
    /// <summary><c>BTF_KIND_DECL_TAG</c>.</summary>
    DeclTag = 1 << 4,
    /// <summary><c>BTF_KIND_TYPE_TAG</c>.</summary>
    TypeTag = 1 << 5,
    /// <summary><c>BTF_KIND_ENUM64</c>.</summary>
    Enum64 = 1 << 6,
    /// <summary>Everything above.</summary>
    All = Func | DataSec | GlobalFunc | Float | DeclTag | TypeTag | Enum64,
}

/// <summary>
/// Probes which BTF kinds the running kernel accepts by loading a tiny BTF blob per feature (libbpf's
/// <c>probe_kern_btf_*</c>); the answer is computed once per process.
/// </summary>
public static class KernelBtfFeatures
{
    private static readonly Lazy<BtfFeatures> Probed = new(ProbeAll);

    /// <summary>The features the running kernel supports.</summary>
    public static BtfFeatures Supported => Probed.Value;

    private delegate void ProbeBuilder(List<uint> types);

    // One row per feature: the types of the probe blob (strings are always "\0int\0x\0.data\0").
    private const uint NameInt = 1, NameX = 5, NameData = 7;
    private static readonly (BtfFeatures Feature, ProbeBuilder Build)[] Probes =
    [
        (BtfFeatures.Func, t => { Int(t); t.AddRange([0, 13u << 24, 1]); t.AddRange([NameX, 12u << 24, 2]); }),
        (BtfFeatures.GlobalFunc, t => { Int(t); t.AddRange([0, 13u << 24, 1]); t.AddRange([NameX, (12u << 24) | 1, 2]); }),
        (BtfFeatures.DataSec, t => { Int(t); t.AddRange([NameX, 14u << 24, 1, 1]); t.AddRange([NameData, (15u << 24) | 1, 4, 2, 0, 4]); }),
        (BtfFeatures.Float, t => t.AddRange([NameX, 16u << 24, 4])),
        (BtfFeatures.DeclTag, t => { Int(t); t.AddRange([NameX, 14u << 24, 1, 0]); t.AddRange([NameX, 17u << 24, 2, uint.MaxValue]); }),
        (BtfFeatures.TypeTag, t => { Int(t); t.AddRange([NameX, 18u << 24, 1]); t.AddRange([0, 2u << 24, 2]); }),
        (BtfFeatures.Enum64, t => t.AddRange([NameInt, (19u << 24) | 1, 8, NameX, 0, 1])),
    ];

    private static void Int(List<uint> t) => t.AddRange([NameInt, 1u << 24, 4, (1u << 24) | 32]);

    /// <summary>
    /// Probes with a BPF token, uncached (libbpf keeps a feature cache per token): inside a user namespace only
    /// requests that carry the token may load BTF, so probes without it would find no feature at all.
    /// </summary>
    internal static BtfFeatures Probe(BpfToken token) => ProbeAll(token);

    private static BtfFeatures ProbeAll() => ProbeAll(null);

    private static BtfFeatures ProbeAll(BpfToken? token)
    {
        var supported = BtfFeatures.None;
        foreach (var (feature, build) in Probes)
            if (TryLoad(Blob(build), token)) supported |= feature;
        return supported;
    }

    /// <summary>Builds a raw little-endian BTF blob from type words and the fixed probe string table.</summary>
    private static byte[] Blob(ProbeBuilder build)
    {
        var types = new List<uint>();
        build(types);
        byte[] strings = "\0int\0x\0.data\0"u8.ToArray();
        int typeLen = types.Count * 4;
        var blob = new byte[24 + typeLen + strings.Length];
        var span = blob.AsSpan();
        BitConverter.TryWriteBytes(span, (ushort)0xeb9f);
        span[2] = 1;
        BitConverter.TryWriteBytes(span[4..], 24u);
        BitConverter.TryWriteBytes(span[8..], 0u);
        BitConverter.TryWriteBytes(span[12..], (uint)typeLen);
        BitConverter.TryWriteBytes(span[16..], (uint)typeLen);
        BitConverter.TryWriteBytes(span[20..], (uint)strings.Length);
        for (int i = 0; i < types.Count; i++) BitConverter.TryWriteBytes(span[(24 + i * 4)..], types[i]);
        strings.CopyTo(span[(24 + typeLen)..]);
        return blob;
    }

    private static bool TryLoad(byte[] blob, BpfToken? token)
    {
        try
        {
            using var btf = KernelBtf.Load(blob, token);
            return true;
        }
        catch (BpfSyscallException)
        {
            return false;
        }
    }
}
