using System.Buffers.Text;
using System.Runtime.CompilerServices;

namespace BpfSharp.Btf.Formatting;

/// <summary>
/// A buffered UTF-8 text sink over a <see cref="Stream"/>: text goes in as byte spans and numbers are formatted
/// straight into the buffer, so printers allocate nothing per line.
/// </summary>
internal sealed class Utf8Output
{
    private readonly Stream _stream;
    private readonly byte[] _buffer;
    private int _used;

    public Utf8Output(Stream stream, int bufferSize = 1 << 16)
    {
        _stream = stream;
        _buffer = new byte[bufferSize];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(ReadOnlySpan<byte> text)
    {
        if (text.Length <= _buffer.Length - _used)
        {
            text.CopyTo(_buffer.AsSpan(_used));
            _used += text.Length;
        }
        else WriteSlow(text);
    }

    private void WriteSlow(ReadOnlySpan<byte> text)
    {
        Flush();
        if (text.Length > _buffer.Length) _stream.Write(text);
        else
        {
            text.CopyTo(_buffer);
            _used = text.Length;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(byte b)
    {
        if (_used == _buffer.Length) Flush();
        _buffer[_used++] = b;
    }

    public void Write(uint value)
    {
        Reserve(20);
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_used), out int n);
        _used += n;
    }

    public void Write(int value)
    {
        Reserve(20);
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_used), out int n);
        _used += n;
    }

    public void Write(ulong value)
    {
        Reserve(24);
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_used), out int n);
        _used += n;
    }

    public void Write(long value)
    {
        Reserve(24);
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_used), out int n);
        _used += n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Reserve(int bytes)
    {
        if (_buffer.Length - _used < bytes) Flush();
    }

    /// <summary>Writes the buffered bytes to the stream (does not flush the stream itself).</summary>
    public void Flush()
    {
        if (_used == 0) return;
        _stream.Write(_buffer, 0, _used);
        _used = 0;
    }
}
