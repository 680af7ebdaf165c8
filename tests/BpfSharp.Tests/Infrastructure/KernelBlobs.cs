namespace BpfSharp.Tests.Infrastructure;

/// <summary>The shared kernel BTF blobs: each with its base (for split BTF) and its type count from INDEX.md.</summary>
public static class KernelBlobs
{
    /// <summary>(file, base file or null, types as bpftool counts them).</summary>
    public static readonly (string File, string? Base, int Types)[] All =
    [
        ("debian-6.1.192-amd64.btf.gz", null, 100_750),
        ("debian-6.1.192-amd64.xfs.btf.gz", "debian-6.1.192-amd64.btf.gz", 7_290),
        ("debian-6.1.192-amd64.veth.btf.gz", "debian-6.1.192-amd64.btf.gz", 95),
        ("debian-6.12.117-amd64.btf.gz", null, 112_768),
        ("debian-6.12.117-amd64.xfs.btf.gz", "debian-6.12.117-amd64.btf.gz", 8_649),
        ("ci-5.13.2.btf.gz", null, 72_709),
        ("ci-2019-5.x.btf.gz", null, 37_970),
        ("ci-7.1-hdr32.btf.gz", null, 103_406),
        ("ci-7.1-btf_testmod.btf.gz", "ci-7.1-btf_testmod.btf.base.gz", 1_444),
        ("ci-7.1-btf_testmod.btf.base.gz", null, 157),
    ];

    /// <summary>xunit data: blob file names.</summary>
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var b in All) data.Add(b.File);
        return data;
    }

    /// <summary>Loads a blob (with its base, if split).</summary>
    public static BpfSharp.Btf.BtfSpec Load(string file)
    {
        var entry = All.Single(b => b.File == file);
        var baseSpec = entry.Base is null ? null : BpfSharp.Btf.BtfSpec.Load(TestPaths.Kernel(entry.Base));
        return BpfSharp.Btf.BtfSpec.Load(TestPaths.Kernel(file), baseSpec);
    }
}
