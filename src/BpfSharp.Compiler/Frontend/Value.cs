using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Frontend;

/// <summary>What an IL evaluation-stack entry is, as far as the compiler knows at compile time.</summary>
internal enum ValueKind
{
    /// <summary>An integer constant (not yet in a register).</summary>
    Constant,
    /// <summary>A virtual register.</summary>
    Register,
    /// <summary>The address of a frame slot plus an offset (r10-relative once laid out).</summary>
    Frame,
    /// <summary>A register plus a constant offset, folded into loads and stores.</summary>
    RegisterOffset,
    /// <summary>A map (its address is an ld_imm64 with a relocation).</summary>
    Map,
    /// <summary>The address of a global variable plus an offset.</summary>
    Global,
    /// <summary>A string literal (printk formats only).</summary>
    String,
    /// <summary>A comparison not yet materialised (fused into the branch that tests it).</summary>
    Compare,
    /// <summary>A struct value: the memory it lives in (copied when stored).</summary>
    Struct,
    /// <summary>A field (chain) of a [Relocatable] type behind a pointer: base register + CO-RE access string.</summary>
    CoRe,
    /// <summary>sizeof of a [Relocatable] type: only usable to scale a pointer (p + n).</summary>
    RelocatableSize,
    /// <summary>The address of a subprogram in .text (a callback: <c>&amp;Method</c>); Symbol = subprogram index.</summary>
    Function,
}

/// <summary>An IL stack entry. Wide: 64-bit (int64, native int, pointers). Zext: a 32-bit value whose upper half
/// is known to be zero (results of ALU32 ops and narrow loads).</summary>
internal sealed class Value
{
    public ValueKind Kind;
    public bool Wide;
    public bool Zext;
    public long Constant;
    public int Register = -1;
    public int Slot = -1;
    public int Offset;
    public int Symbol = -1;
    public string? Text;
    public JumpOperation Condition;
    public bool Compare32;
    public Value? Left;
    public Value? Right;
    public Value? Address;
    public CType? StructType;

    // CO-RE chains: root type in StructType, Register = base pointer, Offset = local byte offset.
    public List<int>? Access;
    public CType? Current;
    public bool InFixedBuffer;
    public int PendingElementSize;
    public CField? LastField;

    /// <summary>A run-time byte offset added to a CO-RE address (a variable array index), or -1.</summary>
    public int IndexRegister = -1;

    public static Value Const(long value, bool wide) => new() { Kind = ValueKind.Constant, Constant = value, Wide = wide, Zext = !wide && value >= 0 };
    public static Value Reg(int register, bool wide, bool zext = false) => new() { Kind = ValueKind.Register, Register = register, Wide = wide, Zext = zext };
    public static Value FrameAddress(int slot, int offset) => new() { Kind = ValueKind.Frame, Slot = slot, Offset = offset, Wide = true };
    public static Value RegOffset(int register, int offset) => offset == 0 ? Reg(register, true) : new() { Kind = ValueKind.RegisterOffset, Register = register, Offset = offset, Wide = true };
    public static Value MapRef(int map) => new() { Kind = ValueKind.Map, Symbol = map, Wide = true };
    public static Value GlobalAddress(int global, int offset) => new() { Kind = ValueKind.Global, Symbol = global, Offset = offset, Wide = true };
    public static Value Str(string text) => new() { Kind = ValueKind.String, Text = text, Wide = true };
    public static Value StructAt(Value address, CType type) => new() { Kind = ValueKind.Struct, Address = address, StructType = type, Wide = true };

    public bool IsConstant => Kind == ValueKind.Constant;

    public override string ToString() => Kind switch
    {
        ValueKind.Constant => Constant.ToString(),
        ValueKind.Register => "v" + Register,
        ValueKind.Frame => $"slot{Slot}+{Offset}",
        ValueKind.RegisterOffset => $"v{Register}+{Offset}",
        _ => Kind.ToString(),
    };
}
