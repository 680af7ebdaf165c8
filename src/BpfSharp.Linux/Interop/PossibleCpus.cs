namespace BpfSharp.Linux.Interop;

/// <summary>The number of possible CPUs, which sizes per-CPU map values (libbpf's <c>libbpf_num_possible_cpus</c>).</summary>
internal static class PossibleCpus
{
    private const string Path = "/sys/devices/system/cpu/possible";
    private static readonly Lazy<int> Cached = new(Read);

    /// <summary>Highest possible CPU index plus one.</summary>
    public static int Count => Cached.Value;

    /// <summary>Parses the kernel's CPU list format ("0-3", "0,2-5").</summary>
    internal static int Parse(string text)
    {
        var highest = -1;
        foreach (var part in text.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = part.IndexOf('-');
            var last = dash < 0 ? part : part[(dash + 1)..];
            if (!int.TryParse(last, out var cpu) || cpu < 0)
                throw new InvalidDataException($"{Path}: cannot parse CPU list '{text.Trim()}'");
            highest = Math.Max(highest, cpu);
        }
        if (highest < 0) throw new InvalidDataException($"{Path}: empty CPU list");
        return highest + 1;
    }

    private static int Read() => Parse(File.ReadAllText(Path));

    /// <summary>Every CPU index in a kernel CPU list ("0-3", "0,2-5"), ascending.</summary>
    internal static List<int> ParseList(string text, string source)
    {
        var cpus = new List<int>();
        foreach (var part in text.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = part.IndexOf('-');
            var firstText = dash < 0 ? part : part[..dash];
            var lastText = dash < 0 ? part : part[(dash + 1)..];
            if (!int.TryParse(firstText, out var first) || !int.TryParse(lastText, out var last) || first < 0 || last < first || last > 65535)
                throw new InvalidDataException($"{source}: cannot parse CPU list '{text.Trim()}'");
            for (var cpu = first; cpu <= last; cpu++) cpus.Add(cpu);
        }
        return cpus;
    }

    /// <summary>The CPUs online now (<c>/sys/devices/system/cpu/online</c>): where a per-CPU perf event can be opened.</summary>
    internal static List<int> Online()
    {
        const string online = "/sys/devices/system/cpu/online";
        return ParseList(File.ReadAllText(online), online);
    }
}
