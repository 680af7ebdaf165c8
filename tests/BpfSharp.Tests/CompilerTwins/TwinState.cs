using BpfSharp.Linux;
using BpfSharp.Linux.Loading;

namespace BpfSharp.Tests.CompilerTwins;

/// <summary>Reads what a twin left behind (map entries, global variables) in a comparable form.</summary>
internal static class TwinState
{
    /// <summary>Every entry of a map as "key-hex = value-hex" lines sorted by key (per-CPU maps: all CPUs' values).</summary>
    public static List<string> Dump(BpfMap map)
    {
        var entries = new List<string>();
        var key = new byte[map.KeySize];
        var next = new byte[map.KeySize];
        var value = new byte[map.ValueBufferSize];
        bool first = true;
        while (map.TryGetNextKey(first ? ReadOnlySpan<byte>.Empty : key, next))
        {
            first = false;
            next.CopyTo(key, 0);
            if (map.TryLookup(key, value))
                entries.Add(Convert.ToHexString(key) + " = " + Convert.ToHexString(value));
            if (entries.Count > 100_000) throw new InvalidOperationException($"{map} does not end");
        }

        entries.Sort(StringComparer.Ordinal);
        return entries;
    }

    /// <summary>True if any value in the dump has a non-zero byte (so equality is not the trivial "both empty").</summary>
    public static bool HasNonZeroValue(List<string> dump) =>
        dump.Any(e => e[(e.IndexOf('=') + 2)..].Any(c => c != '0'));

    /// <summary>The bytes of a global variable as hex.</summary>
    public static string Global(BpfCollection collection, string name)
    {
        foreach (var section in collection.GlobalData.Values)
            foreach (var v in section.Variables)
                if (v.Name == name)
                    return Convert.ToHexString(section.GetVariableBytes(name));
        throw new KeyNotFoundException($"no global variable {name}");
    }
}
