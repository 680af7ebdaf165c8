namespace BpfSharp.Instructions;

/// <summary>Appends text to a caller-owned span; remembers when it ran out of room instead of throwing.</summary>
internal ref struct CharWriter
{
    private readonly Span<char> _buffer;
    private int _position;

    public CharWriter(Span<char> buffer)
    {
        _buffer = buffer;
        _position = 0;
        Overflowed = false;
    }

    public bool Overflowed { get; private set; }
    public readonly int Length => _position;

    public void Append(char c)
    {
        if (_position < _buffer.Length) _buffer[_position++] = c;
        else Overflowed = true;
    }

    public void Append(scoped ReadOnlySpan<char> text)
    {
        if (text.TryCopyTo(_buffer[_position..])) _position += text.Length;
        else Overflowed = true;
    }

    /// <summary>Lower-case hex digits of <paramref name="value"/> without prefix.</summary>
    public void AppendHexDigits(ulong value)
    {
        int digits = value == 0 ? 1 : (67 - System.Numerics.BitOperations.LeadingZeroCount(value)) >> 2;
        if (_position + digits > _buffer.Length)
        {
            Overflowed = true;
            return;
        }
        for (int i = _position + digits - 1; i >= _position; i--)
        {
            int nibble = (int)(value & 0xf);
            _buffer[i] = (char)(nibble < 10 ? '0' + nibble : 'a' - 10 + nibble);
            value >>= 4;
        }
        _position += digits;
    }

    /// <summary>Decimal digits of <paramref name="value"/>.</summary>
    public void AppendDecimal(long value)
    {
        if (value.TryFormat(_buffer[_position..], out int written, default, System.Globalization.CultureInfo.InvariantCulture)) _position += written;
        else Overflowed = true;
    }

    /// <summary>Right-aligns the decimal <paramref name="value"/> in <paramref name="width"/> columns.</summary>
    public void AppendDecimalPadded(long value, int width)
    {
        Span<char> digits = stackalloc char[20];
        value.TryFormat(digits, out int count, default, System.Globalization.CultureInfo.InvariantCulture);
        for (int pad = count; pad < width; pad++) Append(' ');
        Append(digits[..count]);
    }

    /// <summary>LLVM's <c>formatHex</c>: <c>0x1f</c>, or <c>-0x1f</c> for negative values.</summary>
    public void AppendSignedHex(long value)
    {
        if (value < 0)
        {
            Append("-0x");
            AppendHexDigits(unchecked(0UL - (ulong)value));
        }
        else
        {
            Append("0x");
            AppendHexDigits((ulong)value);
        }
    }

    /// <summary>A branch displacement: <c>+0x3</c> or <c>-0x1</c>.</summary>
    public void AppendDisplacement(long value)
    {
        if (value >= 0) Append('+');
        AppendSignedHex(value);
    }

    /// <summary><c>r3</c> or <c>w3</c>.</summary>
    public void AppendRegister(char prefix, int register)
    {
        Append(prefix);
        if (register >= 10)
        {
            Append('1');
            Append((char)('0' + register - 10));
        }
        else
        {
            Append((char)('0' + register));
        }
    }
}
