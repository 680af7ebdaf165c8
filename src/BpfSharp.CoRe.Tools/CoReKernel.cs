using BpfSharp.Btf;

namespace BpfSharp.CoRe.Tools;

/// <summary>
/// A kernel to check objects against: a name and a way to get its BTF. The BTF is read once, on the worker that
/// checks that kernel, and released when the worker is done with it.
/// </summary>
public sealed class CoReKernel
{
    private readonly Func<BtfSpec> _load;

    /// <summary>Creates a kernel whose BTF comes from <paramref name="load"/> (called once per check).</summary>
    public CoReKernel(string name, Func<BtfSpec> load)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(load);
        Name = name;
        _load = load;
    }

    /// <summary>The column name (a BTFHub file name without its suffix, or a chosen name).</summary>
    public string Name { get; }

    /// <summary>
    /// The base (vmlinux) BTF when this kernel's BTF is split BTF over it (a module's): relocation then searches
    /// the base first and the module next, as <c>core relocate --base</c> and libbpf do. Null for a whole kernel.
    /// </summary>
    public BtfSpec? Base { get; init; }

    /// <summary>A kernel read from a BTF file (raw, ELF, <c>.gz</c>, <c>.xz</c>, <c>.tar.xz</c>); see <see cref="KernelBtfFiles"/>.</summary>
    public static CoReKernel FromFile(string path) => new(KernelBtfFiles.DisplayName(path), () => KernelBtfFiles.Load(path));

    /// <summary>A module's split BTF read from a file over <paramref name="baseSpec"/> (its vmlinux BTF).</summary>
    public static CoReKernel FromFile(string path, BtfSpec? baseSpec) => baseSpec is null
        ? FromFile(path)
        : new(KernelBtfFiles.DisplayName(path), () => KernelBtfFiles.Load(path, baseSpec)) { Base = baseSpec };

    /// <summary>A kernel whose BTF is already parsed.</summary>
    public static CoReKernel FromSpec(string name, BtfSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new(name, () => spec);
    }

    /// <summary>Every kernel BTF file under the given files and directories (see <see cref="KernelBtfFiles.Expand"/>).</summary>
    public static IReadOnlyList<CoReKernel> FromPaths(IEnumerable<string> filesOrDirectories) =>
        [.. KernelBtfFiles.Expand(filesOrDirectories).Select(FromFile)];

    internal BtfSpec Load() => _load();

    /// <inheritdoc />
    public override string ToString() => Name;
}
