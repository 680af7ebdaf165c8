namespace BpfSharp.Instructions;

/// <summary>
/// One instruction of a slot sequence as <see cref="InstructionEnumerator"/> yields it: a ld_imm64 comes as one
/// entry covering both slots.
/// </summary>
public readonly struct InstructionEntry
{
    internal InstructionEntry(int slot, Instruction instruction, Instruction second, bool isWide)
    {
        Slot = slot;
        Instruction = instruction;
        SecondSlot = second;
        IsWide = isWide;
    }

    /// <summary>Index of the instruction's (first) slot.</summary>
    public int Slot { get; }
    /// <summary>The instruction (the first slot of a ld_imm64).</summary>
    public Instruction Instruction { get; }
    /// <summary>The second slot of a ld_imm64; default otherwise.</summary>
    public Instruction SecondSlot { get; }
    /// <summary>True for a ld_imm64 that has its second slot.</summary>
    public bool IsWide { get; }
    /// <summary>Number of slots: 2 for a ld_imm64 with its second slot, otherwise 1.</summary>
    public int SlotCount => IsWide ? 2 : 1;
    /// <summary>The 64-bit immediate of a ld_imm64, otherwise the sign-extended 32-bit immediate.</summary>
    public long Immediate64 => IsWide ? Instruction.CombineImmediate64(Instruction, SecondSlot) : Instruction.Immediate;
}

/// <summary>
/// Walks a slot sequence instruction by instruction (a ld_imm64 is one step of two slots) without allocating;
/// usable with <c>foreach</c>. A ld_imm64 first slot at the very end is yielded as a single slot; use
/// <see cref="InstructionDecoder.Validate"/> to reject it.
/// </summary>
public ref struct InstructionEnumerator
{
    private readonly ReadOnlySpan<Instruction> _slots;
    private int _next;

    /// <summary>Starts before the first slot of <paramref name="slots"/>.</summary>
    public InstructionEnumerator(ReadOnlySpan<Instruction> slots)
    {
        _slots = slots;
        _next = 0;
        Current = default;
    }

    /// <summary>The current instruction.</summary>
    public InstructionEntry Current { get; private set; }

    /// <summary>Moves to the next instruction.</summary>
    public bool MoveNext()
    {
        if (_next >= _slots.Length) return false;
        var first = _slots[_next];
        bool wide = first.IsLoadImm64 && _next + 1 < _slots.Length;
        Current = new InstructionEntry(_next, first, wide ? _slots[_next + 1] : default, wide);
        _next += wide ? 2 : 1;
        return true;
    }

    /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
    public readonly InstructionEnumerator GetEnumerator() => this;
}
