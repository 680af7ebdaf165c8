namespace BpfSharp.Objects;

public sealed partial class ObjectSpec
{
    private InstructionReference[] _references = [];

    /// <summary>Relocations of executable sections resolved to maps, data, functions and externs (section order, then file order).</summary>
    public IReadOnlyList<InstructionReference> References => _references;

    /// <summary>The references of one executable section.</summary>
    public IEnumerable<InstructionReference> GetReferences(int sectionIndex) => _references.Where(r => r.SectionIndex == sectionIndex);

    /// <summary>The references inside one program's instruction range.</summary>
    public IEnumerable<InstructionReference> GetReferences(ProgramSpec program) =>
        _references.Where(r => r.SectionIndex == program.Section.Index && program.Contains(r.InstructionIndex));

    private BpfFormatException RelocationError(ElfRelocationSection rs, int index, string detail) =>
        new(BpfFormatError.ElfBadRelocation, BpfFormat.Object, detail, rs.Section.Name,
            (long)index * (rs.Section.Type == ElfSectionType.RelocationsWithAddends ? RelaSize : RelSize), Path);

    private void ParseReferences()
    {
        var text = FindSection(".text");
        int textIndex = text is not null && text.IsExecutable ? text.Index : -1;
        var list = new List<InstructionReference>();
        foreach (var rs in _relocationSections)
        {
            var target = _sections[rs.TargetSectionIndex];
            if (!_instructions.TryGetValue(target.Index, out var insns)) continue;
            var entries = rs.Entries;
            for (int i = 0; i < entries.Length; i++)
            {
                var rel = entries[i];
                if (rel.Offset % 8 != 0 || rel.Offset >= (ulong)target.Data.Length)
                    throw RelocationError(rs, i, $"relo #{i}: invalid offset 0x{rel.Offset:x} in section '{target.Name}'");
                int insnIndex = (int)(rel.Offset / 8);
                // libbpf skips relocations in code no function covers (an overridden weak function).
                if (FindProgramAt(target.Index, insnIndex) is null) continue;
                var sym = _symbols[rel.SymbolIndex];
                string symName = sym.Type == ElfSymbolType.Section && sym.Name.Length == 0 && GetSection(sym.SectionIndex) is { } ss ? ss.Name : sym.Name;
                list.Add(ResolveReference(rs, i, target, insns, insnIndex, rel, sym, symName, textIndex));
            }
        }
        _references = [.. list];
    }

    private InstructionReference ResolveReference(ElfRelocationSection rs, int i, ElfSection target, Instructions.Instruction[] insns,
        int insnIndex, ElfRelocation rel, ElfSymbol sym, string symName, int textIndex)
    {
        var insn = insns[insnIndex];
        bool isExtern = sym.IsUndefined && sym.Binding is ElfSymbolBinding.Global or ElfSymbolBinding.Weak && sym.Type == ElfSymbolType.NoType;
        ExternSpec? ext = null;
        if (isExtern)
            foreach (var e in _externs) if (e.SymbolIndex == sym.Index) { ext = e; break; }

        if (insn.Opcode == 0x85) // BPF_JMP | BPF_CALL
        {
            if (insn.Source != 1) // BPF_PSEUDO_CALL
                throw RelocationError(rs, i, $"relo #{i}: incorrect bpf_call opcode at insn #{insnIndex}");
            if (ext is { IsFunction: true })
                return new InstructionReference(target.Index, insnIndex, InstructionReferenceKind.ExternCall, rel, sym, symName) { Extern = ext };
            if (sym.SectionIndex == 0 || sym.SectionIndex != textIndex)
                throw RelocationError(rs, i, $"relo #{i}: bad call relo against '{symName}' in section '{GetSection(sym.SectionIndex)?.Name}'");
            if (sym.Value % 8 != 0)
                throw RelocationError(rs, i, $"relo #{i}: bad call relo offset {sym.Value}");
            long targetInsn = (long)(sym.Value / 8) + insn.Immediate + 1;
            return new InstructionReference(target.Index, insnIndex, InstructionReferenceKind.Call, rel, sym, symName)
            {
                TargetInstructionIndex = (int)Math.Clamp(targetInsn, -1, int.MaxValue),
                TargetFunction = FindProgramAt(textIndex, (int)Math.Clamp(targetInsn, -1, int.MaxValue)),
            };
        }
        if (!insn.IsLoadImm64)
            throw RelocationError(rs, i, $"relo #{i}: invalid relo for insn #{insnIndex} code 0x{insn.Opcode:x2}");
        if (insnIndex + 1 >= insns.Length)
            throw RelocationError(rs, i, $"relo #{i}: ld_imm64 at insn #{insnIndex} lacks its second slot");
        if (isExtern)
        {
            if (ext is null)
                throw RelocationError(rs, i, $"relo #{i}: extern relo against '{symName}' without BTF");
            return new InstructionReference(target.Index, insnIndex,
                ext.Value.IsFunction ? InstructionReferenceKind.ExternCall : InstructionReferenceKind.ExternVariable, rel, sym, symName) { Extern = ext };
        }
        if (sym.SectionIndex == textIndex && textIndex >= 0 && sym.Type is ElfSymbolType.Func or ElfSymbolType.Section)
        {
            if (sym.Value % 8 != 0)
                throw RelocationError(rs, i, $"relo #{i}: bad subprog addr relo offset {sym.Value}");
            long targetInsn = ((long)sym.Value + insn.Immediate) / 8;
            return new InstructionReference(target.Index, insnIndex, InstructionReferenceKind.SubprogramAddress, rel, sym, symName)
            {
                TargetInstructionIndex = (int)Math.Clamp(targetInsn, -1, int.MaxValue),
                TargetFunction = FindProgramAt(textIndex, (int)Math.Clamp(targetInsn, -1, int.MaxValue)),
            };
        }
        var symSection = GetSection(sym.SectionIndex);
        if (symSection is not null && symSection.Name == MapsSection)
        {
            MapSpec? map = null;
            foreach (var m in _maps)
                if (m.SectionIndex == symSection.Index && (ulong)m.SectionOffset == sym.Value) { map = m; break; }
            if (map is null)
                throw RelocationError(rs, i, $"relo #{i}: map relo failed to find map for section offset {sym.Value} ('{symName}')");
            return new InstructionReference(target.Index, insnIndex, InstructionReferenceKind.Map, rel, sym, symName) { Map = map };
        }
        if (ArenaData is { } arena && sym.SectionIndex == arena.Section.Index)
        {
            // libbpf: a RELO_DATA against the arena map; the kernel turns map + offset into the arena address.
            long offset = (long)Math.Min(sym.Value, (ulong)long.MaxValue) + insn.Immediate;
            if (offset < 0 || (ulong)offset > arena.Size)
                throw RelocationError(rs, i, $"relo #{i}: arena data relo against '{symName}' at insn #{insnIndex}: offset {offset} is outside '{ArenaSection}' ({arena.Size} bytes)");
            return new InstructionReference(target.Index, insnIndex, InstructionReferenceKind.ArenaData, rel, sym, symName)
            {
                Map = arena.Map,
                DataOffset = offset,
            };
        }
        DataSectionSpec? data = null;
        foreach (var d in _dataSections) if (d.Section is not null && d.Section.Index == sym.SectionIndex) { data = d; break; }
        if (data is null)
            throw RelocationError(rs, i, $"relo #{i}: bad data relo against '{symName}' in section '{symSection?.Name}'");
        return new InstructionReference(target.Index, insnIndex, InstructionReferenceKind.GlobalData, rel, sym, symName)
        {
            Data = data,
            DataOffset = (long)sym.Value + insn.Immediate,
        };
    }
}
