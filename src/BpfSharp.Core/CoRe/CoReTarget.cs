using BpfSharp.Btf;

namespace BpfSharp.CoRe;

/// <summary>
/// A target BTF to relocate against, with the name libbpf prints in its log (<c>vmlinux</c> or a module name).
/// The first target is searched first; later targets (modules, split over the first) are searched only for local
/// types that have no candidate in the first, exactly like libbpf.
/// </summary>
/// <param name="Name">Name for the log: "vmlinux" or the module name.</param>
/// <param name="Spec">The target BTF (for modules: split BTF over vmlinux).</param>
public sealed record CoReTarget(string Name, BtfSpec Spec);
