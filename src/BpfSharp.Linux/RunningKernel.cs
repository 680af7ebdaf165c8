using BpfSharp.Btf;
using BpfSharp.Linux.Interop;
using BpfSharp.Linux.Loading;

namespace BpfSharp.Linux;

/// <summary>
/// A process-wide cache of what loaders read about the running kernel: its BTF (<c>/sys/kernel/btf/vmlinux</c>),
/// kernel module BTFs (<c>/sys/kernel/btf/MODULE</c>), its Kconfig and its release. Each is read and parsed on first
/// use and then shared by every load in the process, which saves reading and parsing the multi-megabyte vmlinux
/// BTF for every object with CO-RE relocations, tp_btf/fentry programs or ksym externs. <see cref="BpfObjectLoader"/>
/// uses it unless <see cref="BpfLoaderOptions.UseRunningKernelCache"/> is false.
/// </summary>
/// <remarks>
/// <para>
/// The cache never serves stale data. Every access checks, cheaply, that what was cached is still current:
/// the vmlinux and module BTF files are compared by <c>statx</c> identity (device, inode, size, modification and
/// change time: one system call each), and the Kconfig by the boot id
/// (<c>/proc/sys/kernel/random/boot_id</c>). The vmlinux BTF and the Kconfig cannot change without a reboot,
/// so in practice they are parsed once per process. Module BTFs appear and disappear as modules are loaded and
/// unloaded; a reloaded module gets a new sysfs file (a new inode), so it is parsed again, and a module BTF whose
/// vmlinux base was re-read is parsed again on top of the new base.
/// </para>
/// <para>
/// All members are thread-safe. The returned <see cref="BtfSpec"/> objects are immutable and safe to share between
/// threads. A flushed or replaced spec stays valid for whoever still holds it.
/// </para>
/// </remarks>
public static class RunningKernel
{
    /// <summary>The sysfs directory with the kernel's BTF files.</summary>
    public const string BtfDirectory = "/sys/kernel/btf";

    /// <summary>The running kernel's own BTF.</summary>
    public const string VmlinuxBtfPath = "/sys/kernel/btf/vmlinux";

    private const string BootIdPath = "/proc/sys/kernel/random/boot_id";

    /// <summary>Where module BTFs are looked up: <see cref="BtfDirectory"/>, except in tests of the module cache.</summary>
    internal static string ModuleDirectory { get; set; } = BtfDirectory;

    private sealed record CachedBtf(BtfSpec Spec, FileIdentity Identity, BtfSpec? Base);
    private sealed record CachedConfig(KernelConfig Config, string BootId);

    private static readonly Lock Gate = new();
    private static volatile CachedBtf? s_vmlinux;
    private static volatile CachedConfig? s_config;
    private static volatile string? s_release;
    private static readonly Dictionary<string, CachedBtf> s_modules = new(StringComparer.Ordinal); // guarded by Gate
    private static long s_hits, s_misses;

    /// <summary>
    /// The running kernel's BTF (<see cref="VmlinuxBtfPath"/>), parsed once and shared.
    /// </summary>
    /// <exception cref="FileNotFoundException">The kernel does not expose its BTF (built without CONFIG_DEBUG_INFO_BTF).</exception>
    /// <exception cref="BpfFormatException">The kernel's BTF could not be parsed.</exception>
    public static BtfSpec Btf
    {
        get
        {
            var identity = FileIdentity.Of(VmlinuxBtfPath) ?? throw MissingVmlinux();
            var cached = s_vmlinux;
            if (cached is not null && cached.Identity == identity) return Hit(cached.Spec);
            lock (Gate)
            {
                cached = s_vmlinux;
                if (cached is not null && cached.Identity == identity) return Hit(cached.Spec);
                // Identity taken before the read: if the file changes in between, the next check sees a new identity.
                var spec = ReadVmlinuxBtf();
                Interlocked.Increment(ref s_misses);
                s_modules.Clear(); // their base is gone
                s_vmlinux = new CachedBtf(spec, identity, null);
                return spec;
            }
        }
    }

    /// <summary>
    /// The BTF of kernel module <paramref name="module"/> (split BTF on top of <see cref="Btf"/>), parsed once per
    /// loaded instance of the module and shared; null if the module is not loaded or has no BTF.
    /// </summary>
    /// <param name="module">The module name as listed by <see cref="GetModuleNames"/> (e.g. <c>nf_tables</c>).</param>
    /// <exception cref="ArgumentException">The name is empty, <c>vmlinux</c>, or not a plain file name.</exception>
    /// <exception cref="BpfFormatException">The module's BTF could not be parsed.</exception>
    public static BtfSpec? GetModuleBtf(string module)
    {
        ArgumentException.ThrowIfNullOrEmpty(module);
        if (module is "vmlinux" or "." or ".." || module.Contains('/'))
            throw new ArgumentException($"'{module}' is not a kernel module name", nameof(module));
        var vmlinux = Btf;
        var path = ModuleDirectory + "/" + module;
        var identity = FileIdentity.Of(path);
        lock (Gate)
        {
            if (identity is null)
            {
                s_modules.Remove(module);
                return null;
            }
            if (s_modules.TryGetValue(module, out var cached) && cached.Identity == identity && ReferenceEquals(cached.Base, vmlinux))
                return Hit(cached.Spec);
            BtfSpec spec;
            try
            {
                spec = BtfSpec.Load(path, vmlinux);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                s_modules.Remove(module); // unloaded between the statx and the read
                return null;
            }
            Interlocked.Increment(ref s_misses);
            s_modules[module] = new CachedBtf(spec, identity.Value, vmlinux);
            return spec;
        }
    }

    /// <summary>
    /// The names of the loaded kernel modules that have BTF (the files in <see cref="BtfDirectory"/> other than
    /// vmlinux), in ordinal order. Read afresh on every call; cached BTFs of modules no longer listed are dropped.
    /// </summary>
    public static IReadOnlyList<string> GetModuleNames()
    {
        var directory = ModuleDirectory;
        if (!Directory.Exists(directory)) return [];
        var names = new List<string>();
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(file);
            if (name != "vmlinux") names.Add(name);
        }
        names.Sort(StringComparer.Ordinal);
        lock (Gate)
        {
            if (s_modules.Count > 0)
                foreach (var stale in s_modules.Keys.Where(k => names.BinarySearch(k, StringComparer.Ordinal) < 0).ToList())
                    s_modules.Remove(stale);
        }
        return names;
    }

    /// <summary>
    /// The running kernel's Kconfig (see <see cref="KernelConfig.ReadRunning"/>), read once per boot and shared.
    /// </summary>
    public static KernelConfig Config
    {
        get
        {
            var bootId = ReadBootId();
            var cached = s_config;
            if (cached is not null && cached.BootId == bootId) return Hit(cached.Config);
            lock (Gate)
            {
                cached = s_config;
                if (cached is not null && cached.BootId == bootId) return Hit(cached.Config);
                var config = KernelConfig.ReadRunning();
                Interlocked.Increment(ref s_misses);
                s_config = new CachedConfig(config, bootId);
                return config;
            }
        }
    }

    /// <summary>The running kernel's release (<c>uname -r</c>), read once.</summary>
    public static string Release => s_release ??= KernelConfig.RunningRelease();

    /// <summary>
    /// This boot's id (<c>/proc/sys/kernel/random/boot_id</c>, a random UUID the kernel picks at boot), read
    /// afresh; empty if the kernel does not provide one.
    /// </summary>
    public static string ReadBootId()
    {
        try
        {
            return File.ReadAllText(BootIdPath).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>
    /// Reads and parses <see cref="VmlinuxBtfPath"/> without the cache: what every load costs with
    /// <see cref="BpfLoaderOptions.UseRunningKernelCache"/> off (<see cref="BtfSpec.Load"/> maps the file where
    /// the kernel allows it, so only the parse is repeated).
    /// </summary>
    /// <exception cref="FileNotFoundException">The kernel does not expose its BTF.</exception>
    /// <exception cref="BpfFormatException">The kernel's BTF could not be parsed.</exception>
    public static BtfSpec ReadVmlinuxBtf()
    {
        if (!File.Exists(VmlinuxBtfPath)) throw MissingVmlinux();
        return BtfSpec.Load(VmlinuxBtfPath);
    }

    /// <summary>
    /// Reads and parses the vmlinux BTF (with its name index, which CO-RE candidate search needs) and the Kconfig
    /// into the cache on a thread-pool thread, so that a tool can overlap this first-load cost with its own
    /// start-up. Awaiting the task is optional; it completes when the cache is filled and faults if reading failed.
    /// </summary>
    public static Task PrefetchAsync() => Task.Run(() =>
    {
        if (File.Exists(VmlinuxBtfPath)) Btf.EnsureNameIndex();
        _ = Config;
    });

    /// <summary>
    /// Drops everything cached: the next access reads and parses again. Specs handed out earlier stay usable.
    /// Never needed for correctness (every access checks that the cache is current); useful to release the memory
    /// (the vmlinux BTF takes several megabytes) or to measure a first load.
    /// </summary>
    public static void Flush()
    {
        lock (Gate)
        {
            s_vmlinux = null;
            s_config = null;
            s_release = null;
            s_modules.Clear();
        }
    }

    /// <summary>How many accesses were served from the cache since the process started.</summary>
    public static long CacheHits => Interlocked.Read(ref s_hits);

    /// <summary>How many times a file was read and parsed into the cache since the process started.</summary>
    public static long CacheMisses => Interlocked.Read(ref s_misses);

    private static T Hit<T>(T value)
    {
        Interlocked.Increment(ref s_hits);
        return value;
    }

    private static FileNotFoundException MissingVmlinux() =>
        new($"{VmlinuxBtfPath} does not exist: the running kernel was built without CONFIG_DEBUG_INFO_BTF", VmlinuxBtfPath);
}
