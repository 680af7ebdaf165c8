namespace BpfSharp.Instructions;

/// <summary>
/// Prints a code section the way <c>llvm-objdump-19 -d --no-show-raw-insn</c> does: a
/// <c>0000000000000000 &lt;name&gt;:</c> header per symbol, then one line per instruction with its slot index
/// right-aligned in 8 columns, jump targets as <c>&lt;symbol+0xoff&gt;</c>, runs of 8 or more zero bytes as
/// <c>...</c>, and undecodable bytes as <c>&lt;unknown&gt;</c>.
/// </summary>
/// <remarks>
/// <para>The symbols to pass are the ones llvm-objdump shows for the section: the section's symbols from
/// <c>.symtab</c> except <c>STT_SECTION</c>, <c>STT_FILE</c> and data objects (<c>STT_OBJECT</c>, which
/// llvm-objdump dumps as bytes instead). When no symbol sits at offset 0, the section name stands in for one,
/// as in llvm-objdump. Of several symbols at one offset, the one whose name sorts last (ordinal) is shown.</para>
/// <para>The file line (<c>x.o:\tfile format elf64-bpf</c>) and <see cref="WriteSectionHeader"/> complete the
/// output for a whole object.</para>
/// </remarks>
public static class Disassembler
{
    /// <summary>
    /// Writes the disassembly of one code section: for each symbol, a blank line, the header, and its instructions.
    /// </summary>
    /// <param name="writer">Receives the text (lines end in <c>\n</c>).</param>
    /// <param name="sectionBytes">The section contents, in the object's byte order.</param>
    /// <param name="bigEndian">True for <c>bpfeb</c> objects.</param>
    /// <param name="sectionName">The section name: the label of the code before the first symbol.</param>
    /// <param name="symbols">The section's symbols (any order), or null.</param>
    /// <param name="showRawInstructions">Also print the instruction bytes, like <c>llvm-objdump -d</c> without <c>--no-show-raw-insn</c>.</param>
    public static void Write(TextWriter writer, ReadOnlySpan<byte> sectionBytes, bool bigEndian, string sectionName,
        IEnumerable<DisassemblySymbol>? symbols = null, bool showRawInstructions = false)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(sectionName);
        var sorted = SortSymbols(symbols, sectionName);
        Span<char> line = stackalloc char[InstructionFormatter.MaxLength + 80];

        for (int s = 0; s < sorted.Length; )
        {
            // All symbols at one offset share one region; the last by name names it.
            long start = sorted[s].ByteOffset;
            int last = s;
            while (last + 1 < sorted.Length && sorted[last + 1].ByteOffset == start) last++;
            long end = last + 1 < sorted.Length ? sorted[last + 1].ByteOffset : sectionBytes.Length;
            s = last + 1;
            // Symbols at or past the end label nothing (they still name jump targets).
            if (start >= sectionBytes.Length) continue;
            WriteHeader(writer, start, sorted[last].Name);
            end = Math.Min(end, sectionBytes.Length);

            for (long index = start; index < end; )
            {
                int zeros = CountSkippableZeroBytes(sectionBytes[(int)index..(int)end]);
                if (zeros > 0)
                {
                    writer.Write("\t\t...\n");
                    index += zeros;
                    continue;
                }
                int length = FormatLine(line, sectionBytes, (int)index, bigEndian, showRawInstructions, out int size, out bool hasTarget, out ulong target);
                writer.Write(line[..length]);
                if (hasTarget) WriteTarget(writer, target, sorted);
                writer.Write('\n');
                index += size;
            }
        }
    }

    /// <summary>
    /// Writes the disassembly of decoded slots, with labels given per slot index (see the byte overload).
    /// </summary>
    /// <param name="writer">Receives the text.</param>
    /// <param name="instructions">The section's slots.</param>
    /// <param name="sectionName">The section name (label of the code before the first labelled slot).</param>
    /// <param name="labelAt">The symbol name at a slot index, or null for none.</param>
    /// <param name="showRawInstructions">Also print the instruction bytes (little-endian).</param>
    public static void Write(TextWriter writer, ReadOnlySpan<Instruction> instructions, string sectionName,
        Func<int, string?>? labelAt = null, bool showRawInstructions = false)
    {
        List<DisassemblySymbol>? symbols = null;
        if (labelAt is not null)
        {
            symbols = [];
            for (int i = 0; i < instructions.Length; i++)
                if (labelAt(i) is { } name) symbols.Add(DisassemblySymbol.AtSlot(i, name));
        }
        Write(writer, InstructionEncoder.AsBytes(instructions), bigEndian: false, sectionName, symbols, showRawInstructions);
    }

    /// <summary>The disassembly of one code section as a string (see <see cref="Write(TextWriter, ReadOnlySpan{byte}, bool, string, IEnumerable{DisassemblySymbol}?, bool)"/>).</summary>
    public static string ToText(ReadOnlySpan<byte> sectionBytes, bool bigEndian, string sectionName,
        IEnumerable<DisassemblySymbol>? symbols = null, bool showRawInstructions = false)
    {
        var writer = new StringWriter { NewLine = "\n" };
        Write(writer, sectionBytes, bigEndian, sectionName, symbols, showRawInstructions);
        return writer.ToString();
    }

    /// <summary>
    /// Writes one code section as llvm-objdump does for each <c>SHF_EXECINSTR</c> section: the banner
    /// (<see cref="WriteSectionHeader"/>) and the disassembly (<see cref="Write(TextWriter, ReadOnlySpan{byte}, bool, string, IEnumerable{DisassemblySymbol}?, bool)"/>).
    /// Empty sections print nothing at all, like llvm-objdump.
    /// </summary>
    public static void WriteSection(TextWriter writer, ReadOnlySpan<byte> sectionBytes, bool bigEndian, string sectionName,
        IEnumerable<DisassemblySymbol>? symbols = null, bool showRawInstructions = false)
    {
        if (sectionBytes.IsEmpty) return;
        WriteSectionHeader(writer, sectionName);
        Write(writer, sectionBytes, bigEndian, sectionName, symbols, showRawInstructions);
    }

    /// <summary>Writes llvm-objdump's section banner: a blank line and <c>Disassembly of section NAME:</c>.</summary>
    public static void WriteSectionHeader(TextWriter writer, string sectionName)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write("\nDisassembly of section ");
        writer.Write(sectionName);
        writer.Write(":\n");
    }

    /// <summary>Writes llvm-objdump's file banner: a blank line and <c>NAME:\tfile format elf64-bpf</c>.</summary>
    public static void WriteFileHeader(TextWriter writer, string fileName)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write('\n');
        writer.Write(fileName);
        writer.Write(":\tfile format elf64-bpf\n");
    }

    private static void WriteHeader(TextWriter writer, long offset, string name)
    {
        Span<char> hex = stackalloc char[16];
        ((ulong)offset).TryFormat(hex, out _, "x16", System.Globalization.CultureInfo.InvariantCulture);
        writer.Write('\n');
        writer.Write(hex);
        writer.Write(" <");
        writer.Write(name);
        writer.Write(">:\n");
    }

    private static DisassemblySymbol[] SortSymbols(IEnumerable<DisassemblySymbol>? symbols, string sectionName)
    {
        var list = symbols is null ? new List<DisassemblySymbol>() : new List<DisassemblySymbol>(symbols);
        list.RemoveAll(s => s.ByteOffset < 0);
        list.Sort(static (a, b) =>
        {
            int c = a.ByteOffset.CompareTo(b.ByteOffset);
            return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
        });
        if (list.Count == 0 || list[0].ByteOffset != 0) list.Insert(0, new DisassemblySymbol(0, sectionName));
        return [.. list];
    }

    // llvm-objdump skips runs of at least 8 zero bytes, in multiples of 4.
    private static int CountSkippableZeroBytes(ReadOnlySpan<byte> bytes)
    {
        int n = bytes.IndexOfAnyExcept((byte)0);
        if (n < 0) n = bytes.Length;
        return n < 8 ? 0 : n & ~3;
    }

    // One line without its jump target and newline; the target address comes back separately.
    private static int FormatLine(Span<char> line, ReadOnlySpan<byte> section, int index, bool bigEndian,
        bool raw, out int size, out bool hasTarget, out ulong target)
    {
        hasTarget = false;
        target = 0;
        var w = new CharWriter(line);
        w.AppendDecimalPadded(index / Instruction.Size, 8);
        w.Append(':');

        ReadOnlySpan<byte> rest = section[index..];
        Span<Instruction> slots = stackalloc Instruction[2];
        int available = 0;
        if (rest.Length >= 8) slots[available++] = InstructionDecoder.ReadSlot(rest, bigEndian);
        if (rest.Length >= 16) slots[available++] = InstructionDecoder.ReadSlot(rest[8..], bigEndian);

        Span<char> text = stackalloc char[InstructionFormatter.MaxLength];
        int textLength = 0;
        bool decoded = false;
        size = 1; // what llvm-objdump skips when the bytes run out mid-instruction
        if (available > 0)
        {
            var first = slots[0];
            bool truncatedLdImm64 = available < 2 && first.IsLoadImm64 && InstructionFormatter.IsDecodableByLlvm([first, default]);
            if (!truncatedLdImm64)
            {
                InstructionFormatter.TryFormat(slots[..available], text, out textLength, out int consumed);
                decoded = text[..textLength] is not InstructionFormatter.Unknown;
                size = consumed * Instruction.Size;
            }
        }

        if (raw)
        {
            w.Append('\t');
            for (int i = 0; i < size; i++)
            {
                if (i > 0) w.Append(' ');
                byte b = section[index + i];
                w.Append(HexDigit(b >> 4));
                w.Append(HexDigit(b & 0xf));
            }
        }
        w.Append('\t');
        if (!decoded)
        {
            w.Append(InstructionFormatter.Unknown);
        }
        else
        {
            w.Append(text[..textLength]);
            if (InstructionFormatter.IsLlvmBranch(slots[0]))
            {
                long displacement = slots[0].IsLongJump ? slots[0].Immediate : slots[0].Offset;
                target = unchecked((ulong)index + Instruction.Size + (ulong)(displacement * Instruction.Size));
                hasTarget = true;
            }
        }
        return w.Length;
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);

    private static void WriteTarget(TextWriter writer, ulong target, DisassemblySymbol[] symbols)
    {
        // The last symbol at or before the target, comparing as unsigned like llvm-objdump (symbols are sorted).
        int lo = 0, hi = symbols.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if ((ulong)symbols[mid].ByteOffset <= target) lo = mid + 1;
            else hi = mid;
        }
        if (lo == 0) return;
        var symbol = symbols[lo - 1];
        writer.Write(" <");
        writer.Write(symbol.Name);
        ulong delta = unchecked(target - (ulong)symbol.ByteOffset);
        if (delta != 0)
        {
            Span<char> hex = stackalloc char[16];
            delta.TryFormat(hex, out int digits, "x", System.Globalization.CultureInfo.InvariantCulture);
            writer.Write("+0x");
            writer.Write(hex[..digits]);
        }
        writer.Write('>');
    }
}
