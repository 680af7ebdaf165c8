namespace BpfSharp.Linux.Links;

/// <summary>Finds tracepoint ids in an already-mounted tracefs, mounts tracefs when asked, and finds the trace pipe.</summary>
public static class Tracefs
{
    /// <summary>Where <see cref="EnsureMounted"/> mounts tracefs when none is mounted (as bpftool does).</summary>
    public const string DefaultMountPoint = "/sys/kernel/tracing";

    private static readonly string[] Roots = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

    /// <summary>The mounted tracefs directory (one holding <c>events/</c>), or null if none is mounted.</summary>
    public static string? FindRoot()
    {
        foreach (var root in Roots)
            if (Directory.Exists(Path.Combine(root, "events"))) return root;
        return null;
    }

    /// <summary>
    /// The mounted tracefs directory; when there is none, mounts tracefs at <see cref="DefaultMountPoint"/>
    /// (needs CAP_SYS_ADMIN) and returns it. <paramref name="mounted"/> tells whether this call mounted it.
    /// </summary>
    /// <exception cref="IOException">tracefs is not mounted and mounting it failed.</exception>
    public static unsafe string EnsureMounted(out bool mounted)
    {
        mounted = false;
        var root = FindRoot();
        if (root is not null) return root;
        if (Interop.LibC.Mount("tracefs", DefaultMountPoint, "tracefs", 0, null) != 0)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            throw new IOException($"tracefs is not mounted and mounting it at {DefaultMountPoint} failed: {Interop.Errno.Name(errno)}");
        }
        mounted = true;
        return FindRoot() ?? throw new IOException($"mounted tracefs at {DefaultMountPoint} but it has no events/ directory");
    }

    /// <summary>The id of tracepoint <paramref name="category"/>/<paramref name="name"/>.</summary>
    /// <exception cref="BpfAttachException">tracefs is not mounted or the tracepoint does not exist.</exception>
    public static int TracepointId(string category, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(category);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (category.Contains('/') || name.Contains('/') || category.Contains("..") || name.Contains(".."))
            throw new ArgumentException($"'{category}/{name}' is not a tracepoint name");
        var root = FindRoot()
            ?? throw new BpfAttachException($"tracefs is not mounted (neither {string.Join(" nor ", Roots)} has events/); mount it or attach by tracepoint id or as raw_tp");
        var idPath = Path.Combine(root, "events", category, name, "id");
        if (!File.Exists(idPath)) throw new BpfAttachException($"no tracepoint {category}/{name} ({idPath} does not exist)");
        if (!int.TryParse(File.ReadAllText(idPath).Trim(), out var id))
            throw new BpfAttachException($"{idPath}: not a number");
        return id;
    }
}
