using System.Buffers.Binary;
using System.Text;

namespace BpfSharp.Objects.Logging;

/// <summary>
/// The log calls of a BPF object, from its <c>.debug_bpfsharp_log</c> section (written by the BpfSharp compiler; see
/// docs/observability.md for the layout): what a user-space reader needs to turn the fixed-size records of the
/// <c>bpfsharp_log</c> ring buffer back into messages without the C# source.
/// </summary>
public sealed class BpfLogCatalog
{
    /// <summary>The section's name: libbpf skips <c>.debug_*</c> sections silently (any other unknown section costs
    /// an "unrecognized section" line in every libbpf load), and nothing in the kernel needs it.</summary>
    public const string SectionName = ".debug_bpfsharp_log";

    /// <summary>The ring buffer map the records are written to.</summary>
    public const string RingMapName = "bpfsharp_log";

    /// <summary>The global variable (in <c>.bss</c>) counting records the ring had no room for.</summary>
    public const string LostCounterName = "bpfsharp_log_lost";

    /// <summary>"BLOG" little-endian.</summary>
    private const uint Magic = 0x474F4C42;
    private const ushort Version = 1;
    private const int MaxLevel = 5;

    /// <summary>Creates a catalog of <paramref name="sites"/>; site <c>i</c> must have <see cref="BpfLogSite.Id"/> <c>i</c>.</summary>
    /// <param name="sites">The log calls.</param>
    public BpfLogCatalog(IReadOnlyList<BpfLogSite> sites)
    {
        for (var i = 0; i < sites.Count; i++)
        {
            if (sites[i].Id != i)
            {
                throw new ArgumentException($"site {i} has id {sites[i].Id}", nameof(sites));
            }
        }

        Sites = sites;
    }

    /// <summary>The log calls, indexed by the id records carry.</summary>
    public IReadOnlyList<BpfLogSite> Sites { get; }

    /// <summary>The catalog of an object, or null when it logs nothing (no <c>.debug_bpfsharp_log</c> section).</summary>
    /// <param name="obj">The object.</param>
    /// <returns>The catalog, or null.</returns>
    public static BpfLogCatalog? FromObject(ObjectSpec obj)
    {
        var section = obj.FindSection(SectionName);
        return section is null ? null : Read(section.Data.Span);
    }

    /// <summary>Decodes one record: its site and the values of its holes.</summary>
    /// <param name="record">The record as the ring buffer delivered it.</param>
    /// <returns>The site and the values.</returns>
    /// <exception cref="BpfFormatException">The record is shorter than its header or its site's size, or names no site.</exception>
    public (BpfLogSite Site, object[] Values) Decode(ReadOnlySpan<byte> record)
    {
        if (record.Length < 4)
        {
            throw new BpfFormatException(BpfFormatError.LogRecordMalformed, BpfFormat.Object,
                $"a log record of {record.Length} bytes is shorter than its 4-byte site id", RingMapName, 0);
        }

        var id = BinaryPrimitives.ReadUInt32LittleEndian(record);
        if (id >= (uint)Sites.Count)
        {
            throw new BpfFormatException(BpfFormatError.LogRecordMalformed, BpfFormat.Object,
                $"a log record names site {id}; the object has {Sites.Count}", RingMapName, 0);
        }

        var site = Sites[(int)id];
        return (site, site.DecodeValues(record));
    }

    /// <summary>Encodes the catalog as the <c>.debug_bpfsharp_log</c> section's bytes.</summary>
    /// <returns>The section data.</returns>
    public byte[] ToBytes()
    {
        var output = new List<byte>();
        void U8(int v) => output.Add((byte)v);
        void U16(int v) { U8(v); U8(v >> 8); }
        void U32(uint v) { U16((int)(v & 0xFFFF)); U16((int)(v >> 16)); }
        void Str(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            if (bytes.Length > ushort.MaxValue)
            {
                throw new ArgumentException($"log text longer than {ushort.MaxValue} bytes");
            }

            U16(bytes.Length);
            output.AddRange(bytes);
        }

        U32(Magic);
        U16(Version);
        U16(0);
        U32((uint)Sites.Count);
        foreach (var site in Sites)
        {
            U8(site.Level);
            U8(site.Arguments.Count);
            U16(site.RecordSize);
            for (var i = 0; i < site.Arguments.Count; i++)
            {
                Str(site.Literals[i]);
                var a = site.Arguments[i];
                U8((int)a.Kind);
                U8((int)a.Format);
                U16(a.Offset);
                U16(a.Size);
                Str(a.Name);
            }

            Str(site.Literals[^1]);
        }

        return [.. output];
    }

    /// <summary>Reads a <c>.debug_bpfsharp_log</c> section.</summary>
    /// <param name="data">The section's bytes.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="BpfFormatException">The data is truncated or inconsistent (BPFF0701, with the offset).</exception>
    public static BpfLogCatalog Read(ReadOnlySpan<byte> data)
    {
        var reader = new Reader(data);
        if (reader.U32() != Magic)
        {
            throw reader.Fail(0, "bad magic: not a BpfSharp log catalog");
        }

        var version = reader.U16();
        if (version != Version)
        {
            throw reader.Fail(4, $"version {version}; this reader knows version {Version}");
        }

        reader.U16();
        var count = reader.U32();

        // Each site takes at least 6 bytes: a count beyond that is damage, not a reason to allocate.
        if (count > (uint)(data.Length / 6))
        {
            throw reader.Fail(8, $"{count} sites cannot fit in {data.Length} bytes");
        }

        var sites = new List<BpfLogSite>((int)count);
        for (var id = 0; id < count; id++)
        {
            var start = reader.Position;
            var level = reader.U8();
            var argCount = reader.U8();
            var recordSize = reader.U16();
            if (level > MaxLevel)
            {
                throw reader.Fail(start, $"site {id}: level {level} (0–{MaxLevel})");
            }

            if (recordSize < 4)
            {
                throw reader.Fail(start + 2, $"site {id}: record size {recordSize} is smaller than the 4-byte header");
            }

            var literals = new List<string>(argCount + 1);
            var arguments = new List<BpfLogArgument>(argCount);
            for (var i = 0; i < argCount; i++)
            {
                literals.Add(reader.Str());
                var at = reader.Position;
                var kind = (BpfLogArgumentKind)reader.U8();
                var format = (BpfLogArgumentFormat)reader.U8();
                var offset = reader.U16();
                var size = reader.U16();
                var name = reader.Str();
                if (!SizeFits(kind, size) || !Enum.IsDefined(format))
                {
                    throw reader.Fail(at, $"site {id}, hole {i}: kind {(int)kind} with size {size} and format {(int)format} is not valid");
                }

                if (offset < 4 || offset + size > recordSize)
                {
                    throw reader.Fail(at + 2, $"site {id}, hole {i}: bytes {offset}..{offset + size} are outside the {recordSize}-byte record");
                }

                arguments.Add(new BpfLogArgument(name, kind, format, offset, size));
            }

            literals.Add(reader.Str());
            sites.Add(new BpfLogSite(id, level, literals, arguments, recordSize));
        }

        return new BpfLogCatalog(sites);
    }

    private static bool SizeFits(BpfLogArgumentKind kind, int size) => kind switch
    {
        BpfLogArgumentKind.Signed or BpfLogArgumentKind.Unsigned => size is 1 or 2 or 4 or 8,
        BpfLogArgumentKind.Boolean => size == 1,
        BpfLogArgumentKind.Char => size == 2,
        BpfLogArgumentKind.Pointer => size == 8,
        BpfLogArgumentKind.Ipv4 => size == 4,
        BpfLogArgumentKind.Ipv6 => size == 16,
        BpfLogArgumentKind.Mac => size == 6,
        BpfLogArgumentKind.Utf8String => size >= 1,
        BpfLogArgumentKind.Utf16String => size >= 2 && size % 2 == 0,
        _ => false,
    };

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;

        public int Position { get; private set; }

        public BpfFormatException Fail(int offset, string detail) =>
            new(BpfFormatError.LogCatalogMalformed, BpfFormat.Object, detail, SectionName, offset);

        private ReadOnlySpan<byte> Take(int n)
        {
            if ((uint)n > (uint)(_data.Length - Position))
            {
                throw Fail(Position, $"truncated: {n} bytes needed, {_data.Length - Position} left");
            }

            var s = _data.Slice(Position, n);
            Position += n;
            return s;
        }

        public int U8() => Take(1)[0];

        public int U16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

        public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

        public string Str()
        {
            var at = Position;
            var bytes = Take(U16());
            try
            {
                return new UTF8Encoding(false, true).GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                throw Fail(at, "text is not valid UTF-8");
            }
        }
    }
}
