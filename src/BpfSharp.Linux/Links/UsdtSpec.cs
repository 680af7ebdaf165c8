using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace BpfSharp.Linux.Links;

/// <summary>Where a USDT argument lives (<c>enum __bpf_usdt_arg_type</c> of libbpf's <c>usdt.bpf.h</c>).</summary>
public enum UsdtArgumentKind : byte
{
    /// <summary>A constant (<c>-4@$5</c>); the value is <see cref="UsdtArgument.ValueOffset"/>.</summary>
    Constant = 0,
    /// <summary>A register (<c>8@%rdx</c>).</summary>
    Register = 1,
    /// <summary>Memory at a register plus an offset (<c>-4@-20(%rbp)</c>).</summary>
    RegisterDereference = 2,
    /// <summary>Memory at base + index * scale + offset (<c>1@-96(%rbp,%rax,8)</c>; libbpf 1.7's layout only).</summary>
    ScaledIndex = 3,
}

/// <summary>One parsed USDT argument (<c>struct __bpf_usdt_arg_spec</c>).</summary>
/// <param name="Kind">Where the value lives.</param>
/// <param name="ValueOffset">The constant, or the memory offset added to the register.</param>
/// <param name="RegisterOffset">The register's offset in <c>struct pt_regs</c>.</param>
/// <param name="IndexRegisterOffset">The index register's offset in <c>struct pt_regs</c> (scaled-index form).</param>
/// <param name="ScaleShift">log2 of the index scale (scaled-index form).</param>
/// <param name="IsSigned">A negative size in the spec: the value is sign-extended.</param>
/// <param name="BitShift">64 minus the size in bits: how far the 8-byte read is shifted to cut it to size.</param>
public readonly record struct UsdtArgument(UsdtArgumentKind Kind, long ValueOffset, short RegisterOffset, short IndexRegisterOffset,
    byte ScaleShift, bool IsSigned, byte BitShift);

/// <summary>
/// A USDT argument specification string parsed as libbpf's <c>parse_usdt_spec</c> does (x86-64 forms: constant
/// <c>N@$V</c>, register <c>N@%reg</c>, memory <c>N@OFF(%reg)</c> and <c>N@(%reg)</c>, scaled index
/// <c>N@OFF(%base,%index,SCALE)</c>; N is 1, 2, 4 or 8, negative for signed), and its encoding as the value of
/// <c>__bpf_usdt_specs</c> (<c>struct __bpf_usdt_spec</c>) in the two layouts libbpf has used: 208 bytes (16-byte
/// arguments, libbpf up to 1.6) and 304 bytes (24-byte arguments with the index register, libbpf 1.7).
/// </summary>
public sealed class UsdtSpec
{
    /// <summary>At most this many arguments (<c>BPF_USDT_MAX_ARG_CNT</c>).</summary>
    public const int MaxArguments = 12;

    /// <summary>Size of <c>struct __bpf_usdt_spec</c> with 16-byte argument records (libbpf up to 1.6).</summary>
    public const int LegacyValueSize = 208;

    /// <summary>Size of <c>struct __bpf_usdt_spec</c> with 24-byte argument records (libbpf 1.7, scaled-index support).</summary>
    public const int ValueSize = 304;

    private UsdtSpec(IReadOnlyList<UsdtArgument> arguments, ulong cookie)
    {
        Arguments = arguments;
        Cookie = cookie;
    }

    /// <summary>The arguments, in order.</summary>
    public IReadOnlyList<UsdtArgument> Arguments { get; }

    /// <summary>The USDT cookie (<c>bpf_usdt_cookie</c>).</summary>
    public ulong Cookie { get; }

    /// <summary>Parses an x86-64 argument specification string.</summary>
    /// <param name="arguments">The note's argument string (e.g. <c>"-4@%edi 8@-8(%rbp)"</c>).</param>
    /// <param name="cookie">The USDT cookie to record.</param>
    /// <exception cref="FormatException">An argument is not recognised, names an unknown register, has a size other
    /// than 1, 2, 4, 8, or there are more than <see cref="MaxArguments"/> (the message quotes the argument).</exception>
    /// <exception cref="PlatformNotSupportedException">Not on x86-64 (the spec is the running architecture's assembly).</exception>
    public static UsdtSpec Parse(string arguments, ulong cookie = 0)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
            throw new PlatformNotSupportedException($"USDT argument specs are parsed for x86-64 only, not {RuntimeInformation.ProcessArchitecture}");
        var list = new List<UsdtArgument>();
        var position = 0;
        while (position < arguments.Length)
        {
            if (list.Count >= MaxArguments)
                throw new FormatException($"too many USDT arguments (> {MaxArguments}) in '{arguments}'");
            var (argument, length) = ParseOne(arguments, position, list.Count);
            list.Add(argument);
            position += length;
        }
        return new UsdtSpec(list, cookie);
    }

    /// <summary>The <c>struct __bpf_usdt_spec</c> bytes for a spec map whose values are <paramref name="valueSize"/> bytes.</summary>
    /// <exception cref="NotSupportedException">The size is neither layout's, or a scaled-index argument meets the 208-byte layout.</exception>
    public byte[] Encode(int valueSize)
    {
        var (record, cookieAt, countAt) = valueSize switch
        {
            LegacyValueSize => (16, 192, 200),
            ValueSize => (24, 288, 296),
            _ => throw new NotSupportedException($"__bpf_usdt_specs values of {valueSize} bytes match no usdt.bpf.h layout ({LegacyValueSize} or {ValueSize})"),
        };
        var bytes = new byte[valueSize];
        for (var i = 0; i < Arguments.Count; i++)
        {
            var a = Arguments[i];
            var r = bytes.AsSpan(i * record, record);
            BinaryPrimitives.WriteInt64LittleEndian(r, a.ValueOffset);
            if (record == 16)
            {
                if (a.Kind == UsdtArgumentKind.ScaledIndex)
                    throw new NotSupportedException($"USDT argument #{i} uses a scaled index, which the 208-byte usdt.bpf.h layout (libbpf up to 1.6) cannot describe");
                BinaryPrimitives.WriteUInt32LittleEndian(r[8..], (uint)a.Kind);
                BinaryPrimitives.WriteInt16LittleEndian(r[12..], a.RegisterOffset);
                r[14] = a.IsSigned ? (byte)1 : (byte)0;
                r[15] = a.BitShift;
            }
            else
            {
                // arg_type:8 in byte 8; the __u16 bit-fields idx_reg_off:12 and scale_bitshift:4 start a new u16 unit (byte 10).
                r[8] = (byte)a.Kind;
                BinaryPrimitives.WriteUInt16LittleEndian(r[10..], (ushort)((a.IndexRegisterOffset & 0xfff) | (a.ScaleShift << 12)));
                BinaryPrimitives.WriteInt16LittleEndian(r[14..], a.RegisterOffset);
                r[16] = a.IsSigned ? (byte)1 : (byte)0;
                r[17] = a.BitShift;
            }
        }
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(cookieAt), Cookie);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(countAt), (short)Arguments.Count);
        return bytes;
    }

    /// <summary>The offset of an x86-64 register (any of its 64/32/16/8-bit names) in <c>struct pt_regs</c>, or -1.</summary>
    public static int PtRegsOffset(string register)
    {
        foreach (var (names, offset) in Registers)
        {
            if (Array.IndexOf(names, register) >= 0) return offset;
        }
        return -1;
    }

    private static readonly (string[] Names, int Offset)[] Registers =
    [
        (["rip", "eip", "", ""], 128),
        (["rax", "eax", "ax", "al"], 80),
        (["rbx", "ebx", "bx", "bl"], 40),
        (["rcx", "ecx", "cx", "cl"], 88),
        (["rdx", "edx", "dx", "dl"], 96),
        (["rsi", "esi", "si", "sil"], 104),
        (["rdi", "edi", "di", "dil"], 112),
        (["rbp", "ebp", "bp", "bpl"], 32),
        (["rsp", "esp", "sp", "spl"], 152),
        (["r8", "r8d", "r8w", "r8b"], 72),
        (["r9", "r9d", "r9w", "r9b"], 64),
        (["r10", "r10d", "r10w", "r10b"], 56),
        (["r11", "r11d", "r11w", "r11b"], 48),
        (["r12", "r12d", "r12w", "r12b"], 24),
        (["r13", "r13d", "r13w", "r13b"], 16),
        (["r14", "r14d", "r14w", "r14b"], 8),
        (["r15", "r15d", "r15w", "r15b"], 0),
    ];

    // libbpf tries its sscanf patterns in this order; the first that converts every field wins.
    private static (UsdtArgument, int) ParseOne(string text, int start, int index)
    {
        var s = text.AsSpan(start);
        var quoted = text[start..].TrimStart();
        var space = quoted.IndexOf(' ');
        if (space > 0) quoted = quoted[..space];
        long size, offset, scale;
        string reg = "", idx = "";
        int length;
        UsdtArgumentKind kind;

        if (new Scanner(s).Int(out size).Lit('@').Int(out offset).Lit('(').Pct().Set(',', out reg).Lit(',').Pct().Set(',', out idx).Lit(',').Int(out scale).Lit(')').End(out length, 5))
        {
            kind = UsdtArgumentKind.ScaledIndex;
        }
        else if (new Scanner(s).Int(out size).Lit('@').Lit('(').Pct().Set(',', out reg).Lit(',').Pct().Set(',', out idx).Lit(',').Int(out scale).Lit(')').End(out length, 4))
        {
            kind = UsdtArgumentKind.ScaledIndex;
            offset = 0;
        }
        else if (new Scanner(s).Int(out size).Lit('@').Int(out offset).Lit('(').Pct().Set(',', out reg).Lit(',').Pct().Set(')', out idx).Lit(')').End(out length, 4))
        {
            kind = UsdtArgumentKind.ScaledIndex;
            scale = 1;
        }
        else if (new Scanner(s).Int(out size).Lit('@').Lit('(').Pct().Set(',', out reg).Lit(',').Pct().Set(')', out idx).Lit(')').End(out length, 3))
        {
            kind = UsdtArgumentKind.ScaledIndex;
            offset = 0;
            scale = 1;
        }
        else if (new Scanner(s).Int(out size).Lit('@').Int(out offset).Lit('(').Pct().Set(')', out reg).Lit(')').End(out length, 3))
        {
            kind = UsdtArgumentKind.RegisterDereference;
            idx = "";
        }
        else if (new Scanner(s).Int(out size).Lit('@').Lit('(').Pct().Set(')', out reg).Lit(')').End(out length, 2))
        {
            kind = UsdtArgumentKind.RegisterDereference;
            offset = 0;
        }
        else if (new Scanner(s).Int(out size).Lit('@').Pct().Word(out reg).End(out length, 2))
        {
            kind = UsdtArgumentKind.Register;
            offset = 0;
        }
        else if (new Scanner(s).Int(out size).Lit('@').Lit('$').Int(out offset).End(out length, 2))
        {
            kind = UsdtArgumentKind.Constant;
            reg = "";
        }
        else
        {
            throw new FormatException($"unrecognized USDT argument #{index} '{quoted}'");
        }

        short regOffset = 0, idxOffset = 0;
        byte scaleShift = 0;
        if (kind != UsdtArgumentKind.Constant) regOffset = Register(reg, index, quoted);
        if (kind == UsdtArgumentKind.ScaledIndex)
        {
            idxOffset = Register(idx, index, quoted);
            scaleShift = scale switch
            {
                1 => 0,
                2 => 1,
                4 => 2,
                8 => 3,
                _ => throw new FormatException($"USDT argument #{index} '{quoted}': scale {scale} is not 1, 2, 4 or 8"),
            };
        }
        var bytes = Math.Abs(size);
        if (bytes is not (1 or 2 or 4 or 8)) throw new FormatException($"USDT argument #{index} '{quoted}': size {size} is not 1, 2, 4 or 8 (negative for signed)");
        return (new UsdtArgument(kind, offset, regOffset, idxOffset, scaleShift, size < 0, (byte)(64 - bytes * 8)), length);
    }

    private static short Register(string name, int index, string quoted)
    {
        var offset = PtRegsOffset(name);
        if (offset < 0) throw new FormatException($"USDT argument #{index} '{quoted}': unrecognized register '{name}'");
        return (short)offset;
    }

    /// <summary>
    /// The few <c>sscanf</c> directives libbpf's patterns use, with glibc's semantics: a space skips any white
    /// space, <c>%d</c>/<c>%ld</c> and <c>%%</c> skip leading white space, <c>%15[^X]</c> reads 1 to 15 characters
    /// other than X, <c>%15s</c> 1 to 15 non-space characters. <see cref="End"/> is <c> %n</c>.
    /// </summary>
    private ref struct Scanner(ReadOnlySpan<char> text)
    {
        private readonly ReadOnlySpan<char> _text = text;
        private int _position;
        private int _converted;
        private bool _failed;

        public Scanner Int(out long value)
        {
            value = 0;
            if (_failed) return this;
            SkipSpace();
            var p = _position;
            var negative = false;
            if (p < _text.Length && _text[p] is '+' or '-') negative = _text[p++] == '-';
            var digits = p;
            while (p < _text.Length && char.IsAsciiDigit(_text[p])) value = unchecked(value * 10 + (_text[p++] - '0'));
            if (p == digits) { _failed = true; return this; }
            if (negative) value = -value;
            _position = p;
            _converted++;
            return this;
        }

        public Scanner Lit(char c)
        {
            if (_failed) return this;
            SkipSpace();
            if (_position < _text.Length && _text[_position] == c) _position++;
            else _failed = true;
            return this;
        }

        public Scanner Pct() => Lit('%');

        public Scanner Set(char excluded, out string value)
        {
            value = "";
            if (_failed) return this;
            var p = _position;
            while (p < _text.Length && p - _position < 15 && _text[p] != excluded) p++;
            if (p == _position) { _failed = true; return this; }
            value = _text[_position..p].ToString();
            _position = p;
            _converted++;
            return this;
        }

        public Scanner Word(out string value)
        {
            value = "";
            if (_failed) return this;
            SkipSpace();
            var p = _position;
            while (p < _text.Length && p - _position < 15 && !char.IsWhiteSpace(_text[p])) p++;
            if (p == _position) { _failed = true; return this; }
            value = _text[_position..p].ToString();
            _position = p;
            _converted++;
            return this;
        }

        /// <summary>True when all <paramref name="conversions"/> fields converted and the pattern matched to its end.</summary>
        public bool End(out int length, int conversions)
        {
            length = 0;
            if (_failed || _converted != conversions) return false;
            SkipSpace();
            length = _position;
            return true;
        }

        private void SkipSpace()
        {
            while (_position < _text.Length && char.IsWhiteSpace(_text[_position])) _position++;
        }
    }
}
