using BpfSharp.Objects;

namespace BpfSharp.CoRe;

/// <summary>The result of relocating a whole <see cref="ObjectSpec"/>: per-relocation reports and the patched programs.</summary>
/// <param name="Result">Per relocation reports and the overall errno.</param>
/// <param name="Programs">Every function of the object with its (patched) instructions.</param>
public sealed record CoReObjectResult(CoReResult Result, IReadOnlyList<CoReProgram> Programs)
{
    /// <summary>The patched program with this name, or null.</summary>
    public CoReProgram? FindProgram(string name)
    {
        foreach (var p in Programs) if (p.Name == name) return p;
        return null;
    }
}

/// <summary>Relocates a BPF object read by <see cref="ObjectSpec"/> (libbpf's <c>bpf_object__relocate_core</c>).</summary>
public static class CoReObjectRelocation
{
    /// <summary>
    /// Copies every function's instructions, then applies all CO-RE relocations of the object's <c>.BTF.ext</c> in
    /// libbpf's order against <paramref name="targets"/>. Programs in <c>SEC("?...")</c> sections are not autoloaded
    /// and are skipped, like libbpf.
    /// </summary>
    public static CoReObjectResult Relocate(ObjectSpec obj, IReadOnlyList<CoReTarget> targets, CoReOptions? options = null,
        CoReLog? log = null)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var programs = new List<CoReProgram>(obj.Programs.Count);
        foreach (var p in obj.Programs)
            programs.Add(new CoReProgram(p.Name, p.SectionName, p.InstructionOffset, p.Instructions.ToArray(),
                Autoload: !p.SectionName.StartsWith('?')));
        if (obj.Btf is null || obj.BtfExt is null || obj.BtfExt.CoReRelocations.Count == 0)
            return new CoReObjectResult(new CoReResult([], 0), programs);

        var sections = new List<CoReRelocationSection>(obj.BtfExt.CoReRelocations.Count);
        foreach (var s in obj.BtfExt.CoReRelocations)
            sections.Add(CoReRelocationSection.From(s));
        var relocator = new CoReRelocator(obj.Btf, targets, options) { Log = log };
        var result = relocator.Relocate(sections, programs);
        // libbpf's bpf_object__relocate closes a fatal error with this line (errstr() spelling: -EINVAL).
        if (!result.Succeeded) log?.Warn($"failed to perform CO-RE relocations: {CoReErrno.ToErrString(result.Errno)}");
        return new CoReObjectResult(result, programs);
    }
}
