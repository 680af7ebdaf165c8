using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Ir;

/// <summary>IR operations: close to BPF, but three-address and on unlimited virtual registers.</summary>
internal enum IrOp
{
    /// <summary>Dst = A (or Imm): a 64-bit move.</summary>
    Mov,
    /// <summary>Dst = (u32)A: zero-extends the low half.</summary>
    Mov32,
    /// <summary>Dst = (s64)(s32)A.</summary>
    SignExtend32,
    /// <summary>Dst = A op B (or Imm); 32- or 64-bit.</summary>
    Binary,
    /// <summary>Dst = -A.</summary>
    Negate,
    /// <summary>Dst = *(size*)(A or frame Slot + Offset).</summary>
    Load,
    /// <summary>*(size*)(A or frame Slot + Offset) = B (or Imm).</summary>
    Store,
    /// <summary>Dst = 64-bit immediate.</summary>
    LoadImm64,
    /// <summary>Dst = address of map Symbol (ld_imm64 + R_BPF_64_64).</summary>
    LoadMap,
    /// <summary>Dst = address of global Symbol + Imm (ld_imm64 + R_BPF_64_64).</summary>
    LoadGlobal,
    /// <summary>Dst = address of subprogram Symbol (ld_imm64 + R_BPF_64_64 against .text; libbpf makes it a
    /// BPF_PSEUDO_FUNC).</summary>
    LoadFunction,
    /// <summary>Dst = r10 + frame offset of Slot + Offset.</summary>
    FrameAddress,
    /// <summary>call HelperId, or the kfunc Kfunc when it is not -1, or the subprogram Symbol when it is not -1
    /// (arguments already in r1..r5; result in r0; r1..r5 clobbered).</summary>
    Call,
    /// <summary>Dst = (A cond B) ? 1 : 0.</summary>
    SetCondition,
    /// <summary>Atomic read-modify-write at A + Offset with B (fetch forms write B).</summary>
    Atomic,
    /// <summary>Byte swap of Dst in place (Imm = bits).</summary>
    ByteSwap,
    /// <summary>Legacy packet load into r0 from the skb in r6: LD_ABS (A = -1) or LD_IND (offset A + Imm).
    /// Clobbers r0–r5 like a call.</summary>
    LoadPacket,
    /// <summary>Dst = a scalar field of kernel memory at A + Offset (relocated by CoRe) + B (a run-time index, or
    /// -1): until <see cref="PointerProvenance"/> decides, by where A comes from, between one LDX and a probe-read.</summary>
    KernelLoad,
    /// <summary>Dst = addr_space_cast(A, Imm &gt;&gt; 16, Imm &amp; 0xffff): an arena pointer converted between its user
    /// (address space 1) and kernel (0) forms.</summary>
    AddressSpaceCast,
}

/// <summary>What a register holds as the verifier will see it, for the definitions that make pointers it trusts.</summary>
internal enum PointerOrigin
{
    /// <summary>Nothing known: a scalar as far as direct kernel loads go.</summary>
    None,
    /// <summary>The context of a BTF-typed program (its loads at constant offsets are the BTF-typed arguments).</summary>
    Context,
    /// <summary>A BTF pointer (PTR_TO_BTF_ID): kernel memory the verifier lets the program load directly.</summary>
    Btf,
}

/// <summary>One IR instruction. Registers are virtual register numbers; 0–10 are r0–r10.</summary>
internal sealed class IrInstruction
{
    public IrOp Op;
    public int Dst = -1;
    public int A = -1;
    public int B = -1;
    public bool HasImmediate;
    public long Immediate;
    public AluOperation Alu;
    public bool Is64 = true;
    public bool Signed;
    public MemorySize Size;
    public int Offset;
    public int Slot = -1;
    public JumpOperation Condition;
    public int HelperId;
    public int ArgumentCount;
    public AtomicOperation AtomicOp;
    public int Symbol = -1;

    /// <summary>For a <see cref="IrOp.Call"/> of a kfunc: its index in the unit's kfuncs, else -1.</summary>
    public int Kfunc = -1;
    public int Line = -1;

    /// <summary>A CO-RE relocation attached to this instruction (its immediate/offset is the local value).</summary>
    public CoReUse? CoRe;

    /// <summary>A definition that makes a pointer the verifier trusts whatever its operands (the context register
    /// of a BTF-typed program, the result of a helper returning PTR_TO_BTF_ID).</summary>
    public PointerOrigin Produces;

    /// <summary>A <see cref="IrOp.KernelLoad"/> of a field that is a pointer to a struct: loaded directly from a
    /// BTF pointer it is a BTF pointer too.</summary>
    public bool LoadsStructPointer;

    /// <summary>A store to kernel memory (CO-RE): allowed only through a BTF pointer; where it was written, for
    /// the error otherwise.</summary>
    public (Frontend.LoadedModule Module, System.Reflection.Metadata.MethodDefinitionHandle Method, int IlOffset)? KernelStoreAt;

    /// <summary>A copy of this instruction (for code placed twice).</summary>
    public IrInstruction Copy() => (IrInstruction)MemberwiseClone();

    public override string ToString() => Op switch
    {
        IrOp.Binary => $"v{Dst} = v{A} {Alu} {(HasImmediate ? Immediate.ToString() : "v" + B)}{(Is64 ? "" : " (32)")}",
        IrOp.Load => $"v{Dst} = *({Size})({(Slot >= 0 ? "slot" + Slot : "v" + A)} + {Offset})",
        IrOp.KernelLoad => $"v{Dst} = kernel *({Size})(v{A} + {Offset}{(B >= 0 ? " + v" + B : "")})",
        IrOp.Store => $"*({Size})({(Slot >= 0 ? "slot" + Slot : "v" + A)} + {Offset}) = {(HasImmediate ? Immediate.ToString() : "v" + B)}",
        _ => $"{Op} d=v{Dst} a=v{A} b={(HasImmediate ? Immediate.ToString() : "v" + B)}",
    };
}

/// <summary>A CO-RE relocation record to emit for an instruction.</summary>
/// <param name="TypeId">Local BTF id of the root type.</param>
/// <param name="Access">The access string ("0:1:2").</param>
/// <param name="Kind">The relocation kind (uapi enum bpf_core_relo_kind).</param>
internal sealed record CoReUse(int TypeId, string Access, int Kind);

/// <summary>How a block ends.</summary>
internal enum TerminatorKind
{
    None,
    Jump,
    Branch,
    Exit,
}

/// <summary>A basic block: straight-line instructions and one terminator.</summary>
internal sealed class IrBlock(int id)
{
    public int Id { get; } = id;
    public List<IrInstruction> Instructions { get; } = [];
    public TerminatorKind Terminator;
    public JumpOperation Condition;
    public bool Compare32;
    public int CompareA = -1;
    public int CompareB = -1;
    public bool CompareImmediate;
    public long CompareValue;
    public IrBlock? Target;
    public IrBlock? FalseTarget;
    public int TerminatorLine = -1;

    public IEnumerable<IrBlock> Successors
    {
        get
        {
            if (Target is not null)
            {
                yield return Target;
            }

            if (Terminator == TerminatorKind.Branch && FalseTarget is not null)
            {
                yield return FalseTarget;
            }
        }
    }

    public override string ToString() => "B" + Id;
}

/// <summary>A stack slot in the BPF frame (r10-relative), for address-taken locals, structs and spills.</summary>
internal sealed class FrameSlot(int size, int alignment, string name)
{
    /// <summary>Bytes; a log record's slot shrinks to the record once the message is complete.</summary>
    public int Size { get; set; } = size;
    public int Alignment { get; } = alignment;
    public string Name { get; } = name;

    /// <summary>Negative offset from r10, assigned by the frame layout.</summary>
    public int Offset { get; set; }

    /// <summary>Zero the slot at entry (C# zero-initialised locals whose memory escapes).</summary>
    public bool ZeroInit { get; set; }
}

/// <summary>One BPF function (an entry program, inlined calls included).</summary>
internal sealed class IrFunction(string name)
{
    public const int PhysicalRegisters = 11;

    public string Name { get; } = name;
    public List<IrBlock> Blocks { get; } = [];
    public List<FrameSlot> Slots { get; } = [];
    public int RegisterCount { get; private set; } = PhysicalRegisters;

    /// <summary>A line for functions whose code has none (the method's first sequence point).</summary>
    public int FallbackLine { get; set; } = -1;

    public int NewRegister() => RegisterCount++;

    public IrBlock NewBlock()
    {
        var b = new IrBlock(Blocks.Count);
        Blocks.Add(b);
        return b;
    }

    public int NewSlot(int size, int alignment, string name)
    {
        Slots.Add(new FrameSlot(size, Math.Max(alignment, 1), name));
        return Slots.Count - 1;
    }
}
