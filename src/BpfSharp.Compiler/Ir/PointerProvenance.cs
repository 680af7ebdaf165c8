using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Ir;

/// <summary>
/// Decides the form of every kernel field access (<see cref="IrOp.KernelLoad"/>, CO-RE stores) by where its base
/// pointer comes from, as the verifier will see it: a direct load only through a BTF pointer (PTR_TO_BTF_ID),
/// a probe-read (<c>BPF_CORE_READ</c>'s form) through anything else.
/// </summary>
/// <remarks>
/// A register is a BTF pointer when every definition of it makes one: a definition marked
/// <see cref="IrInstruction.Produces"/> (a helper returning PTR_TO_BTF_ID), an 8-byte load at a constant offset
/// from the context of a BTF-typed program (its arguments), a pointer-to-struct field loaded directly from a BTF
/// pointer, a copy of a BTF pointer or one plus a constant. Everything else (map values, probe-read results,
/// integers cast to pointers, variable offsets, stack spills) is not. Definitions by the constant 0 (null) agree
/// with every origin. The solution is the greatest fixed point, so a pointer walked in a loop
/// (<c>t = t->parent</c>) stays a BTF pointer when it starts as one.
/// </remarks>
internal static class PointerProvenance
{
    private const int ProbeReadKernel = 113;

    // Lattice: Unset (no definition seen yet) above Context/Btf, above None.
    private const int Unset = -1;

    /// <summary>Lowers the function's kernel loads; throws for a kernel store through an untrusted pointer.</summary>
    public static void Run(IrFunction fn)
    {
        var origin = Solve(fn);
        PointerOrigin Of(int register) =>
            register >= IrFunction.PhysicalRegisters && origin[register] > 0 ? (PointerOrigin)origin[register] : PointerOrigin.None;

        foreach (var block in fn.Blocks)
        {
            var lowered = new List<IrInstruction>(block.Instructions.Count);
            foreach (var insn in block.Instructions)
            {
                if (insn.Op == IrOp.Store && insn.CoRe is not null && Of(insn.A) != PointerOrigin.Btf)
                {
                    throw new CompileErrorException(DiagnosticIds.UntrustedKernelStore,
                        "a store through a [Relocatable] pointer needs a pointer the verifier trusts (a BTF-typed context argument, " +
                        "Bpf.GetCurrentTaskBtf(), or a pointer field read directly from one); this pointer comes from elsewhere " +
                        "(a map, a probe-read, an integer, a variable index or a mix of these), so its memory can only be read")
                    {
                        At = insn.KernelStoreAt,
                    };
                }

                if (insn.Op != IrOp.KernelLoad)
                {
                    lowered.Add(insn);
                }
                else if (Of(insn.A) == PointerOrigin.Btf && insn.B < 0 && insn.Offset <= short.MaxValue)
                {
                    lowered.Add(new IrInstruction
                    {
                        Op = IrOp.Load, Dst = insn.Dst, A = insn.A, Offset = insn.Offset, Size = insn.Size, CoRe = insn.CoRe, Line = insn.Line,
                    });
                }
                else
                {
                    ProbeRead(fn, insn, lowered);
                }
            }

            block.Instructions.Clear();
            block.Instructions.AddRange(lowered);
        }
    }

    /// <summary>BPF_CORE_READ: r3 = relocated offset + base (+ index); bpf_probe_read_kernel(slot, size, r3);
    /// Dst = the slot.</summary>
    private static void ProbeRead(IrFunction fn, IrInstruction load, List<IrInstruction> output)
    {
        var size = load.Size switch { MemorySize.Byte => 1, MemorySize.HalfWord => 2, MemorySize.Word => 4, _ => 8 };
        var slot = fn.NewSlot(size, size, "core_read");
        var line = load.Line;
        var offset = fn.NewRegister();
        output.Add(new IrInstruction { Op = IrOp.Mov, Dst = offset, HasImmediate = true, Immediate = load.Offset, CoRe = load.CoRe, Line = line });
        var address = fn.NewRegister();
        output.Add(new IrInstruction { Op = IrOp.Binary, Alu = AluOperation.Add, Dst = address, A = offset, B = load.A, Line = line });
        if (load.B >= 0)
        {
            var indexed = fn.NewRegister();
            output.Add(new IrInstruction { Op = IrOp.Binary, Alu = AluOperation.Add, Dst = indexed, A = address, B = load.B, Line = line });
            address = indexed;
        }

        output.Add(new IrInstruction { Op = IrOp.FrameAddress, Dst = 1, Slot = slot, Line = line });
        output.Add(new IrInstruction { Op = IrOp.Mov, Dst = 2, HasImmediate = true, Immediate = size, Line = line });
        output.Add(new IrInstruction { Op = IrOp.Mov, Dst = 3, A = address, Line = line });
        output.Add(new IrInstruction { Op = IrOp.Call, HelperId = ProbeReadKernel, ArgumentCount = 3, Line = line });
        output.Add(new IrInstruction { Op = IrOp.Load, Dst = load.Dst, Slot = slot, Size = load.Size, Line = line });
    }

    /// <summary>The origin of every virtual register (as <see cref="PointerOrigin"/>, or <see cref="Unset"/>
    /// for registers only ever set to 0).</summary>
    private static int[] Solve(IrFunction fn)
    {
        var origin = new int[fn.RegisterCount];
        Array.Fill(origin, Unset);
        var definitions = new List<IrInstruction>();
        foreach (var block in fn.Blocks)
        {
            foreach (var insn in block.Instructions)
            {
                if (insn.Dst >= IrFunction.PhysicalRegisters && insn.Op != IrOp.Store && insn.Op != IrOp.Atomic)
                {
                    definitions.Add(insn);
                }
                else if (insn.Op == IrOp.Atomic && insn.B >= IrFunction.PhysicalRegisters)
                {
                    origin[insn.B] = (int)PointerOrigin.None; // fetch forms write B
                }
            }
        }

        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var insn in definitions)
            {
                var value = Definition(insn, origin);
                var current = origin[insn.Dst];
                var met = current == Unset ? value : value == Unset || value == current ? current : (int)PointerOrigin.None;
                if (met != current)
                {
                    origin[insn.Dst] = met;
                    changed = true;
                }
            }
        }

        return origin;
    }

    private static int Definition(IrInstruction insn, int[] origin)
    {
        if (insn.Produces != PointerOrigin.None)
        {
            return (int)insn.Produces;
        }

        int Operand(int register) => register >= IrFunction.PhysicalRegisters ? origin[register] : (int)PointerOrigin.None;
        switch (insn.Op)
        {
            case IrOp.Mov when insn.HasImmediate:
                return insn.Immediate == 0 ? Unset : (int)PointerOrigin.None;
            case IrOp.Mov:
                return Operand(insn.A);
            case IrOp.Binary when insn.Alu == AluOperation.Add && insn.Is64 && insn.HasImmediate:
                return Operand(insn.A);
            case IrOp.Load when insn.Slot < 0 && insn.CoRe is null && insn.Size == MemorySize.DoubleWord:
                // The context of a BTF-typed program: its 8-byte slots are the traced function's arguments.
                var from = Operand(insn.A);
                return from == (int)PointerOrigin.Context ? (int)PointerOrigin.Btf : from == Unset ? Unset : (int)PointerOrigin.None;
            case IrOp.KernelLoad when insn.LoadsStructPointer && insn.B < 0 && insn.Offset <= short.MaxValue:
                var parent = Operand(insn.A);
                return parent == (int)PointerOrigin.Btf ? (int)PointerOrigin.Btf : parent == Unset ? Unset : (int)PointerOrigin.None;
            default:
                return (int)PointerOrigin.None;
        }
    }
}
