using BpfSharp.Compiler.Ir;
using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Backend;

/// <summary>Lays out the frame and blocks and turns allocated IR into BPF instructions.</summary>
internal sealed class CodeEmitter
{
    private const int MaxStack = 512;
    private readonly IrFunction _fn;
    private readonly int[] _color;
    private readonly List<Instruction> _code = [];
    private readonly List<int> _lineOfInstruction = [];
    private readonly List<SymbolReference> _references = [];
    private readonly List<CoReReference> _coRe = [];
    private readonly List<(int Instruction, IrBlock Target)> _fixups = [];
    private readonly Dictionary<IrBlock, int> _blockStart = [];
    private int _line = -1;

    private CodeEmitter(IrFunction fn, int[] color)
    {
        _fn = fn;
        _color = color;
    }

    public static CompiledFunction Emit(IrFunction fn, string section)
    {
        BranchFusion.Run(fn);
        BranchThreading.Run(fn);
        MaskedEquality.Run(fn);
        ConstantArmHoisting.Run(fn);
        ContextLoadHoisting.Run(fn);
        DeadDefinitions.Run(fn);
        ReturnDuplication.Run(fn);
        GlobalAddressReuse.Run(fn);
        StackForwarding.Run(fn);
        DeadStackStores.Run(fn);
        ValueRanges.Run(fn);
        SignExtendShift.Run(fn);
        SingleBitTest.Run(fn);
        ZeroExtension.Run(fn);
        CommutativeOperands.Run(fn);
        var colors = new RegisterAllocator(fn).Allocate();
        return new CodeEmitter(fn, colors).Run(section);
    }

    private byte R(int v) => (byte)_color[v];

    private CompiledFunction Run(string section)
    {
        var stack = LayOutFrame();
        var order = Reachable();
        for (var bi = 0; bi < order.Count; bi++)
        {
            var block = order[bi];
            var next = bi + 1 < order.Count ? order[bi + 1] : null;
            _blockStart[block] = _code.Count;
            foreach (var i in block.Instructions)
            {
                _line = i.Line;
                EmitInstruction(i);
            }

            _line = block.TerminatorLine;
            switch (block.Terminator)
            {
                case TerminatorKind.Exit:
                    Add(Instruction.Exit());
                    break;
                case TerminatorKind.Jump:
                    var target = Resolve(block.Target!);
                    if (target != next)
                    {
                        JumpTo(Instruction.Goto(0), target);
                    }

                    break;
                case TerminatorKind.Branch:
                    var t = Resolve(block.Target!);
                    var f = Resolve(block.FalseTarget!);
                    if (t == f)
                    {
                        if (t != next)
                        {
                            JumpTo(Instruction.Goto(0), t);
                        }
                    }
                    else if (f == next)
                    {
                        JumpTo(BranchInstruction(block, block.Condition), t);
                    }
                    else if (t == next)
                    {
                        JumpTo(BranchInstruction(block, JumpConditions.Invert(block.Condition)), f);
                    }
                    else
                    {
                        JumpTo(BranchInstruction(block, block.Condition), t);
                        JumpTo(Instruction.Goto(0), f);
                    }

                    break;
                default:
                    Add(Instruction.Exit()); // a block the translator left open cannot be reached
                    break;
            }
        }

        foreach (var (at, target) in _fixups)
        {
            var delta = _blockStart[Resolve(target)] - (at + 1);
            if (delta is < short.MinValue or > short.MaxValue)
            {
                throw new CompileErrorException(DiagnosticIds.OutOfRange, $"branch distance {delta} does not fit in 16 bits");
            }

            var old = _code[at];
            _code[at] = new Instruction(old.Opcode, old.Destination, old.Source, (short)delta, old.Immediate);
        }

        // Every instruction gets a line: leading ones take the first known line (the kernel requires line info
        // at each function's first instruction), others inherit the line before them.
        var firstKnown = _lineOfInstruction.FirstOrDefault(l => l >= 0, -1);
        for (var k = 0; k < _lineOfInstruction.Count; k++)
        {
            if (_lineOfInstruction[k] < 0)
            {
                _lineOfInstruction[k] = k == 0 ? firstKnown : _lineOfInstruction[k - 1];
            }
        }

        if (firstKnown < 0 && _fn.FallbackLine >= 0)
        {
            for (var k = 0; k < _lineOfInstruction.Count; k++)
            {
                _lineOfInstruction[k] = _fn.FallbackLine;
            }
        }

        var lines = new List<(int, int)>();
        var last = -2;
        for (var k = 0; k < _lineOfInstruction.Count; k++)
        {
            if (_lineOfInstruction[k] >= 0 && _lineOfInstruction[k] != last)
            {
                lines.Add((k, _lineOfInstruction[k]));
                last = _lineOfInstruction[k];
            }
        }

        return new CompiledFunction
        {
            Name = _fn.Name,
            Section = section,
            Code = [.. _code],
            References = _references,
            CoRe = _coRe,
            Lines = lines,
            StackSize = stack,
        };
    }

    private int LayOutFrame()
    {
        var offset = 0;
        foreach (var slot in _fn.Slots)
        {
            var align = Math.Max(8, slot.Alignment);
            offset += slot.Size;
            offset = (offset + align - 1) / align * align;
            slot.Offset = -offset;
        }

        if (offset > MaxStack)
        {
            var detail = string.Join(", ", _fn.Slots.OrderByDescending(s => s.Size).Take(5).Select(s => $"{s.Name} {s.Size} B"));
            throw new CompileErrorException(DiagnosticIds.StackTooLarge,
                $"the program needs {offset} bytes of stack; BPF allows {MaxStack} (largest: {detail}). Use a per-CPU array map as scratch space");
        }

        return offset;
    }

    /// <summary>Blocks in placement order, without unreachable ones and without empty jump-only blocks.</summary>
    private List<IrBlock> Reachable()
    {
        var seen = new HashSet<IrBlock>();
        var work = new Stack<IrBlock>();
        work.Push(_fn.Blocks[0]);
        while (work.Count > 0)
        {
            var b = work.Pop();
            if (!seen.Add(b))
            {
                continue;
            }

            foreach (var s in b.Successors)
            {
                work.Push(Resolve(s));
            }
        }

        return _fn.Blocks.Where(b => seen.Contains(b) && (b == _fn.Blocks[0] || !IsForwarder(b))).ToList();
    }

    private static bool IsForwarder(IrBlock b) => b.Instructions.Count == 0 && b.Terminator == TerminatorKind.Jump && b.Target != b;

    private static IrBlock Resolve(IrBlock b)
    {
        for (var hops = 0; hops < 64 && IsForwarder(b); hops++)
        {
            b = b.Target!;
        }

        return b;
    }

    private void Add(Instruction insn)
    {
        _code.Add(insn);
        _lineOfInstruction.Add(_line);
    }

    private void JumpTo(Instruction insn, IrBlock target)
    {
        _fixups.Add((_code.Count, target));
        Add(insn);
    }

    private Instruction BranchInstruction(IrBlock b, JumpOperation condition) =>
        b.CompareImmediate
            ? Instruction.Jump(condition, R(b.CompareA), (int)b.CompareValue, 0, !b.Compare32)
            : Instruction.JumpRegister(condition, R(b.CompareA), R(b.CompareB), 0, !b.Compare32);

    private short FrameOffset(IrInstruction i)
    {
        var off = i.Slot >= 0 ? _fn.Slots[i.Slot].Offset + i.Offset : i.Offset;
        if (off is < short.MinValue or > short.MaxValue)
        {
            throw new CompileErrorException(DiagnosticIds.OutOfRange, $"memory offset {off} does not fit in 16 bits");
        }

        return (short)off;
    }

    private byte Base(IrInstruction i) => i.Slot >= 0 ? (byte)10 : R(i.A);

    private static byte AluOpcode(AluOperation op, bool is64, bool register) =>
        (byte)((is64 ? 0x07 : 0x04) | (byte)op | (register ? 0x08 : 0));

    private void EmitInstruction(IrInstruction i)
    {
        var start = _code.Count;
        switch (i.Op)
        {
            case IrOp.Mov:
                if (i.HasImmediate)
                {
                    Add(Instruction.Move(R(i.Dst), (int)i.Immediate));
                }
                else if (R(i.Dst) != R(i.A))
                {
                    Add(Instruction.MoveRegister(R(i.Dst), R(i.A)));
                }

                break;
            case IrOp.Mov32:
                Add(i.HasImmediate ? Instruction.Move(R(i.Dst), (int)i.Immediate, is64: false) : Instruction.MoveRegister(R(i.Dst), R(i.A), is64: false));
                break;
            case IrOp.SignExtend32:
                if (R(i.Dst) != R(i.A))
                {
                    Add(Instruction.MoveRegister(R(i.Dst), R(i.A)));
                }

                Add(Instruction.Alu(AluOperation.Lsh, R(i.Dst), 32));
                Add(Instruction.Alu(AluOperation.Arsh, R(i.Dst), 32));
                break;
            case IrOp.Binary:
                EmitBinary(i);
                break;
            case IrOp.Negate:
                if (R(i.Dst) != R(i.A))
                {
                    Add(Instruction.MoveRegister(R(i.Dst), R(i.A), i.Is64));
                }

                Add(Instruction.Negate(R(i.Dst), i.Is64));
                break;
            case IrOp.Load:
                Add(Instruction.LoadMemory(i.Size, R(i.Dst), Base(i), FrameOffset(i)));
                break;
            case IrOp.Store:
                Add(i.HasImmediate
                    ? Instruction.StoreImmediate(i.Size, Base(i), FrameOffset(i), (int)i.Immediate)
                    : Instruction.StoreMemory(i.Size, Base(i), FrameOffset(i), R(i.B)));
                break;
            case IrOp.LoadImm64:
            {
                var (a, b) = Instruction.LoadImm64(R(i.Dst), i.Immediate);
                Add(a);
                Add(b);
                break;
            }

            case IrOp.LoadMap or IrOp.LoadGlobal or IrOp.LoadFunction:
            {
                var kind = i.Op switch { IrOp.LoadMap => SymbolReferenceKind.Map, IrOp.LoadGlobal => SymbolReferenceKind.Global, _ => SymbolReferenceKind.Subprogram };
                _references.Add(new SymbolReference(_code.Count, kind, i.Symbol, i.Immediate));
                var (a, b) = Instruction.LoadImm64(R(i.Dst), 0);
                Add(a);
                Add(b);
                break;
            }

            case IrOp.FrameAddress:
                Add(Instruction.MoveRegister(R(i.Dst), 10));
                Add(Instruction.Alu(AluOperation.Add, R(i.Dst), FrameOffset(i)));
                break;
            case IrOp.Call when i.Symbol >= 0:
                // The displacement is filled in when the object places the callee (as clang leaves it to its linker).
                _references.Add(new SymbolReference(_code.Count, SymbolReferenceKind.FunctionCall, i.Symbol, 0));
                Add(Instruction.CallPseudo(-1));
                break;
            case IrOp.Call when i.Kfunc >= 0:
                // As clang: call -1 against the kfunc's undefined symbol; the loader puts in its BTF id.
                _references.Add(new SymbolReference(_code.Count, SymbolReferenceKind.Kfunc, i.Kfunc, 0));
                Add(Instruction.CallPseudo(-1));
                break;
            case IrOp.Call:
                Add(Instruction.CallHelper(i.HelperId));
                break;
            case IrOp.AddressSpaceCast:
                Add(Instruction.AddressSpaceCast(R(i.Dst), R(i.A), (int)i.Immediate));
                break;
            case IrOp.SetCondition:
                Add(Instruction.Move(R(i.Dst), 1, is64: false));
                Add(i.HasImmediate
                    ? Instruction.Jump(i.Condition, R(i.A), (int)i.Immediate, 1, i.Is64)
                    : Instruction.JumpRegister(i.Condition, R(i.A), R(i.B), 1, i.Is64));
                Add(Instruction.Move(R(i.Dst), 0, is64: false));
                break;
            case IrOp.Atomic:
                Add(Instruction.Atomic(i.AtomicOp, i.Size, R(i.A), (short)i.Offset, R(i.B)));
                break;
            case IrOp.LoadPacket:
                Add(i.A < 0
                    ? Instruction.LoadPacketAbsolute(i.Size, (int)i.Immediate)
                    : Instruction.LoadPacketIndirect(i.Size, R(i.A), (int)i.Immediate));
                break;
            case IrOp.ByteSwap:
                Add(Instruction.ToEndian(R(i.Dst), (int)i.Immediate, bigEndian: true));
                break;
        }

        if (i.CoRe is not null && _code.Count > start)
        {
            // The relocated instruction is the first one emitted (ld_imm64's first slot; the ALU after a
            // two-address move for shifts).
            var at = i.Op == IrOp.Binary && _code.Count - start == 2 ? start + 1 : start;
            _coRe.Add(new CoReReference(at, i.CoRe));
        }
    }

    private void EmitBinary(IrInstruction i)
    {
        byte d = R(i.Dst), a = R(i.A);
        var signedDivision = i.Signed && i.Alu is AluOperation.Div or AluOperation.Mod;
        short off = (short)(signedDivision ? 1 : 0);
        if (i.HasImmediate)
        {
            if (d != a)
            {
                Add(Instruction.MoveRegister(d, a, i.Is64));
            }

            Add(new Instruction(AluOpcode(i.Alu, i.Is64, false), d, 0, off, (int)i.Immediate));
            return;
        }

        var b = R(i.B);
        if (d == a)
        {
            Add(new Instruction(AluOpcode(i.Alu, i.Is64, true), d, b, off, 0));
        }
        else if (d == b && i.Alu is AluOperation.Add or AluOperation.Mul or AluOperation.And or AluOperation.Or or AluOperation.Xor)
        {
            Add(new Instruction(AluOpcode(i.Alu, i.Is64, true), d, a, off, 0));
        }
        else
        {
            Add(Instruction.MoveRegister(d, a, i.Is64));
            Add(new Instruction(AluOpcode(i.Alu, i.Is64, true), d, b, off, 0));
        }
    }
}
