using System.Globalization;

namespace BpfSharp.Linux.Inspection;

/// <summary>
/// Fields of <c>/proc/self/fdinfo/FD</c> for a BPF fd (<c>memlock</c>, <c>frozen</c>, <c>owner_prog_type</c>, ...),
/// which the kernel reports there and not through <c>BPF_OBJ_GET_INFO_BY_FD</c>.
/// </summary>
public static class FdInfo
{
    /// <summary>The value of <paramref name="field"/> in the fd's fdinfo, or null when the kernel does not report it.</summary>
    public static string? Read(BpfFileDescriptor fd, string field)
    {
        ArgumentNullException.ThrowIfNull(fd);
        using var lease = fd.Borrow();
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/self/fdinfo/{lease.Fd.ToString(CultureInfo.InvariantCulture)}");
        }
        catch (IOException)
        {
            return null;
        }
        foreach (var line in lines)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).SequenceEqual(field)) return line[(colon + 1)..].Trim();
        }
        return null;
    }

    /// <summary>The value of <paramref name="field"/> as an integer (as C's <c>atoll</c> reads it), or null.</summary>
    public static long? ReadInteger(BpfFileDescriptor fd, string field) =>
        Read(fd, field) is { } text && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
