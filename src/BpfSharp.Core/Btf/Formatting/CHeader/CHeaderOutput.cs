using System.Runtime.CompilerServices;

namespace BpfSharp.Btf.Formatting.CHeader;

/// <summary>
/// Buffered byte sink for the C header printer. Names are copied as the raw bytes of the BTF string section
/// (bpftool prints them with <c>%s</c>), so no text encoding happens on the way out.
/// </summary>
internal sealed class CHeaderOutput
{
    // libbpf's pfx(): at most 13 tabs of indentation, however deep the nesting.
    internal const int MaxIndent = 13;

    private readonly Stream _stream;
    private readonly byte[] _buffer;
    private int _position;

    public CHeaderOutput(Stream stream, int bufferSize = 1 << 16)
    {
        _stream = stream;
        _buffer = new byte[bufferSize];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length <= _buffer.Length - _position)
        {
            bytes.CopyTo(new Span<byte>(_buffer, _position, bytes.Length));
            _position += bytes.Length;
        }
        else
        {
            WriteSlow(bytes);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(byte b)
    {
        if (_position == _buffer.Length) Flush();
        _buffer[_position++] = b;
    }

    /// <summary>A newline followed by the indentation of <paramref name="level"/>.</summary>
    public void NewLine(int level)
    {
        Write((byte)'\n');
        Indent(level);
    }

    public void Indent(int level)
    {
        if (level > MaxIndent) level = MaxIndent;
        if (level <= 0) return;
        if (_buffer.Length - _position < level) Flush();
        _buffer.AsSpan(_position, level).Fill((byte)'\t');
        _position += level;
    }

    public void WriteInt64(long value)
    {
        if (_buffer.Length - _position < 20) Flush();
        value.TryFormat(_buffer.AsSpan(_position), out int written, default, System.Globalization.CultureInfo.InvariantCulture);
        _position += written;
    }

    public void WriteUInt64(ulong value)
    {
        if (_buffer.Length - _position < 20) Flush();
        value.TryFormat(_buffer.AsSpan(_position), out int written, default, System.Globalization.CultureInfo.InvariantCulture);
        _position += written;
    }

    public void Flush()
    {
        if (_position == 0) return;
        _stream.Write(_buffer, 0, _position);
        _position = 0;
    }

    private void WriteSlow(ReadOnlySpan<byte> bytes)
    {
        Flush();
        if (bytes.Length <= _buffer.Length)
        {
            bytes.CopyTo(_buffer);
            _position = bytes.Length;
        }
        else
        {
            _stream.Write(bytes);
        }
    }
}
