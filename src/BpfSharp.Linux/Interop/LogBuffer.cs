using System.Text;

namespace BpfSharp.Linux.Interop;

/// <summary>Sizing and decoding of the log buffers handed to <c>BPF_PROG_LOAD</c> and <c>BPF_BTF_LOAD</c>.</summary>
internal static class LogBuffer
{
    /// <summary>First log buffer size when a failed load is retried for its log.</summary>
    public const int InitialSize = 256 * 1024;

    /// <summary>Largest buffer we offer; older kernels cap <c>log_size</c> near 16 MiB.</summary>
    public const int MaxSize = 16 * 1024 * 1024 - 1;

    /// <summary>Smallest size the kernel accepts for a log buffer.</summary>
    public const int MinSize = 128;

    /// <summary>Log level 1 (<c>BPF_LOG_LEVEL1</c>): what a rejected program needs to be understood.</summary>
    public const uint Level1 = 1;

    /// <summary>The next buffer size after a truncated log: what the kernel said it needed, else double.</summary>
    public static int NextSize(int current, uint trueSize)
    {
        long wanted = trueSize > current ? trueSize + 1 : (long)current * 2;
        return (int)Math.Min(wanted, MaxSize);
    }

    /// <summary>The NUL-terminated text in a log buffer (empty when the kernel wrote nothing).</summary>
    public static string Decode(ReadOnlySpan<byte> buffer)
    {
        var end = buffer.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? buffer : buffer[..end]);
    }
}
