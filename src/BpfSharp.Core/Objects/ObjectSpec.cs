using BpfSharp.Btf;
using BpfSharp.Instructions;

namespace BpfSharp.Objects;

/// <summary>
/// What a BPF ELF object file says: sections, symbols, relocations, programs, maps, global data, BTF and
/// <c>.BTF.ext</c>. Plain data parsed from the file, the same on every machine (the kernel-side counterpart
/// lives in the runtime layer).
/// </summary>
public sealed partial class ObjectSpec
{
    /// <summary>ELF machine number of BPF (<c>EM_BPF</c>).</summary>
    public const int MachineBpf = 247;

    private readonly Dictionary<int, Instruction[]> _instructions = [];
    private ElfSection[] _sections = [];
    private ElfSymbol[] _symbols = [];
    private ElfRelocationSection[] _relocationSections = [];
    private ProgramSpec[] _programs = [];

    private ObjectSpec(ReadOnlyMemory<byte> image, string? path)
    {
        Image = image;
        Path = path;
    }

    /// <summary>The whole file.</summary>
    public ReadOnlyMemory<byte> Image { get; }
    /// <summary>The file the object was read from, if any.</summary>
    public string? Path { get; }
    /// <summary>True for a big-endian object (<c>-target bpfeb</c>).</summary>
    public bool IsBigEndian { get; private set; }
    /// <summary><c>e_machine</c> (247 = <c>EM_BPF</c>; 0 is tolerated like libbpf).</summary>
    public int Machine { get; private set; }
    /// <summary><c>e_flags</c>.</summary>
    public uint ElfFlags { get; private set; }

    /// <summary>All sections, by index (index 0 is the null section).</summary>
    public IReadOnlyList<ElfSection> Sections => _sections;
    /// <summary>The symbol table, by index (index 0 is the null symbol); empty if the object has none.</summary>
    public IReadOnlyList<ElfSymbol> Symbols => _symbols;
    /// <summary>The relocation sections (<c>SHT_REL</c>/<c>SHT_RELA</c>), in section order.</summary>
    public IReadOnlyList<ElfRelocationSection> RelocationSections => _relocationSections;
    /// <summary>Programs and subprograms ordered by section index then instruction offset (libbpf's order).</summary>
    public IReadOnlyList<ProgramSpec> Programs => _programs;
    /// <summary>The object's BTF (<c>.BTF</c>), or null if it has none.</summary>
    public BtfSpec? Btf { get; private set; }
    /// <summary>The parsed <c>.BTF.ext</c>, or null (none, or no <c>.BTF</c> to resolve it against).</summary>
    public BtfExt? BtfExt { get; private set; }
    /// <summary>The <c>license</c> section's string, or null.</summary>
    public string? License { get; private set; }
    /// <summary>The <c>version</c> section's value (legacy kprobe kernel version), or null.</summary>
    public uint? KernelVersion { get; private set; }

    /// <summary>The first section with the given name, or null.</summary>
    public ElfSection? FindSection(string name)
    {
        foreach (var s in _sections) if (s.Name == name) return s;
        return null;
    }

    /// <summary>The section at <paramref name="index"/>, or null if out of range.</summary>
    public ElfSection? GetSection(int index) => (uint)index < (uint)_sections.Length ? _sections[index] : null;

    /// <summary>The program or subprogram with the given name, or null.</summary>
    public ProgramSpec? FindProgram(string name)
    {
        foreach (var p in _programs) if (p.Name == name) return p;
        return null;
    }

    /// <summary>
    /// The function of section <paramref name="sectionIndex"/> containing section-relative instruction
    /// <paramref name="instructionIndex"/> (libbpf's <c>find_prog_by_sec_insn</c>), or null.
    /// </summary>
    public ProgramSpec? FindProgramAt(int sectionIndex, int instructionIndex)
    {
        foreach (var p in _programs)
            if (p.Section.Index == sectionIndex && p.Contains(instructionIndex)) return p;
        return null;
    }

    /// <summary>The executable sections (BPF code), in section order.</summary>
    public IEnumerable<ElfSection> ProgramSections => _sections.Where(s => _instructions.ContainsKey(s.Index));

    /// <summary>The decoded instructions of an executable section (empty for any other section).</summary>
    public ReadOnlyMemory<Instruction> GetInstructions(int sectionIndex) =>
        _instructions.TryGetValue(sectionIndex, out var insns) ? insns : ReadOnlyMemory<Instruction>.Empty;

    /// <summary>Reads an object file.</summary>
    /// <exception cref="BpfFormatException">The file is not a valid BPF object.</exception>
    public static ObjectSpec Load(string path) => Read(InputFiles.ReadAll(path), path);

    /// <inheritdoc />
    public override string ToString() => $"{Path ?? "object"}: {_sections.Length} sections, {_programs.Length} programs";
}
