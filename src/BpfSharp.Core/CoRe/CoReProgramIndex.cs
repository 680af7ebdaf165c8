namespace BpfSharp.CoRe;

/// <summary>
/// Finds the program holding a section instruction: per section, the programs sorted by start, searched by bisection.
/// The answer is the first program in list order that contains the instruction, as a linear scan would give; a
/// section whose programs overlap (never produced by a compiler) is scanned linearly to keep that rule.
/// </summary>
internal sealed class CoReProgramIndex
{
    private readonly IReadOnlyList<CoReProgram> _programs;
    private readonly Dictionary<string, SectionPrograms> _sections = new(StringComparer.Ordinal);

    public CoReProgramIndex(IReadOnlyList<CoReProgram> programs)
    {
        _programs = programs;
        var bySection = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int p = 0; p < programs.Count; p++)
        {
            var prog = programs[p];
            if (prog.Instructions.Length == 0) continue;
            if (!bySection.TryGetValue(prog.SectionName, out var list)) bySection[prog.SectionName] = list = [];
            list.Add(p);
        }
        foreach (var (name, list) in bySection)
        {
            // List order breaks ties, so equal starts keep the first program first.
            var sorted = list.ToArray();
            Array.Sort(sorted, (a, b) =>
            {
                int c = programs[a].SectionInstructionOffset.CompareTo(programs[b].SectionInstructionOffset);
                return c != 0 ? c : a.CompareTo(b);
            });
            bool overlap = false;
            for (int i = 1; i < sorted.Length && !overlap; i++)
            {
                var prev = programs[sorted[i - 1]];
                overlap = (long)prev.SectionInstructionOffset + prev.Instructions.Length > programs[sorted[i]].SectionInstructionOffset;
            }
            _sections[name] = new SectionPrograms(programs, overlap ? [.. list] : sorted, overlap);
        }
    }

    /// <summary>The programs of one ELF section (none if the section has no program).</summary>
    public SectionPrograms Section(string name) =>
        _sections.TryGetValue(name, out var s) ? s : new SectionPrograms(_programs, [], false);

    /// <summary>The programs of one section.</summary>
    internal readonly struct SectionPrograms(IReadOnlyList<CoReProgram> programs, int[] indices, bool linear)
    {
        /// <summary>Index (into the program list) of the program holding <paramref name="sectionInsn"/>, or -1.</summary>
        public int Find(int sectionInsn)
        {
            if (linear)
            {
                foreach (int p in indices) if (programs[p].Contains(sectionInsn)) return p;
                return -1;
            }
            int lo = 0, hi = indices.Length - 1, found = -1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >>> 1;
                if (programs[indices[mid]].SectionInstructionOffset <= sectionInsn) { found = mid; lo = mid + 1; }
                else hi = mid - 1;
            }
            return found >= 0 && programs[indices[found]].Contains(sectionInsn) ? indices[found] : -1;
        }
    }
}
