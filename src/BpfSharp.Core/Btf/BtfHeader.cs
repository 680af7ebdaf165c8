namespace BpfSharp.Btf;

/// <summary>The BTF header (<c>struct btf_header</c>), 24 bytes, or 32 with the 2026 layout section.</summary>
/// <param name="Magic">0xEB9F as read in the file's byte order.</param>
/// <param name="Version">Must be 1.</param>
/// <param name="Flags">Must be 0.</param>
/// <param name="HeaderLength">24, or 32 with <see cref="LayoutOffset"/>/<see cref="LayoutLength"/>.</param>
/// <param name="TypeOffset">Type section offset from the end of the header.</param>
/// <param name="TypeLength">Type section length.</param>
/// <param name="StringOffset">String section offset from the end of the header.</param>
/// <param name="StringLength">String section length.</param>
/// <param name="LayoutOffset">Layout section offset from the end of the header (0 when absent).</param>
/// <param name="LayoutLength">Layout section length (0 when absent).</param>
public readonly record struct BtfHeader(
    ushort Magic, byte Version, byte Flags, uint HeaderLength,
    uint TypeOffset, uint TypeLength, uint StringOffset, uint StringLength,
    uint LayoutOffset, uint LayoutLength)
{
    /// <summary><c>BTF_MAGIC</c>.</summary>
    public const ushort BtfMagic = 0xEB9F;
    /// <summary>Size of the classic header.</summary>
    public const int ClassicSize = 24;
    /// <summary>Size of the header with the layout section fields.</summary>
    public const int LayoutSize = 32;
}

/// <summary>One entry of the layout section (<c>struct btf_layout</c>): how to size records of a kind.</summary>
/// <param name="InfoSize">Bytes of kind-specific data after the 12-byte header.</param>
/// <param name="ElementSize">Bytes per vlen element.</param>
/// <param name="Flags">Layout flags.</param>
public readonly record struct BtfLayoutEntry(byte InfoSize, byte ElementSize, ushort Flags);
