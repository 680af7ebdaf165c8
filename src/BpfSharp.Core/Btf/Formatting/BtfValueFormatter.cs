using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace BpfSharp.Btf.Formatting;

/// <summary>
/// Writes raw bytes as the value of a BTF type the way bpftool's <c>btf_dumper</c> does for <c>map dump</c> and
/// <c>map lookup</c>: structs as objects, arrays as arrays (char arrays holding a C string as a string), enums by
/// enumerator name, integers in decimal, bitfields and 128-bit integers in hex, pointers as addresses.
/// </summary>
/// <remarks>
/// The two flavours follow bpftool: <em>plain text</em> (the default output of <c>map dump</c> on a map with BTF, also
/// JSON-shaped) prints pointers as <c>0x…</c> and non-printable chars as <c>0x..</c>, while <em>JSON</em> (the
/// <c>"formatted"</c> member under <c>-j</c>) quotes hex numbers and prints pointers in decimal. Kinds bpftool cannot
/// print (FLOAT, FUNC, FUNC_PROTO, FWD, tags) end the value with bpftool's marker and <c>Write</c> returns false.
/// Bytes the type claims beyond <c>data</c> read as zero, so a type larger than the buffer cannot read out of bounds.
/// <see cref="BtfValueFormatOptions"/> adds what <c>struct_ops dump</c> needs: function pointers that hold program
/// ids, and a plain text that stays valid JSON.
/// </remarks>
public static class BtfValueFormatter
{
    /// <summary>Upper bound on the number of array elements printed for one array (zero-sized elements included).</summary>
    private const uint MaxArrayElements = 1 << 20;

    /// <summary>Writes the value of type <paramref name="typeId"/> stored in <paramref name="data"/>.</summary>
    /// <param name="spec">The BTF holding the type.</param>
    /// <param name="typeId">The type of the value.</param>
    /// <param name="data">The value's bytes (little-endian, as the kernel returns them).</param>
    /// <param name="writer">Receives the value.</param>
    /// <param name="plainText">bpftool's plain-text flavour (see remarks) instead of its JSON flavour.</param>
    /// <returns>False when the type holds a kind bpftool does not print (the output then ends with its marker).</returns>
    /// <exception cref="BpfFormatException">A type id is out of range or a type chain is too deep.</exception>
    public static bool Write(BtfSpec spec, int typeId, ReadOnlySpan<byte> data, BpftoolJsonWriter writer, bool plainText) =>
        Write(spec, typeId, data, writer, new BtfValueFormatOptions { PlainText = plainText });

    /// <summary>Writes the value of type <paramref name="typeId"/> stored in <paramref name="data"/>, as <paramref name="options"/> say.</summary>
    /// <param name="spec">The BTF holding the type.</param>
    /// <param name="typeId">The type of the value.</param>
    /// <param name="data">The value's bytes (little-endian, as the kernel returns them).</param>
    /// <param name="writer">Receives the value.</param>
    /// <param name="options">The flavour, and how function pointers and bare tokens print.</param>
    /// <returns>False when the type holds a kind bpftool does not print (the output then ends with its marker).</returns>
    /// <exception cref="BpfFormatException">A type id is out of range or a type chain is too deep.</exception>
    public static bool Write(BtfSpec spec, int typeId, ReadOnlySpan<byte> data, BpftoolJsonWriter writer, BtfValueFormatOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(options);
        return new Dumper(spec, writer, options).Type(typeId, 0, data, 0, 0);
    }

    /// <summary>Formats one value as text (plain-text flavour, indented), for display.</summary>
    public static string Format(BtfSpec spec, int typeId, ReadOnlySpan<byte> data)
    {
        var text = new StringBuilder();
        Write(spec, typeId, data, new BpftoolJsonWriter(text, pretty: true), plainText: true);
        return text.ToString();
    }

    private readonly ref struct Dumper(BtfSpec spec, BpftoolJsonWriter w, BtfValueFormatOptions options)
    {
        private readonly BtfSpec _spec = spec;
        private readonly BpftoolJsonWriter _w = w;
        private readonly bool _plain = options.PlainText;
        private readonly bool _validJson = options.ValidJson;
        private readonly Func<uint, string?>? _programName = options.ProgramName;

        public bool Type(int typeId, int bitOffset, ReadOnlySpan<byte> data, int at, int depth)
        {
            if (depth > BtfSpec.MaxResolveDepth * 4)
                throw new BpfFormatException(BpfFormatError.BtfTypeChainTooDeep, BpfFormat.Btf,
                    $"value of type [{typeId}] nests deeper than {BtfSpec.MaxResolveDepth * 4} levels", "types", -1, _spec.Source);
            var t = _spec.GetType(typeId);
            switch (t.Kind)
            {
                case BtfKind.Int:
                    Int(t, bitOffset, data, at);
                    return true;
                case BtfKind.Struct or BtfKind.Union:
                    return Struct(t, data, at, depth);
                case BtfKind.Array:
                    return Array(t, data, at, depth);
                case BtfKind.Enum:
                    Enum(t, data, at);
                    return true;
                case BtfKind.Enum64:
                    Enum64(t, data, at);
                    return true;
                case BtfKind.Pointer:
                    var address = Read(data, at, _spec.PointerSize);
                    if (_programName is not null && address <= uint.MaxValue && FunctionPointer(t, (uint)address)) return true;
                    // glibc's %p prints a null pointer as "(nil)".
                    if (_plain) Bare(address == 0 ? "(nil)" : $"0x{address:x}");
                    else _w.Raw(address.ToString(CultureInfo.InvariantCulture));
                    return true;
                case BtfKind.Unknown:
                    Bare("(unknown)");
                    return true;
                case BtfKind.Forward:
                    _w.Raw("(fwd-kind-invalid)");
                    return false;
                case BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict:
                    return Type(ResolveModifiers(typeId), bitOffset, data, at, depth + 1);
                case BtfKind.Var:
                    _w.StartObject();
                    _w.Name(t.Name);
                    var ok = Type(t.ReferencedTypeId, bitOffset, data, at, depth + 1);
                    _w.EndObject();
                    return ok;
                case BtfKind.DataSec:
                    return DataSec(t, data, at, depth);
                default:
                    _w.Raw("(unsupported-kind");
                    return false;
            }
        }

        /// <summary>
        /// bpftool's <c>dump_prog_id_as_func_ptr</c>: a pointer to a function holding a program id prints as the
        /// function's signature and <c>NAME/prog_id:ID</c> (or <c>0</c> when empty). False when the pointer does not
        /// point to a function or the signature cannot be printed: then it prints as a pointer.
        /// </summary>
        private bool FunctionPointer(BtfType pointer, uint programId)
        {
            var target = ResolveModifiers(pointer.ReferencedTypeId);
            if (target == 0 || _spec.GetType(target).Kind != BtfKind.FuncProto) return false;
            var signature = BtfSignatureFormatter.Format(_spec, target);
            if (signature.Length == 0) return false;
            var program = programId == 0 ? "0" : $"{_programName!(programId) ?? "<unknown_prog_name>"}/prog_id:{programId}";
            // bpftool's 1024-byte buffer cuts what does not fit.
            var text = $"{signature} {program}";
            _w.String(text.Length > 1023 ? text[..1023] : text);
            return true;
        }

        /// <summary>A plain-text token that is not JSON (<c>(nil)</c>, <c>0x…</c>), quoted when asked to.</summary>
        private void Bare(string token) => _w.Raw(_validJson ? $"\"{token}\"" : token);

        /// <summary>libbpf's <c>btf__resolve_type</c>: skips typedefs, modifiers, type tags and VARs.</summary>
        private int ResolveModifiers(int typeId)
        {
            var t = _spec.GetType(typeId);
            for (var depth = 0; depth < BtfSpec.MaxResolveDepth && !t.IsVoid; depth++)
            {
                if (t.Kind is not (BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict
                    or BtfKind.TypeTag or BtfKind.Var)) return t.Id;
                t = _spec.GetType(t.ReferencedTypeId);
            }
            if (t.IsVoid) return 0;
            throw new BpfFormatException(BpfFormatError.BtfTypeChainTooDeep, BpfFormat.Btf,
                $"type chain from [{typeId}] is longer than {BtfSpec.MaxResolveDepth} (cyclic?)", "types", -1, _spec.Source);
        }

        private void Int(BtfType t, int bitOffset, ReadOnlySpan<byte> data, int at)
        {
            var bits = t.IntBits;
            if (bitOffset != 0 || t.IntOffset != 0 || (bits & 7) != 0)
            {
                var total = bitOffset + t.IntOffset;
                Bitfield(bits, total & 7, data, at + (total >> 3));
                return;
            }
            if (bits == 128)
            {
                Hex128(Read(data, at + 8, 8), Read(data, at, 8));
                return;
            }
            var encoding = t.IntEncoding;
            if (encoding == BtfIntEncoding.None || encoding == BtfIntEncoding.Signed)
            {
                if (bits is not (8 or 16 or 32 or 64))
                {
                    Bitfield(bits, 0, data, at);
                    return;
                }
                var raw = Read(data, at, bits / 8);
                if (encoding == BtfIntEncoding.None) _w.Number(raw);
                else _w.Number(bits switch { 8 => (sbyte)raw, 16 => (short)raw, 32 => (int)raw, _ => (long)raw });
            }
            else if (encoding == BtfIntEncoding.Char)
            {
                var c = (byte)Read(data, at, 1);
                // bpftool writes '"' and '\' inside quotes as they are, which no JSON reader takes.
                if (c is (byte)'"' or (byte)'\\' && _validJson) _w.Raw($"\"\\{(char)c}\"");
                else if (c is >= 0x20 and < 0x7f) _w.Raw($"\"{(char)c}\"");
                else if (_plain) Bare($"0x{c:x}");
                else _w.Raw($"\"\\u00{c:x2}\"");
            }
            else if (encoding == BtfIntEncoding.Bool)
            {
                // bpftool reads the bool as an int, whatever its size.
                _w.Boolean(Read(data, at, 4) != 0);
            }
            else
            {
                _w.Raw("(unsupported-kind");
            }
        }

        private void Bitfield(int bits, int bitOffset, ReadOnlySpan<byte> data, int at)
        {
            var bytes = (bitOffset + bits + 7) >> 3;
            UInt128 value = 0;
            for (var i = 0; i < bytes && i < 16; i++) value |= (UInt128)Read(data, at + i, 1) << (8 * i);
            value >>= bitOffset;
            if (bits < 128) value &= (UInt128.One << bits) - 1;
            Hex128((ulong)(value >> 64), (ulong)value);
        }

        private void Hex128(ulong upper, ulong lower)
        {
            var text = upper == 0 ? $"0x{lower:x}" : $"0x{upper:x}{lower:x16}";
            if (_plain) Bare(text);
            else _w.Raw($"\"{text}\"");
        }

        private bool Struct(BtfType t, ReadOnlySpan<byte> data, int at, int depth)
        {
            _w.StartObject();
            var ok = true;
            foreach (var m in t.Members)
            {
                _w.Name(m.Name);
                var byteAt = at + (int)(m.BitOffset >> 3);
                if (m.BitfieldSize != 0)
                {
                    Bitfield((int)m.BitfieldSize, (int)(m.BitOffset & 7), data, byteAt);
                }
                else if (!Type(m.TypeId, (int)(m.BitOffset & 7), data, byteAt, depth + 1))
                {
                    ok = false;
                    break;
                }
            }
            _w.EndObject();
            return ok;
        }

        private bool Array(BtfType t, ReadOnlySpan<byte> data, int at, int depth)
        {
            if (IsString(t, data, at, out var text))
            {
                _w.String(text);
                return true;
            }
            if (!_spec.TryResolveSize(t.ArrayElementType, out var elementSize))
            {
                // bpftool gives up on the value without printing it; say so in the output instead of leaving a gap.
                _w.Raw("(unsupported-kind");
                return false;
            }
            var count = t.ArrayLength;
            if (count > MaxArrayElements || (long)count * elementSize > int.MaxValue)
                throw new BpfFormatException(BpfFormatError.BtfInvalidType, BpfFormat.Btf,
                    $"array [{t.Id}] of {count} elements of {elementSize} bytes is too large to print", "types", -1, _spec.Source);
            _w.StartArray();
            var ok = true;
            for (var i = 0; i < count && ok; i++)
                ok = Type(t.ArrayElementType, 0, data, at + (int)(i * elementSize), depth + 1);
            _w.EndArray();
            return ok;
        }

        /// <summary>bpftool's <c>is_str_array</c>: a char array holding printable bytes up to a NUL.</summary>
        private bool IsString(BtfType array, ReadOnlySpan<byte> data, int at, out string text)
        {
            text = "";
            var count = array.ArrayLength;
            if (count == 0) return false;
            var element = _spec.SkipModifiers(array.ArrayElementType);
            if (element.Kind != BtfKind.Int || element.Size != 1) return false;
            if (element.IntEncoding != BtfIntEncoding.Char && element.Name != "char") return false;
            var builder = new StringBuilder();
            for (var i = 0; i < count; i++)
            {
                var c = (byte)Read(data, at + i, 1);
                if (c == 0)
                {
                    text = builder.ToString();
                    return true;
                }
                builder.Append((char)c);
                // The comparison is on a signed char: bytes >= 0x80 are negative and fail "> 0x1f".
                if (c <= 0x1f || c >= 0x7f) return false;
            }
            return false;
        }

        private void Enum(BtfType t, ReadOnlySpan<byte> data, int at)
        {
            var raw = Read(data, at, (int)Math.Min(t.Size, 8));
            long value = t.Size switch
            {
                8 => (long)raw,
                4 => (int)raw,
                2 => (short)raw,
                1 => (sbyte)raw,
                _ => long.MinValue,
            };
            if (t.Size is not (1 or 2 or 4 or 8))
            {
                _w.Raw("(unsupported-kind");
                return;
            }
            for (var i = 0; i < t.Vlen; i++)
            {
                var e = t.GetEnumValue(i);
                // bpftool compares with the enumerator as a signed 32-bit value.
                if (value == (int)(uint)e.RawValue)
                {
                    _w.String(e.Name);
                    return;
                }
            }
            _w.Number(value);
        }

        private void Enum64(BtfType t, ReadOnlySpan<byte> data, int at)
        {
            var value = Read(data, at, 8);
            for (var i = 0; i < t.Vlen; i++)
            {
                var e = t.GetEnumValue(i);
                if (value == e.RawValue)
                {
                    _w.String(e.Name);
                    return;
                }
            }
            _w.Number((long)value);
        }

        private bool DataSec(BtfType t, ReadOnlySpan<byte> data, int at, int depth)
        {
            _w.StartObject();
            _w.Name(t.Name);
            _w.StartArray();
            var ok = true;
            for (var i = 0; i < t.Vlen && ok; i++)
            {
                var v = t.GetDataSecVar(i);
                ok = Type(v.TypeId, 0, data, at + (int)v.Offset, depth + 1);
            }
            _w.EndArray();
            _w.EndObject();
            return ok;
        }

        /// <summary>Little-endian read of up to 8 bytes; bytes outside <paramref name="data"/> read as zero.</summary>
        private static ulong Read(ReadOnlySpan<byte> data, int at, int size)
        {
            Span<byte> buffer = stackalloc byte[8];
            buffer.Clear();
            for (var i = 0; i < size && i < 8; i++)
            {
                var index = (long)at + i;
                if (index >= 0 && index < data.Length) buffer[i] = data[(int)index];
            }
            return BinaryPrimitives.ReadUInt64LittleEndian(buffer);
        }
    }
}

/// <summary>How <see cref="BtfValueFormatter"/> writes a value.</summary>
public sealed class BtfValueFormatOptions
{
    /// <summary>bpftool's plain-text flavour (pointers as <c>0x…</c>/<c>(nil)</c>, hex unquoted) instead of its JSON flavour.</summary>
    public bool PlainText { get; init; }

    /// <summary>
    /// Repair what bpftool writes that is not JSON, so that the output parses: in the plain-text flavour the tokens
    /// it leaves bare (<c>(nil)</c>, pointers, bitfields and non-printable chars in hex, <c>(unknown)</c>) become
    /// JSON strings, and in both flavours a char <c>"</c> or <c>\</c> is escaped. A value bpftool cannot print at
    /// all still ends with its marker.
    /// </summary>
    public bool ValidJson { get; init; }

    /// <summary>
    /// When set, function pointers hold BPF program ids (as a struct_ops map's value does) and print as bpftool's
    /// <c>prog_id_as_func_ptr</c>: <c>"SIGNATURE NAME/prog_id:ID"</c>, or <c>"SIGNATURE 0"</c> when empty. The
    /// delegate names the program with that id, or returns null when it cannot (<c>&lt;unknown_prog_name&gt;</c>).
    /// </summary>
    public Func<uint, string?>? ProgramName { get; init; }
}
