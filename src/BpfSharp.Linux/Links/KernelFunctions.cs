using System.Globalization;

namespace BpfSharp.Linux.Links;

/// <summary>
/// Resolves a glob over the kernel functions that can be traced, as libbpf does for <c>kprobe.multi</c>: from
/// tracefs' <c>available_filter_functions_addrs</c> (address and name per line) when the kernel has it (6.5+),
/// otherwise the names in <c>available_filter_functions</c> looked up in <c>/proc/kallsyms</c>.
/// </summary>
public static class KernelFunctions
{
    /// <summary>The traceable kernel functions whose names match <paramref name="pattern"/> (see <see cref="SymbolGlob"/>), with their addresses.</summary>
    /// <exception cref="BpfAttachException">tracefs is not mounted, or nothing matches.</exception>
    public static IReadOnlyList<(string Name, ulong Address)> Resolve(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        var root = Tracefs.FindRoot()
            ?? throw new BpfAttachException("tracefs is not mounted (kprobe.multi patterns are resolved from its available_filter_functions); mount it or pass symbol names");
        var addrs = Path.Combine(root, "available_filter_functions_addrs");
        IReadOnlyList<(string, ulong)> found;
        if (File.Exists(addrs))
        {
            using var reader = new StreamReader(addrs);
            found = MatchAddressList(reader, pattern, addrs);
        }
        else
        {
            var functionsPath = Path.Combine(root, "available_filter_functions");
            using var functions = new StreamReader(functionsPath);
            using var kallsyms = new StreamReader("/proc/kallsyms");
            found = MatchNameList(functions, kallsyms, pattern);
        }
        if (found.Count == 0) throw new BpfAttachException($"no traceable kernel function matches '{pattern}'");
        return found;
    }

    /// <summary>
    /// Reads the <c>available_filter_functions_addrs</c> format ("ADDR NAME [MODULE]" per line) and keeps the
    /// lines whose name matches <paramref name="pattern"/>, in file order.
    /// </summary>
    /// <exception cref="BpfAttachException">A line is not "ADDR NAME".</exception>
    public static IReadOnlyList<(string Name, ulong Address)> MatchAddressList(TextReader lines, string pattern, string source = "available_filter_functions_addrs")
    {
        ArgumentNullException.ThrowIfNull(lines);
        var result = new List<(string, ulong)>();
        var lineNumber = 0;
        while (lines.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var fields = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || !ulong.TryParse(fields[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var address))
                throw new BpfAttachException($"{source}: line {lineNumber} is not 'ADDRESS NAME': '{Shorten(line)}'");
            if (SymbolGlob.Matches(fields[1], pattern)) result.Add((fields[1], address));
        }
        return result;
    }

    /// <summary>
    /// The fallback for kernels before 6.5: names from <c>available_filter_functions</c> that match, then every
    /// <c>/proc/kallsyms</c> entry with one of those names (kallsyms order, as libbpf walks it).
    /// </summary>
    public static IReadOnlyList<(string Name, ulong Address)> MatchNameList(TextReader availableFunctions, TextReader kallsyms, string pattern)
    {
        ArgumentNullException.ThrowIfNull(availableFunctions);
        ArgumentNullException.ThrowIfNull(kallsyms);
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (availableFunctions.ReadLine() is { } line)
        {
            var space = line.IndexOf(' ');
            var name = space < 0 ? line : line[..space];
            if (name.Length > 0 && SymbolGlob.Matches(name, pattern)) names.Add(name);
        }
        var result = new List<(string, ulong)>();
        if (names.Count == 0) return result;
        var lineNumber = 0;
        while (kallsyms.ReadLine() is { } line)
        {
            lineNumber++;
            var fields = line.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3 || !ulong.TryParse(fields[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var address))
                throw new BpfAttachException($"/proc/kallsyms: line {lineNumber} is not 'ADDRESS TYPE NAME': '{Shorten(line)}'");
            var symbol = fields[2].Split('\t')[0];
            if (names.Contains(symbol)) result.Add((symbol, address));
        }
        return result;
    }

    private static string Shorten(string line) => line.Length <= 80 ? line : line[..80] + "...";
}
