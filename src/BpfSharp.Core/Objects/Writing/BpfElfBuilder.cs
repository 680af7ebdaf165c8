using System.Buffers.Binary;
using System.Text;

namespace BpfSharp.Objects.Writing;

/// <summary>
/// Builds a BPF relocatable object (ELF64, <c>ET_REL</c>, <c>EM_BPF</c>) from scratch: sections, symbols and
/// relocations, laid out the way libbpf, bpftool and the LLVM tools expect.
/// </summary>
/// <remarks>
/// <para>Sections get indices 1, 2, … in the order they are added. The builder appends the generated sections after
/// them when writing: one <c>SHT_REL</c> section <c>".rel" + target name</c> per section that has relocations (in
/// target order), then <c>.symtab</c> and <c>.strtab</c> (one string table for section and symbol names, as LLVM
/// writes it).</para>
/// <para><see cref="AddSymbol"/> returns a symbol handle. The symbol table puts local symbols before the others, as
/// ELF requires; handles equal the final table indices when every local symbol (including section symbols from
/// <see cref="GetSectionSymbol"/>) is added before the first non-local one, and <see cref="GetSymbolTableIndex"/>
/// maps a handle to its index in any case. Relocations take handles.</para>
/// <para>The output depends only on the calls made (no timestamps, no hashing order), so equal inputs give equal
/// bytes.</para>
/// </remarks>
public sealed class BpfElfBuilder
{
    private const int ElfHeaderSize = 64;
    private const int SectionHeaderSize = 64;
    private const int SymbolSize = 24;
    private const int RelocationSize = 16;
    private const ushort ElfTypeRelocatable = 1;

    private sealed class Section(string name, ElfSectionType type, ElfSectionFlags flags, ReadOnlyMemory<byte> data, ulong size, uint alignment,
        ulong entrySize)
    {
        public readonly string Name = name;
        public readonly ElfSectionType Type = type;
        public readonly ElfSectionFlags Flags = flags;
        public ReadOnlyMemory<byte> Data = data;
        public ulong Size = size;
        public readonly uint Alignment = alignment;
        public readonly ulong EntrySize = entrySize;
        public int SectionSymbol;
        public List<(ulong Offset, int Symbol, BpfRelocationType Type)>? Relocations;
    }

    private readonly record struct Symbol(string Name, int SectionIndex, ulong Value, ulong Size, ElfSymbolType Type,
        ElfSymbolBinding Binding, ElfSymbolVisibility Visibility);

    private readonly List<Section> _sections = [];
    private readonly Dictionary<string, int> _sectionsByName = new(StringComparer.Ordinal);
    private readonly List<Symbol> _symbols = [default];
    private readonly HashSet<string> _globalNames = new(StringComparer.Ordinal);
    private (int[] Order, int[] Index, int FirstNonLocal)? _symbolOrder;   // cached until the next symbol is added

    /// <summary>Creates an empty object.</summary>
    /// <param name="bigEndian">Write a big-endian (<c>bpfeb</c>) object. Section contents are written as given, so
    /// instructions, BTF and data must already be in that byte order.</param>
    public BpfElfBuilder(bool bigEndian = false) => IsBigEndian = bigEndian;

    /// <summary>True if the object is big-endian.</summary>
    public bool IsBigEndian { get; }

    /// <summary>Number of sections added (not counting the null section and the generated ones).</summary>
    public int SectionCount => _sections.Count;

    /// <summary>Number of symbol handles handed out, including the null symbol (handle 0).</summary>
    public int SymbolCount => _symbols.Count;

    /// <summary>
    /// Adds a <c>SHT_PROGBITS</c> section: code (<see cref="ElfSectionFlags.Alloc"/> | <see cref="ElfSectionFlags.ExecInstr"/>),
    /// data (<see cref="ElfSectionFlags.Alloc"/>, plus <see cref="ElfSectionFlags.Write"/> unless read-only) or
    /// metadata such as <c>.BTF</c> (no flags).
    /// </summary>
    /// <param name="name">The section name, e.g. <c>xdp</c>, <c>.text</c>, <c>.maps</c>, <c>license</c>, <c>.BTF</c>.</param>
    /// <param name="flags">The section flags.</param>
    /// <param name="data">The contents (kept by reference until <see cref="ToArray"/>).</param>
    /// <param name="alignment">The alignment (a power of two; 8 for code and maps, 4 for <c>.BTF</c>).</param>
    /// <param name="entrySize"><c>sh_entsize</c>: the size of fixed-size entries, e.g. 1 for a merged string section
    /// such as <c>.rodata.str1.1</c> (<see cref="ElfSectionFlags.Merge"/> | <see cref="ElfSectionFlags.Strings"/>); else 0.</param>
    /// <returns>The section index.</returns>
    /// <exception cref="ArgumentException">The name is empty, reserved or already used, or the alignment is not a
    /// power of two, or code is not a whole number of instructions.</exception>
    public int AddSection(string name, ElfSectionFlags flags, ReadOnlyMemory<byte> data, uint alignment, ulong entrySize = 0) =>
        Add(name, ElfSectionType.ProgBits, flags, data, (ulong)data.Length, alignment, entrySize);

    /// <summary>Adds a <c>SHT_NOBITS</c> section (zero-initialised data such as <c>.bss</c>): it has a size and no file contents.</summary>
    /// <param name="name">The section name.</param>
    /// <param name="flags">The section flags (usually <see cref="ElfSectionFlags.Alloc"/> | <see cref="ElfSectionFlags.Write"/>).</param>
    /// <param name="size">The size in memory.</param>
    /// <param name="alignment">The alignment (a power of two).</param>
    /// <returns>The section index.</returns>
    /// <exception cref="ArgumentException">The name is empty, reserved or already used, or the alignment is not a power of two.</exception>
    public int AddNoBitsSection(string name, ElfSectionFlags flags, ulong size, uint alignment) =>
        Add(name, ElfSectionType.NoBits, flags, ReadOnlyMemory<byte>.Empty, size, alignment, 0);

    /// <summary>
    /// Adds a section of either kind: <paramref name="data"/> for <see cref="ElfSectionType.ProgBits"/>,
    /// <paramref name="size"/> for <see cref="ElfSectionType.NoBits"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The type is neither, or see <see cref="AddSection(string, ElfSectionFlags, ReadOnlyMemory{byte}, uint, ulong)"/>.</exception>
    public int AddSection(string name, ElfSectionType type, ElfSectionFlags flags, ReadOnlyMemory<byte> data, ulong size, uint alignment) => type switch
    {
        ElfSectionType.ProgBits => Add(name, type, flags, data, (ulong)data.Length, alignment, 0),
        ElfSectionType.NoBits => Add(name, type, flags, ReadOnlyMemory<byte>.Empty, size, alignment, 0),
        _ => throw new ArgumentException($"section '{name}': type {type} cannot be added; only ProgBits and NoBits", nameof(type)),
    };

    /// <summary>
    /// Replaces the contents of a <c>SHT_PROGBITS</c> section, for contents known only later (e.g. <c>.BTF</c> after
    /// every string was added). Symbols and relocations already added must still fit.
    /// </summary>
    /// <exception cref="ArgumentException">The section does not exist, is <c>SHT_NOBITS</c>, or the new size cuts off a
    /// symbol or relocation.</exception>
    public void SetSectionData(int sectionIndex, ReadOnlyMemory<byte> data)
    {
        var s = GetSection(sectionIndex, nameof(sectionIndex));
        if (s.Type == ElfSectionType.NoBits)
            throw new ArgumentException($"section '{s.Name}' is SHT_NOBITS and has no contents", nameof(sectionIndex));
        CheckCodeSize(s.Name, s.Flags, (ulong)data.Length);
        ulong needed = RequiredSize(sectionIndex);
        if ((ulong)data.Length < needed)
            throw new ArgumentException(
                $"section '{s.Name}': new contents of {data.Length} bytes are shorter than its symbols and relocations need ({needed} bytes)", nameof(data));
        s.Data = data;
        s.Size = (ulong)data.Length;
    }

    /// <summary>The index of the section named <paramref name="name"/>, or -1.</summary>
    public int FindSection(string name) => _sectionsByName.TryGetValue(name, out int i) ? i : -1;

    /// <summary>The name of a section added earlier.</summary>
    /// <exception cref="ArgumentException">No such section.</exception>
    public string GetSectionName(int sectionIndex) => GetSection(sectionIndex, nameof(sectionIndex)).Name;

    /// <summary>
    /// Adds a symbol.
    /// </summary>
    /// <param name="name">The name (may be empty for local symbols).</param>
    /// <param name="sectionIndex">The defining section, <see cref="ElfSymbol.UndefinedSection"/> for an extern or
    /// <see cref="ElfSymbol.AbsoluteSection"/>.</param>
    /// <param name="value">Byte offset in the section.</param>
    /// <param name="size">Size in bytes (for programs: instructions × 8).</param>
    /// <param name="type">The symbol type (<see cref="ElfSymbolType.Section"/> symbols come from <see cref="GetSectionSymbol"/>).</param>
    /// <param name="binding">The binding.</param>
    /// <param name="visibility">The visibility (<see cref="ElfSymbolVisibility.Hidden"/> makes a global static for libbpf).</param>
    /// <returns>The symbol handle, for <see cref="AddRelocation"/>.</returns>
    /// <exception cref="ArgumentException">The section does not exist, the symbol does not fit in it, a non-local name is
    /// used twice, or the type or binding is not one a BPF object uses.</exception>
    public int AddSymbol(string name, int sectionIndex, ulong value, ulong size, ElfSymbolType type, ElfSymbolBinding binding,
        ElfSymbolVisibility visibility = ElfSymbolVisibility.Default)
    {
        ArgumentNullException.ThrowIfNull(name);
        CheckName(name, "symbol", nameof(name), allowEmpty: true);
        if (type is not (ElfSymbolType.NoType or ElfSymbolType.Object or ElfSymbolType.Func))
            throw new ArgumentException($"symbol '{name}': type {type} cannot be added (section symbols come from GetSectionSymbol)", nameof(type));
        if (binding is not (ElfSymbolBinding.Local or ElfSymbolBinding.Global or ElfSymbolBinding.Weak))
            throw new ArgumentException($"symbol '{name}': binding {binding} is not local, global or weak", nameof(binding));
        if (!Enum.IsDefined(visibility))
            throw new ArgumentException($"symbol '{name}': visibility {visibility} is not defined", nameof(visibility));
        if (binding != ElfSymbolBinding.Local && name.Length == 0)
            throw new ArgumentException("a global or weak symbol needs a name", nameof(name));
        if (sectionIndex == ElfSymbol.UndefinedSection)
        {
            if (binding == ElfSymbolBinding.Local)
                throw new ArgumentException($"symbol '{name}': an undefined (extern) symbol cannot be local", nameof(binding));
        }
        else if (sectionIndex != ElfSymbol.AbsoluteSection)
        {
            if ((uint)(sectionIndex - 1) >= (uint)_sections.Count)
                throw new ArgumentException(
                    $"symbol '{name}': section {sectionIndex} does not exist (sections are 1..{_sections.Count}, 0 for undefined)", nameof(sectionIndex));
            var s = _sections[sectionIndex - 1];
            if (value > s.Size || size > s.Size - value)
                throw new ArgumentException(
                    $"symbol '{name}' at {value} with size {size} does not fit in section '{s.Name}' of {s.Size} bytes", nameof(value));
        }
        if (binding != ElfSymbolBinding.Local && !_globalNames.Add(name))
            throw new ArgumentException($"symbol '{name}' is already defined as a global or weak symbol", nameof(name));
        _symbols.Add(new Symbol(name, sectionIndex, value, size, type, binding, visibility));
        _symbolOrder = null;
        return _symbols.Count - 1;
    }

    /// <summary>
    /// The <c>STT_SECTION</c> symbol of a section (local, value 0), created the first time it is asked for; relocations
    /// against static functions and data usually use it (the addend is then in the instruction or data).
    /// </summary>
    /// <exception cref="ArgumentException">No such section.</exception>
    public int GetSectionSymbol(int sectionIndex)
    {
        var s = GetSection(sectionIndex, nameof(sectionIndex));
        if (s.SectionSymbol == 0)
        {
            _symbols.Add(new Symbol("", sectionIndex, 0, 0, ElfSymbolType.Section, ElfSymbolBinding.Local, ElfSymbolVisibility.Default));
            _symbolOrder = null;
            s.SectionSymbol = _symbols.Count - 1;
        }
        return s.SectionSymbol;
    }

    /// <summary>The index <paramref name="symbolHandle"/> will have in the written <c>.symtab</c> (locals first).</summary>
    /// <exception cref="ArgumentException">No such symbol.</exception>
    public int GetSymbolTableIndex(int symbolHandle)
    {
        CheckSymbol(symbolHandle, nameof(symbolHandle));
        return SymbolOrder().Index[symbolHandle];
    }

    /// <summary>
    /// Adds a relocation to <paramref name="targetSectionIndex"/>; it goes into the section's <c>.rel</c> section in the
    /// order added.
    /// </summary>
    /// <param name="targetSectionIndex">The section whose bytes are relocated.</param>
    /// <param name="offset"><c>r_offset</c>: for instructions, the byte offset of the instruction (of the first slot of
    /// a <c>ld_imm64</c>).</param>
    /// <param name="symbolHandle">The symbol, from <see cref="AddSymbol"/> or <see cref="GetSectionSymbol"/>.</param>
    /// <param name="type">The relocation type.</param>
    /// <exception cref="ArgumentException">The section or symbol does not exist, the section is <c>SHT_NOBITS</c>, the
    /// relocated bytes are not inside the section, or an instruction relocation is not at an instruction boundary.</exception>
    public void AddRelocation(int targetSectionIndex, ulong offset, int symbolHandle, BpfRelocationType type)
    {
        var s = GetSection(targetSectionIndex, nameof(targetSectionIndex));
        CheckSymbol(symbolHandle, nameof(symbolHandle));
        if (symbolHandle == 0)
            throw new ArgumentException($"relocation in '{s.Name}' at {offset}: symbol 0 is the null symbol", nameof(symbolHandle));
        if (s.Type == ElfSectionType.NoBits)
            throw new ArgumentException($"relocation in '{s.Name}': the section is SHT_NOBITS and has no bytes to relocate", nameof(targetSectionIndex));
        ulong width = type switch
        {
            BpfRelocationType.Bpf64_64 => 16,   // both slots of a ld_imm64
            BpfRelocationType.Bpf64_32 => 8,
            BpfRelocationType.Bpf64Abs64 => 8,
            BpfRelocationType.Bpf64Abs32 or BpfRelocationType.Bpf64NoDyld32 => 4,
            _ => throw new ArgumentException($"relocation in '{s.Name}' at {offset}: type {type} is not a BPF relocation type", nameof(type)),
        };
        if (offset > s.Size || width > s.Size - offset)
            throw new ArgumentException(
                $"relocation in '{s.Name}' at offset {offset} ({type}, {width} bytes) is outside the section ({s.Size} bytes)", nameof(offset));
        if ((s.Flags & ElfSectionFlags.ExecInstr) != 0 && (offset & 7) != 0)
            throw new ArgumentException(
                $"relocation in code section '{s.Name}' at offset {offset} is not at an instruction boundary (multiple of 8)", nameof(offset));
        (s.Relocations ??= []).Add((offset, symbolHandle, type));
    }

    /// <summary>Writes the object.</summary>
    /// <exception cref="InvalidOperationException">The object would need ELF extended section numbering (0xff00 or more
    /// sections counting the generated ones), which BPF tools do not expect.</exception>
    public byte[] ToArray()
    {
        bool be = IsBigEndian;
        var (order, index, firstNonLocal) = SymbolOrder();

        // One string table for section and symbol names; offset 0 is the empty string.
        var strings = new StringTableWriter();
        var relocated = new List<int>();
        for (int i = 0; i < _sections.Count; i++)
            if (_sections[i].Relocations is { Count: > 0 }) relocated.Add(i + 1);
        int relFirst = _sections.Count + 1;
        int symtabIndex = relFirst + relocated.Count, strtabIndex = symtabIndex + 1, sectionCount = strtabIndex + 1;
        if (sectionCount >= 0xff00)
            throw new InvalidOperationException($"{sectionCount} sections (with the generated ones) need extended section numbering, which is not supported");

        var headers = new HeaderFields[sectionCount];
        for (int i = 0; i < _sections.Count; i++)
        {
            var s = _sections[i];
            headers[i + 1] = new HeaderFields(strings.Add(s.Name), s.Type, s.Flags, 0, 0, s.Alignment, s.EntrySize, s.Size);
        }
        for (int r = 0; r < relocated.Count; r++)
        {
            int target = relocated[r];
            var s = _sections[target - 1];
            headers[relFirst + r] = new HeaderFields(strings.Add(".rel" + s.Name), ElfSectionType.Relocations,
                ElfSectionFlags.InfoLink, (uint)symtabIndex, (uint)target, 8, RelocationSize, (ulong)s.Relocations!.Count * RelocationSize);
        }
        headers[symtabIndex] = new HeaderFields(strings.Add(".symtab"), ElfSectionType.SymbolTable, ElfSectionFlags.None,
            (uint)strtabIndex, (uint)firstNonLocal, 8, SymbolSize, (ulong)order.Length * SymbolSize);
        var symbolNames = new uint[order.Length];
        for (int i = 1; i < order.Length; i++) symbolNames[i] = strings.Add(_symbols[order[i]].Name);
        uint strtabName = strings.Add(".strtab");
        headers[strtabIndex] = new HeaderFields(strtabName, ElfSectionType.StringTable, ElfSectionFlags.None, 0, 0, 1, 0, (ulong)strings.Length);

        // File layout: header, sections in index order (each at its alignment; NOBITS take no room), section headers.
        ulong position = ElfHeaderSize;
        for (int i = 1; i < sectionCount; i++)
        {
            ref var h = ref headers[i];
            ulong align = Math.Max(1u, h.Alignment);
            position = (position + align - 1) & ~(align - 1);
            h.Offset = position;
            if (h.Type != ElfSectionType.NoBits) position += h.Size;
        }
        position = (position + 7) & ~7ul;
        ulong shoff = position;
        ulong total = shoff + (ulong)sectionCount * SectionHeaderSize;
        if (total > (ulong)Array.MaxLength) throw new InvalidOperationException($"object of {total} bytes is too large");
        var output = new byte[total];
        var o = output.AsSpan();

        for (int i = 0; i < _sections.Count; i++)
            if (_sections[i].Type != ElfSectionType.NoBits)
                _sections[i].Data.Span.CopyTo(o[(int)headers[i + 1].Offset..]);
        for (int r = 0; r < relocated.Count; r++)
        {
            var at = o[(int)headers[relFirst + r].Offset..];
            foreach (var (offset, symbol, type) in _sections[relocated[r] - 1].Relocations!)
            {
                U64(at, offset, be);
                U64(at[8..], ((ulong)(uint)index[symbol] << 32) | (uint)type, be);
                at = at[RelocationSize..];
            }
        }
        var sym = o[(int)headers[symtabIndex].Offset..];
        for (int i = 1; i < order.Length; i++)
        {
            var s = _symbols[order[i]];
            var e = sym.Slice(i * SymbolSize, SymbolSize);
            U32(e, symbolNames[i], be);
            e[4] = (byte)(((int)s.Binding << 4) | (int)s.Type);
            e[5] = (byte)s.Visibility;
            U16(e[6..], (ushort)s.SectionIndex, be);
            U64(e[8..], s.Value, be);
            U64(e[16..], s.Size, be);
        }
        strings.CopyTo(o[(int)headers[strtabIndex].Offset..]);

        WriteElfHeader(o, shoff, (ushort)sectionCount, (ushort)strtabIndex, be);
        for (int i = 1; i < sectionCount; i++)
        {
            var h = headers[i];
            var e = o.Slice((int)shoff + i * SectionHeaderSize, SectionHeaderSize);
            U32(e, h.Name, be);
            U32(e[4..], (uint)h.Type, be);
            U64(e[8..], (ulong)h.Flags, be);
            U64(e[24..], h.Offset, be);
            U64(e[32..], h.Size, be);
            U32(e[40..], h.Link, be);
            U32(e[44..], h.Info, be);
            U64(e[48..], h.Alignment, be);
            U64(e[56..], h.EntrySize, be);
        }
        return output;
    }

    /// <summary>Writes the object to a file.</summary>
    public void Save(string path) => File.WriteAllBytes(path, ToArray());

    private struct HeaderFields(uint name, ElfSectionType type, ElfSectionFlags flags, uint link, uint info, ulong alignment, ulong entrySize, ulong size)
    {
        public readonly uint Name = name;
        public readonly ElfSectionType Type = type;
        public readonly ElfSectionFlags Flags = flags;
        public readonly uint Link = link;
        public readonly uint Info = info;
        public readonly ulong Alignment = alignment;
        public readonly ulong EntrySize = entrySize;
        public readonly ulong Size = size;
        public ulong Offset;
    }

    private int Add(string name, ElfSectionType type, ElfSectionFlags flags, ReadOnlyMemory<byte> data, ulong size, uint alignment, ulong entrySize)
    {
        ArgumentNullException.ThrowIfNull(name);
        CheckName(name, "section", nameof(name), allowEmpty: false);
        if (name is ".symtab" or ".strtab" or ".shstrtab" || name.StartsWith(".rel", StringComparison.Ordinal))
            throw new ArgumentException($"section name '{name}' is reserved: the builder writes .symtab, .strtab and the .rel* sections itself", nameof(name));
        if (_sectionsByName.ContainsKey(name))
            throw new ArgumentException($"a section named '{name}' already exists (index {_sectionsByName[name]})", nameof(name));
        if (alignment == 0 || (alignment & (alignment - 1)) != 0)
            throw new ArgumentException($"section '{name}': alignment {alignment} is not a power of two", nameof(alignment));
        if ((flags & ~(ElfSectionFlags.Write | ElfSectionFlags.Alloc | ElfSectionFlags.ExecInstr | ElfSectionFlags.Merge |
                       ElfSectionFlags.Strings | ElfSectionFlags.Exclude)) != 0)
            throw new ArgumentException($"section '{name}': flags {flags} include flags a BPF section does not use", nameof(flags));
        if (type == ElfSectionType.NoBits && (flags & ElfSectionFlags.ExecInstr) != 0)
            throw new ArgumentException($"section '{name}': SHT_NOBITS cannot hold code", nameof(flags));
        CheckCodeSize(name, flags, size);
        if (entrySize != 0 && size % entrySize != 0)
            throw new ArgumentException($"section '{name}': size {size} is not a multiple of the entry size {entrySize}", nameof(entrySize));
        _sections.Add(new Section(name, type, flags, data, size, alignment, entrySize));
        _sectionsByName.Add(name, _sections.Count);
        return _sections.Count;
    }

    private static void CheckCodeSize(string name, ElfSectionFlags flags, ulong size)
    {
        if ((flags & ElfSectionFlags.ExecInstr) != 0 && (size & 7) != 0)
            throw new ArgumentException($"code section '{name}' is {size} bytes, not a whole number of 8-byte instructions", nameof(flags));
    }

    private static void CheckName(string name, string what, string parameter, bool allowEmpty)
    {
        if (name.Length == 0 && !allowEmpty) throw new ArgumentException($"a {what} needs a name", parameter);
        if (name.Contains('\0')) throw new ArgumentException($"{what} name '{name.Replace("\0", "\\0")}' contains a NUL character", parameter);
    }

    private Section GetSection(int sectionIndex, string parameter)
    {
        if ((uint)(sectionIndex - 1) >= (uint)_sections.Count)
            throw new ArgumentException($"section {sectionIndex} does not exist (sections are 1..{_sections.Count})", parameter);
        return _sections[sectionIndex - 1];
    }

    private void CheckSymbol(int handle, string parameter)
    {
        if ((uint)handle >= (uint)_symbols.Count)
            throw new ArgumentException($"symbol {handle} does not exist (symbols are 0..{_symbols.Count - 1})", parameter);
    }

    private ulong RequiredSize(int sectionIndex)
    {
        ulong needed = 0;
        foreach (var s in _symbols)
            if (s.SectionIndex == sectionIndex) needed = Math.Max(needed, s.Value + s.Size);
        var relocations = _sections[sectionIndex - 1].Relocations;
        if (relocations is not null)
            foreach (var (offset, _, type) in relocations)
                needed = Math.Max(needed, offset + type switch
                {
                    BpfRelocationType.Bpf64_64 => 16ul,
                    BpfRelocationType.Bpf64Abs32 or BpfRelocationType.Bpf64NoDyld32 => 4ul,
                    _ => 8ul,
                });
        return needed;
    }

    // Handle → final index: the null symbol, then locals, then globals and weaks, each in the order added.
    private (int[] Order, int[] Index, int FirstNonLocal) SymbolOrder() => _symbolOrder ??= ComputeSymbolOrder();

    private (int[] Order, int[] Index, int FirstNonLocal) ComputeSymbolOrder()
    {
        var order = new int[_symbols.Count];
        var index = new int[_symbols.Count];
        int n = 1, firstNonLocal = 1;
        for (int pass = 0; pass < 2; pass++)
        {
            for (int h = 1; h < _symbols.Count; h++)
            {
                bool local = _symbols[h].Binding == ElfSymbolBinding.Local;
                if (local != (pass == 0)) continue;
                order[n] = h;
                index[h] = n++;
            }
            if (pass == 0) firstNonLocal = n;
        }
        return (order, index, firstNonLocal);
    }

    private void WriteElfHeader(Span<byte> o, ulong shoff, ushort sectionCount, ushort stringTableIndex, bool be)
    {
        o[0] = 0x7f; o[1] = (byte)'E'; o[2] = (byte)'L'; o[3] = (byte)'F';
        o[4] = 2;                       // ELFCLASS64
        o[5] = (byte)(be ? 2 : 1);      // ELFDATA2MSB / ELFDATA2LSB
        o[6] = 1;                       // EV_CURRENT
        U16(o[16..], ElfTypeRelocatable, be);
        U16(o[18..], ObjectSpec.MachineBpf, be);
        U32(o[20..], 1, be);
        U64(o[40..], shoff, be);
        U16(o[52..], ElfHeaderSize, be);
        U16(o[58..], SectionHeaderSize, be);
        U16(o[60..], sectionCount, be);
        U16(o[62..], stringTableIndex, be);
    }

    private static void U16(Span<byte> s, ushort v, bool be)
    {
        if (be) BinaryPrimitives.WriteUInt16BigEndian(s, v); else BinaryPrimitives.WriteUInt16LittleEndian(s, v);
    }

    private static void U32(Span<byte> s, uint v, bool be)
    {
        if (be) BinaryPrimitives.WriteUInt32BigEndian(s, v); else BinaryPrimitives.WriteUInt32LittleEndian(s, v);
    }

    private static void U64(Span<byte> s, ulong v, bool be)
    {
        if (be) BinaryPrimitives.WriteUInt64BigEndian(s, v); else BinaryPrimitives.WriteUInt64LittleEndian(s, v);
    }

    // NUL-terminated names, deduplicated, offset 0 = "".
    private sealed class StringTableWriter
    {
        private readonly Dictionary<string, uint> _offsets = new(StringComparer.Ordinal) { [""] = 0 };
        private byte[] _bytes = new byte[256];

        public int Length { get; private set; } = 1;

        public uint Add(string s)
        {
            if (_offsets.TryGetValue(s, out uint off)) return off;
            int n = Encoding.UTF8.GetByteCount(s);
            if (Length + n + 1 > _bytes.Length) Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + n + 1));
            off = (uint)Length;
            Encoding.UTF8.GetBytes(s, _bytes.AsSpan(Length));
            Length += n + 1;
            _offsets.Add(s, off);
            return off;
        }

        public void CopyTo(Span<byte> destination) => _bytes.AsSpan(0, Length).CopyTo(destination);
    }
}
