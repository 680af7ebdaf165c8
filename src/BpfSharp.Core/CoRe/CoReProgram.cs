using BpfSharp.Instructions;
using BpfSharp.Objects;

namespace BpfSharp.CoRe;

/// <summary>
/// One program as the relocation driver sees it (libbpf's <c>struct bpf_program</c> before linking): its ELF section,
/// where it starts inside the section, and its own instruction array, patched in place.
/// </summary>
/// <param name="Name">Program (function) name, used in log lines.</param>
/// <param name="SectionName">ELF section holding the program (e.g. <c>kprobe/x</c>, <c>.text</c>).</param>
/// <param name="SectionInstructionOffset">Index of the program's first instruction within the section.</param>
/// <param name="Instructions">The program's instructions; relocations patch this array.</param>
/// <param name="Autoload">False: relocations of this program are skipped, as libbpf does for non-autoloaded programs.</param>
public sealed record CoReProgram(string Name, string SectionName, int SectionInstructionOffset, Instruction[] Instructions,
    bool Autoload = true)
{
    /// <summary>True if section instruction index <paramref name="sectionIndex"/> belongs to this program.</summary>
    public bool Contains(int sectionIndex) =>
        sectionIndex >= SectionInstructionOffset && sectionIndex < SectionInstructionOffset + Instructions.Length;
}

/// <summary>The CO-RE relocation records of one ELF section, in <c>.BTF.ext</c> order.</summary>
/// <param name="SectionName">The ELF section name from <c>.BTF.ext</c> (<c>sec_name_off</c>).</param>
/// <param name="Records">Records in file order; "relo #i" numbering restarts per section.</param>
public sealed record CoReRelocationSection(string SectionName, IReadOnlyList<CoReRelocationRecord> Records)
{
    /// <summary>The records of a <c>.BTF.ext</c> section as read from an object, without copying them.</summary>
    public static CoReRelocationSection From(BtfExtSection<CoReRelocationRecord> section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return new CoReRelocationSection(section.Name, new RecordView(section));
    }

    private sealed class RecordView(BtfExtSection<CoReRelocationRecord> section) : IReadOnlyList<CoReRelocationRecord>
    {
        public CoReRelocationRecord this[int index] => section[index];
        public int Count => section.Count;

        public IEnumerator<CoReRelocationRecord> GetEnumerator()
        {
            for (int i = 0; i < section.Count; i++) yield return section[i];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
