namespace BpfSharp.Linux.Links;

/// <summary>A dynamic perf PMU (kprobe, uprobe) as described under <c>/sys/bus/event_source/devices</c>.</summary>
internal readonly record struct DynamicPmu(uint Type, ulong ReturnProbeConfig)
{
    private const string Root = "/sys/bus/event_source/devices";

    /// <summary>Reads the PMU's type number and the config bit that selects a return probe.</summary>
    /// <exception cref="BpfAttachException">The PMU does not exist (kernel built without it).</exception>
    public static DynamicPmu Read(string name)
    {
        var dir = Path.Combine(Root, name);
        var typePath = Path.Combine(dir, "type");
        if (!File.Exists(typePath))
            throw new BpfAttachException($"the kernel has no {name} PMU ({typePath} is missing; it needs CONFIG_{name.ToUpperInvariant()}S / CONFIG_{name.ToUpperInvariant()}_EVENTS)");
        if (!uint.TryParse(File.ReadAllText(typePath).Trim(), out var type))
            throw new BpfAttachException($"{typePath}: not a number");
        // format/retprobe reads "config:N": bit N of config asks for a return probe.
        ulong ret = 0;
        var retPath = Path.Combine(dir, "format", "retprobe");
        if (File.Exists(retPath))
        {
            var text = File.ReadAllText(retPath).Trim();
            var colon = text.IndexOf(':');
            if (colon >= 0 && int.TryParse(text[(colon + 1)..], out var bit) && bit is >= 0 and < 64) ret = 1UL << bit;
        }
        return new DynamicPmu(type, ret);
    }
}
