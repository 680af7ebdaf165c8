using System.Globalization;

namespace BpfSharp.Linux.Inspection;

/// <summary>
/// The kernel's symbol table (<c>/proc/kallsyms</c>): addresses to names, for naming the helper and function calls
/// of xlated programs and the JIT-compiled functions (<c>bpf_prog_TAG_NAME</c>). Addresses read as zero when
/// <c>kernel.kptr_restrict</c> hides them; the table is then empty.
/// </summary>
public sealed class KernelSymbols
{
    private readonly ulong[] _addresses;
    private readonly string[] _names;

    private KernelSymbols(ulong[] addresses, string[] names, ulong callBase)
    {
        _addresses = addresses;
        _names = names;
        CallBase = callBase;
    }

    /// <summary>Number of symbols with an address.</summary>
    public int Count => _addresses.Length;

    /// <summary>The address of <c>__bpf_call_base</c>, which xlated helper calls are relative to, or 0 when unknown.</summary>
    public ulong CallBase { get; }

    /// <summary>Reads <c>/proc/kallsyms</c>; an unreadable table gives an empty one.</summary>
    public static KernelSymbols Load() => Load("/proc/kallsyms");

    /// <summary>Reads a kallsyms-format file (<c>ADDRESS TYPE NAME [MODULE]</c> per line).</summary>
    public static KernelSymbols Load(string path)
    {
        var entries = new List<(ulong Address, string Name)>();
        ulong callBase = 0;
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                var first = line.IndexOf(' ', StringComparison.Ordinal);
                if (first <= 0 || first + 3 > line.Length) continue;
                if (!ulong.TryParse(line.AsSpan(0, first), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var address)) continue;
                var nameStart = first + 3;
                var nameEnd = line.IndexOfAny([' ', '\t'], nameStart);
                var name = nameEnd < 0 ? line[nameStart..] : line[nameStart..nameEnd];
                if (name == "__bpf_call_base")
                {
                    callBase = address;
                    // Hidden addresses (kptr_restrict): nothing can be named.
                    if (address == 0) return new KernelSymbols([], [], 0);
                }
                if (address != 0) entries.Add((address, name));
            }
        }
        catch (IOException)
        {
            return new KernelSymbols([], [], 0);
        }
        catch (UnauthorizedAccessException)
        {
            return new KernelSymbols([], [], 0);
        }
        // Stable: of several symbols at one address, the first listed wins (as a search over the sorted table finds it).
        var sorted = entries.Select((e, i) => (e.Address, e.Name, i)).OrderBy(e => e.Address).ThenBy(e => e.i).ToArray();
        return new KernelSymbols(sorted.Select(e => e.Address).ToArray(), sorted.Select(e => e.Name).ToArray(), callBase);
    }

    /// <summary>The name of the symbol exactly at <paramref name="address"/>, or null.</summary>
    public string? Find(ulong address)
    {
        var index = Array.BinarySearch(_addresses, address);
        return index >= 0 ? _names[index] : null;
    }
}
