using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BpfSharp.Btf;

public sealed partial class BtfSpec
{
    /// <summary>Upper bound on the number of types (libbpf's <c>BTF_MAX_NR_TYPES</c> is 0x7fffffff; we also bound by size).</summary>
    private const int MaxTypes = 0x7fffffff;

    /// <summary>
    /// Parses raw BTF (the contents of a <c>.BTF</c> section or of <c>/sys/kernel/btf/*</c>).
    /// </summary>
    /// <param name="data">The raw bytes. Not copied when little-endian and array-backed.</param>
    /// <param name="baseSpec">The base for split BTF (a module's vmlinux, or a distilled base), else null.</param>
    /// <param name="source">A name for messages (file path).</param>
    /// <exception cref="BpfFormatException">The data is not valid BTF.</exception>
    public static BtfSpec Parse(ReadOnlyMemory<byte> data, BtfSpec? baseSpec = null, string? source = null)
    {
        return MemoryMarshal.TryGetArray(data, out ArraySegment<byte> segment)
            ? ParseNamed(data.Span, new BtfData(segment.Array!, 0, segment.Array!.Length), segment.Offset, baseSpec, source)
            : ParseNamed(data.Span, default, 0, baseSpec, source);
    }

    // Parses BTF that stays mapped for the life of the process (the running kernel's vmlinux BTF).
    private static unsafe BtfSpec ParseMapped(KernelBtfMapping mapping, BtfSpec? baseSpec, string source) =>
        ParseNamed(new ReadOnlySpan<byte>((void*)mapping.Address, mapping.Length),
            new BtfData(null, mapping.Address, mapping.Length), 0, baseSpec, source);

    // ParseCore, with the source named in any format error.
    private static BtfSpec ParseNamed(ReadOnlySpan<byte> span, BtfData storage, int arrayOffset, BtfSpec? baseSpec, string? source)
    {
        try
        {
            return ParseCore(span, storage, arrayOffset, baseSpec, source);
        }
        catch (BpfFormatException e) when (source is not null && e.FilePath is null)
        {
            throw e.WithFile(source);
        }
    }

    /// <summary>
    /// Reads BTF from a file: raw BTF, or an ELF file (object, vmlinux, <c>.ko</c>) whose <c>.BTF</c> section is used.
    /// Files ending in <c>.gz</c> are decompressed. The running kernel's <c>/sys/kernel/btf/vmlinux</c> is mapped
    /// read-only where the kernel allows it (Linux 6.16+) instead of being read: nothing is copied, and the one
    /// mapping, made on first use, serves every later load in the process (that BTF cannot change before a reboot).
    /// </summary>
    public static BtfSpec Load(string path, BtfSpec? baseSpec = null)
    {
        // The running kernel's BTF can be mapped read-only (Linux 6.16+): no copy, no large array to collect.
        if (KernelBtfMapping.TryGet(path) is { } mapping) return ParseMapped(mapping, baseSpec, path);
        byte[] bytes = ReadAllBytes(path);
        if (bytes.Length >= 4 && bytes[0] == 0x7f && bytes[1] == (byte)'E' && bytes[2] == (byte)'L' && bytes[3] == (byte)'F')
        {
            var section = Objects.ElfSections.FindSection(bytes, ".BTF", path)
                ?? throw new BpfFormatException(BpfFormatError.ElfMissingSection, BpfFormat.Elf, "no .BTF section", filePath: path);
            return Parse(section, baseSpec, path);
        }
        return Parse(bytes, baseSpec, path);
    }

    internal static byte[] ReadAllBytes(string path)
    {
        // Bounded: a gzip bomb or /dev/zero ends in an error, not in gigabytes of memory.
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) return InputFiles.ReadGzip(path);
        return InputFiles.ReadAll(path);
    }

    private static BpfFormatException Error(BpfFormatError code, string detail, string part, long offset) =>
        new(code, BpfFormat.Btf, detail, part, offset);

    // span: the blob. storage: where it lives (an array with the blob at arrayOffset, or mapped memory), or default
    // when the span has no owner we can keep (then it is copied).
    private static BtfSpec ParseCore(ReadOnlySpan<byte> span, BtfData storage, int arrayOffset, BtfSpec? baseSpec, string? source)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("BpfSharp reads BTF on little-endian hosts only");
        if (span.Length < BtfHeader.ClassicSize)
            throw Error(BpfFormatError.BtfTruncated, $"need at least {BtfHeader.ClassicSize} bytes for the header, have {span.Length}", "header", 0);

        bool bigEndian;
        ushort rawMagic = BinaryPrimitives.ReadUInt16LittleEndian(span);
        if (rawMagic == BtfHeader.BtfMagic) bigEndian = false;
        else if (rawMagic == BinaryPrimitives.ReverseEndianness(BtfHeader.BtfMagic)) bigEndian = true;
        else throw Error(BpfFormatError.BtfBadMagic, $"magic 0x{rawMagic:x4} is not 0xeb9f", "header", 0);

        uint R32(ReadOnlySpan<byte> s, int at) => bigEndian
            ? BinaryPrimitives.ReadUInt32BigEndian(s[at..]) : BinaryPrimitives.ReadUInt32LittleEndian(s[at..]);

        byte version = span[2], flags = span[3];
        if (version != 1) throw Error(BpfFormatError.BtfUnsupportedVersion, $"version {version} is not 1", "header", 2);
        if (flags != 0) throw Error(BpfFormatError.BtfUnsupportedVersion, $"flags 0x{flags:x} are not 0", "header", 3);

        uint hdrLen = R32(span, 4);
        if (hdrLen < BtfHeader.ClassicSize || hdrLen > (uint)span.Length)
            throw Error(BpfFormatError.BtfBadHeader, $"header length {hdrLen} is below 24 or beyond the data ({span.Length} bytes)", "header", 4);
        uint typeOff = R32(span, 8), typeLen = R32(span, 12), strOff = R32(span, 16), strLen = R32(span, 20);
        uint layoutOff = 0, layoutLen = 0;
        if (hdrLen >= BtfHeader.LayoutSize)
        {
            layoutOff = R32(span, 24);
            layoutLen = R32(span, 28);
        }
        var header = new BtfHeader(BtfHeader.BtfMagic, version, flags, hdrLen, typeOff, typeLen, strOff, strLen, layoutOff, layoutLen);

        long dataLen = span.Length - hdrLen;
        if ((long)strOff + strLen > dataLen)
            throw Error(BpfFormatError.BtfBadHeader, $"string section [{strOff}, +{strLen}) is beyond the data ({dataLen} bytes after the header)", "header", 16);
        if ((long)typeOff + typeLen > strOff)
            throw Error(BpfFormatError.BtfBadHeader, $"type section [{typeOff}, +{typeLen}) overlaps or follows the string section at {strOff}", "header", 8);
        if ((typeOff & 3) != 0)
            throw Error(BpfFormatError.BtfBadHeader, $"type section offset {typeOff} is not 4-byte aligned", "header", 8);
        if ((typeLen & 3) != 0)
            throw Error(BpfFormatError.BtfBadHeader, $"type section length {typeLen} is not a multiple of 4", "header", 12);
        if (layoutLen != 0)
        {
            if ((layoutOff & 3) != 0 || (layoutLen & 3) != 0)
                throw Error(BpfFormatError.BtfBadLayout, $"layout section [{layoutOff}, +{layoutLen}) is not 4-byte aligned", "header", 24);
            if (layoutOff < (long)typeOff + typeLen || (long)layoutOff + layoutLen > strOff)
                throw Error(BpfFormatError.BtfBadLayout, $"layout section [{layoutOff}, +{layoutLen}) is not between the type and string sections", "header", 24);
        }
        // Split BTF may have no strings of its own (the kernel and libbpf accept it); standalone BTF needs at least "".
        if (strLen == 0 && baseSpec is null)
            throw Error(BpfFormatError.BtfBadStringSection, "string section is empty", "strings", 0);
        if (strLen > MaxNameOffset + 1)
            throw Error(BpfFormatError.BtfBadStringSection, $"string section of {strLen} bytes exceeds the maximum name offset", "strings", 0);

        // Zero-copy when the input is little-endian and has an owner we can keep; otherwise one converted copy.
        int origin = arrayOffset;
        if (bigEndian || storage.IsEmpty)
        {
            storage = new BtfData(span.ToArray(), 0, span.Length);
            origin = 0;
        }
        byte[]? bytes = storage.Array;
        int typeStart = origin + (int)hdrLen + (int)typeOff;
        int stringStart = origin + (int)hdrLen + (int)strOff;
        int layoutStart = origin + (int)hdrLen + (int)layoutOff;
        if (bigEndian)
        {
            var words = MemoryMarshal.Cast<byte, uint>(bytes.AsSpan(typeStart, (int)typeLen));
            BinaryPrimitives.ReverseEndianness(words, words);
            // Header words too, so that the blob reads consistently.
            var hdrWords = MemoryMarshal.Cast<byte, uint>(bytes.AsSpan(origin + 4, (int)hdrLen - 4 & ~3));
            BinaryPrimitives.ReverseEndianness(hdrWords, hdrWords);
            for (int i = 0; i + 4 <= (int)layoutLen; i += 4)
            {
                var f = bytes.AsSpan(layoutStart + i + 2, 2);
                BinaryPrimitives.WriteUInt16LittleEndian(f, BinaryPrimitives.ReadUInt16BigEndian(f));
            }
            if (!BitConverter.IsLittleEndian)
                throw new PlatformNotSupportedException("big-endian hosts are not supported");
        }

        // Absolute offsets index this: the whole array (the blob starts at origin), or the mapping.
        ReadOnlySpan<byte> whole = bytes is not null ? bytes : span;
        var strings = whole.Slice(stringStart, (int)strLen);
        if (strLen != 0 && strings[^1] != 0)
            throw Error(BpfFormatError.BtfBadStringSection, "string section is not NUL-terminated", "strings", strLen - 1);
        if (baseSpec is null && strings[0] != 0)
            throw Error(BpfFormatError.BtfBadStringSection, "string section does not start with an empty string (split BTF needs its base)", "strings", 0);

        var layout = new BtfLayoutEntry[layoutLen / 4];
        for (int i = 0; i < layout.Length; i++)
        {
            int at = layoutStart + i * 4;
            layout[i] = new BtfLayoutEntry(whole[at], whole[at + 1], BinaryPrimitives.ReadUInt16LittleEndian(whole[(at + 2)..]));
        }

        int[] offsets = IndexTypes(whole.Slice(typeStart, (int)typeLen), layout, out int count, out var bounds);
        var spec = new BtfSpec(storage, header, bigEndian, baseSpec, source, typeStart, (int)typeLen, stringStart, (int)strLen, offsets, count, layout);
        if ((long)spec.StartId + count > MaxTypes)
            throw Error(BpfFormatError.BtfTooLarge, $"{count} types over a base of {spec.StartId} exceed the maximum type id", "types", 0);
        // The indexing pass found whether anything is wrong; the detailed check says what and where.
        if (!bounds.IntsValid || bounds.MaxNameOffset >= spec.StartStringOffset + strLen || bounds.MaxTypeId >= (uint)spec.TypeCount)
            spec.Validate();
        return spec;
    }

    // One pass over the type section: every record is sized and bounds-checked (so views read without checks
    // afterwards) and its offset indexed; on the way, the largest name offset and referenced id are tracked and INT
    // encodings checked, so a valid blob needs no second pass. On any doubt, Validate says what and where.
    private static int[] IndexTypes(ReadOnlySpan<byte> types, BtfLayoutEntry[] layout, out int typeCount, out TypeBounds bounds)
    {
        // Smallest record is 12 bytes: this bounds the count and lets us size the index once, without zeroing
        // it (every slot below the count is written) and without a trimming copy afterwards.
        var offsets = GC.AllocateUninitializedArray<int>(types.Length / 12);
        ref byte start = ref MemoryMarshal.GetReference(types);
        uint maxName = 0, maxRef = 0;
        bool intsValid = true;
        int count = 0, pos = 0;
        while (pos < types.Length)
        {
            if (types.Length - pos < 12)
                throw Error(BpfFormatError.BtfTruncatedType, $"type #{count + 1} needs 12 bytes, {types.Length - pos} left", "types", pos);
            ref byte t = ref Unsafe.Add(ref start, pos);
            uint info = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref t, 4));
            var kind = (BtfKind)((info >> 24) & 0x7f);
            int vlen = (int)(info & 0xffffff);
            long trailer = TrailerSizeLong(kind, vlen);
            if (trailer < 0)
            {
                int k = (int)kind;
                if (kind == BtfKind.Unknown || k >= layout.Length || (layout[k].InfoSize == 0 && layout[k].ElementSize == 0 && layout[k].Flags == 0))
                    throw Error(BpfFormatError.BtfUnknownKind, $"type #{count + 1} has unknown kind {k}", "types", pos + 4);
                trailer = layout[k].InfoSize + (long)vlen * layout[k].ElementSize;
            }
            long size = 12 + trailer;
            if (size > types.Length - pos)
                throw Error(BpfFormatError.BtfTruncatedType,
                    $"type #{count + 1} ({kind.ToBpftoolName()}, vlen {vlen}) needs {size} bytes, {types.Length - pos} left", "types", pos);
            offsets[count++] = pos;
            pos += (int)size;

            uint third = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref t, 8));
            maxName = Math.Max(maxName, Unsafe.ReadUnaligned<uint>(ref t));
            switch (kind)
            {
                case BtfKind.Pointer or BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict
                    or BtfKind.Func or BtfKind.Var or BtfKind.DeclTag or BtfKind.TypeTag:
                    maxRef = Math.Max(maxRef, third);
                    break;
                case BtfKind.Int:
                {
                    uint enc = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref t, 12));
                    uint bits = enc & 0xff, off = (enc >> 16) & 0xff;
                    if (bits > 128 || off + bits > third * 8 || third is not (1 or 2 or 4 or 8 or 16)) intsValid = false;
                    break;
                }
                case BtfKind.Array:
                    maxRef = Math.Max(maxRef, Math.Max(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref t, 12)),
                        Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref t, 16))));
                    break;
                case BtfKind.Struct or BtfKind.Union:
                    for (int m = 0; m < vlen; m++)
                    {
                        ref byte e = ref Unsafe.Add(ref t, 12 + m * 12);
                        maxName = Math.Max(maxName, Unsafe.ReadUnaligned<uint>(ref e));
                        maxRef = Math.Max(maxRef, Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref e, 4)));
                    }
                    break;
                case BtfKind.Enum:
                    for (int m = 0; m < vlen; m++) maxName = Math.Max(maxName, Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref t, 12 + m * 8)));
                    break;
                case BtfKind.Enum64:
                    for (int m = 0; m < vlen; m++) maxName = Math.Max(maxName, Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref t, 12 + m * 12)));
                    break;
                case BtfKind.FuncProto:
                    maxRef = Math.Max(maxRef, third);
                    for (int m = 0; m < vlen; m++)
                    {
                        ref byte e = ref Unsafe.Add(ref t, 12 + m * 8);
                        maxName = Math.Max(maxName, Unsafe.ReadUnaligned<uint>(ref e));
                        maxRef = Math.Max(maxRef, Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref e, 4)));
                    }
                    break;
                case BtfKind.DataSec:
                    for (int m = 0; m < vlen; m++) maxRef = Math.Max(maxRef, Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref t, 12 + m * 12)));
                    break;
            }
        }
        typeCount = count;
        bounds = new TypeBounds(maxName, maxRef, intsValid);
        return offsets;
    }

    /// <summary>What the indexing pass saw: the largest name offset and referenced id, and whether every INT was well formed.</summary>
    private readonly record struct TypeBounds(uint MaxNameOffset, uint MaxTypeId, bool IntsValid);

    // Per known kind: fixed trailer bytes and bytes per vlen element; -1 marks kinds only a layout section can size.
    private static ReadOnlySpan<sbyte> FixedTrailer => [-1, 4, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 4, 0, 0];
    private static ReadOnlySpan<byte> ElementTrailer => [0, 0, 0, 0, 12, 12, 8, 0, 0, 0, 0, 0, 0, 8, 0, 12, 0, 0, 0, 12];

    private static long TrailerSizeLong(BtfKind kind, int vlen)
    {
        int k = (int)kind;
        if ((uint)k >= (uint)FixedTrailer.Length || FixedTrailer[k] < 0) return -1;
        return FixedTrailer[k] + (long)vlen * ElementTrailer[k];
    }

    // Second pass: every name offset and every referenced type id must be valid, as libbpf's
    // btf_sanity_check requires, so that later walks never index out of range.
    private void Validate()
    {
        int count = TypeCount;
        for (int i = 0; i < _count; i++)
        {
            int id = StartId + i;
            int at = _typeStart + _offsets[i];
            uint nameOff = U32(at);
            uint info = U32(at + 4);
            uint third = U32(at + 8);
            var kind = (BtfKind)((info >> 24) & 0x7f);
            int vlen = (int)(info & 0xffffff);
            int rel = _offsets[i];
            CheckName(nameOff, id, rel);
            switch (kind)
            {
                case BtfKind.Pointer or BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict
                    or BtfKind.Func or BtfKind.FuncProto or BtfKind.Var or BtfKind.DeclTag or BtfKind.TypeTag:
                    CheckRef(third, id, rel + 8, count);
                    break;
            }
            switch (kind)
            {
                case BtfKind.Int:
                {
                    uint enc = U32(at + 12);
                    uint bits = enc & 0xff, off = (enc >> 16) & 0xff;
                    if (bits > 128 || off + bits > third * 8 || third is not (1 or 2 or 4 or 8 or 16))
                        throw Error(BpfFormatError.BtfInvalidType, $"[{id}] INT has size {third}, bits {bits}, offset {off}", "types", rel + 12);
                    break;
                }
                case BtfKind.Array:
                    CheckRef(U32(at + 12), id, rel + 12, count);
                    CheckRef(U32(at + 16), id, rel + 16, count);
                    break;
                case BtfKind.Struct or BtfKind.Union:
                    for (int m = 0; m < vlen; m++)
                    {
                        int mat = at + 12 + m * 12;
                        CheckName(U32(mat), id, rel + 12 + m * 12);
                        CheckRef(U32(mat + 4), id, rel + 16 + m * 12, count);
                    }
                    break;
                case BtfKind.Enum:
                    for (int m = 0; m < vlen; m++) CheckName(U32(at + 12 + m * 8), id, rel + 12 + m * 8);
                    break;
                case BtfKind.Enum64:
                    for (int m = 0; m < vlen; m++) CheckName(U32(at + 12 + m * 12), id, rel + 12 + m * 12);
                    break;
                case BtfKind.FuncProto:
                    for (int m = 0; m < vlen; m++)
                    {
                        CheckName(U32(at + 12 + m * 8), id, rel + 12 + m * 8);
                        CheckRef(U32(at + 16 + m * 8), id, rel + 16 + m * 8, count);
                    }
                    break;
                case BtfKind.DataSec:
                    for (int m = 0; m < vlen; m++) CheckRef(U32(at + 12 + m * 12), id, rel + 12 + m * 12, count);
                    break;
            }
        }
    }

    private void CheckName(uint nameOff, int id, int rel)
    {
        // Offsets below StartStringOffset are the base's (all valid); this BTF's own end bounds the rest.
        if (nameOff >= StartStringOffset + (uint)_stringLength)
            throw Error(BpfFormatError.BtfBadStringOffset, $"[{id}] name offset {nameOff} is outside the string section", "types", rel);
    }

    private static void CheckRef(uint typeId, int id, int rel, int count)
    {
        if (typeId >= (uint)count)
            throw Error(BpfFormatError.BtfBadTypeId, $"[{id}] refers to type id {typeId}, but there are only {count} ids", "types", rel);
    }
}
