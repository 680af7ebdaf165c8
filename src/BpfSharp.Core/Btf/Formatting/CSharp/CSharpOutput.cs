using System.Runtime.CompilerServices;
using System.Text;

namespace BpfSharp.Btf.Formatting.CSharp;

/// <summary>Buffered UTF-8 sink for the C# printer: ASCII strings are copied byte by byte, other text is encoded.</summary>
internal sealed class CSharpOutput
{
    private readonly Stream _stream;
    private readonly byte[] _buffer;
    private int _used;

    public CSharpOutput(Stream stream, int bufferSize = 1 << 16)
    {
        _stream = stream;
        _buffer = new byte[bufferSize];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(ReadOnlySpan<byte> text)
    {
        if (text.Length > _buffer.Length - _used) Flush();
        if (text.Length > _buffer.Length) { _stream.Write(text); return; }
        text.CopyTo(_buffer.AsSpan(_used));
        _used += text.Length;
    }

    public void Write(string text)
    {
        int max = text.Length * 3;
        if (max > _buffer.Length - _used) Flush();
        if (max > _buffer.Length) { _stream.Write(Encoding.UTF8.GetBytes(text)); return; }
        _used += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_used));
    }

    public void Write(char c)
    {
        if (c >= 0x80) { Write(c.ToString()); return; }
        if (_used == _buffer.Length) Flush();
        _buffer[_used++] = (byte)c;
    }

    public void Write(long value)
    {
        if (_buffer.Length - _used < 24) Flush();
        value.TryFormat(_buffer.AsSpan(_used), out int n, default, System.Globalization.CultureInfo.InvariantCulture);
        _used += n;
    }

    public void Write(ulong value)
    {
        if (_buffer.Length - _used < 24) Flush();
        value.TryFormat(_buffer.AsSpan(_used), out int n, default, System.Globalization.CultureInfo.InvariantCulture);
        _used += n;
    }

    public void Indent(int level)
    {
        for (int i = 0; i < level; i++) Write("    "u8);
    }

    public void Flush()
    {
        if (_used == 0) return;
        _stream.Write(_buffer, 0, _used);
        _used = 0;
    }
}
