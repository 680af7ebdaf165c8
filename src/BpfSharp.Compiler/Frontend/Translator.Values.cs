using BpfSharp.Compiler.Ir;
using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Frontend;

internal sealed partial class Translator
{
    /// <summary>A register holding the value (64-bit correct if <paramref name="widen"/>).</summary>
    private int Materialize(Value v, bool widen = false)
    {
        if (v.Kind == ValueKind.Register && (!widen || v.Wide || v.Zext))
        {
            return v.Register;
        }

        var r = _fn.NewRegister();
        MaterializeInto(v, r, widen);
        return r;
    }

    /// <summary>Puts the value in register <paramref name="dst"/>. I32 values are zero-extended when widened
    /// (the C# conversion has already been applied by IL; this only cleans the upper half for 64-bit uses).</summary>
    private void MaterializeInto(Value v, int dst, bool widen)
    {
        switch (v.Kind)
        {
            case ValueKind.Constant:
                var c = v.Wide ? v.Constant : widen ? (long)(uint)v.Constant : v.Constant;
                if (c is >= int.MinValue and <= int.MaxValue)
                {
                    Emit(new IrInstruction { Op = IrOp.Mov, Dst = dst, HasImmediate = true, Immediate = c });
                }
                else if (!v.Wide)
                {
                    // A uint above int.MaxValue: the 32-bit move zero-extends, no ld_imm64 needed.
                    Emit(new IrInstruction { Op = IrOp.Mov32, Dst = dst, HasImmediate = true, Immediate = (int)c });
                }
                else
                {
                    Emit(new IrInstruction { Op = IrOp.LoadImm64, Dst = dst, Immediate = c });
                }

                break;
            case ValueKind.Register:
                Emit(new IrInstruction { Op = widen && !v.Wide && !v.Zext ? IrOp.Mov32 : IrOp.Mov, Dst = dst, A = v.Register });
                break;
            case ValueKind.Frame:
                Emit(new IrInstruction { Op = IrOp.FrameAddress, Dst = dst, Slot = v.Slot, Offset = v.Offset });
                break;
            case ValueKind.RegisterOffset:
                Emit(new IrInstruction { Op = IrOp.Binary, Alu = AluOperation.Add, Dst = dst, A = v.Register, HasImmediate = true, Immediate = v.Offset });
                break;
            case ValueKind.Map:
                Emit(new IrInstruction { Op = IrOp.LoadMap, Dst = dst, Symbol = v.Symbol });
                break;
            case ValueKind.Function:
                Emit(new IrInstruction { Op = IrOp.LoadFunction, Dst = dst, Symbol = v.Symbol });
                break;
            case ValueKind.Global:
                Emit(new IrInstruction { Op = IrOp.LoadGlobal, Dst = dst, Symbol = v.Symbol, Immediate = v.Offset });
                break;
            case ValueKind.Compare:
                var a = Materialize(v.Left!, widen: !v.Compare32);
                var setCondition = new IrInstruction { Op = IrOp.SetCondition, Dst = dst, A = a, Condition = v.Condition, Is64 = !v.Compare32 };
                SetOperandB(setCondition, v.Right!, !v.Compare32);
                Emit(setCondition);
                break;
            case ValueKind.CoRe:
                // A buffer used as a pointer decays to element 0, as in C (&task->comm[0] → "…:k:0").
                var decayed = Clone(v);
                FinishElement(decayed);
                Emit(new IrInstruction { Op = IrOp.Mov, Dst = dst, A = CoReAddress(decayed) });
                break;
            case ValueKind.RelocatableSize:
                throw Error(DiagnosticIds.RelocatableLayout,
                    $"sizeof({v.StructType!.Name}): the type is [Relocatable], its size is the running kernel's; use Core.TypeSize<{v.StructType.Name}>()");
            case ValueKind.String:
                throw Error(DiagnosticIds.StringUse, "strings exist in BPF only as literal printk formats");
            case ValueKind.Struct:
                throw Error(DiagnosticIds.UnsupportedInstruction, $"a {v.StructType} value used where a scalar is expected");
        }
    }

    /// <summary>Sets B or the immediate of an instruction from a value (immediate when it fits in 32 bits).</summary>
    private void SetOperandB(IrInstruction insn, Value v, bool wide)
    {
        if (v.Kind == ValueKind.Constant)
        {
            var c = v.Wide || !wide ? v.Constant : (long)(uint)v.Constant;
            if (!wide)
            {
                c = (int)c;
            }

            if (c is >= int.MinValue and <= int.MaxValue)
            {
                insn.HasImmediate = true;
                insn.Immediate = c;
                return;
            }
        }

        insn.B = Materialize(v, widen: wide);
    }

    private static long Fold(AluOperation op, long a, long b, bool wide, bool signed)
    {
        if (!wide)
        {
            int x = (int)a, y = (int)b;
            uint ux = (uint)a, uy = (uint)b;
            return op switch
            {
                AluOperation.Add => x + y,
                AluOperation.Sub => x - y,
                AluOperation.Mul => x * y,
                AluOperation.Div => y == 0 ? 0 : signed ? (y == -1 ? -x : x / y) : (int)(ux / uy),
                AluOperation.Mod => y == 0 ? x : signed ? (y == -1 ? 0 : x % y) : (int)(ux % uy),
                AluOperation.And => x & y,
                AluOperation.Or => x | y,
                AluOperation.Xor => x ^ y,
                AluOperation.Lsh => x << (y & 31),
                AluOperation.Rsh => (int)(ux >> (y & 31)),
                AluOperation.Arsh => x >> (y & 31),
                _ => throw new InvalidOperationException(),
            };
        }

        return op switch
        {
            AluOperation.Add => a + b,
            AluOperation.Sub => a - b,
            AluOperation.Mul => a * b,
            AluOperation.Div => b == 0 ? 0 : signed ? (b == -1 ? -a : a / b) : (long)((ulong)a / (ulong)b),
            AluOperation.Mod => b == 0 ? a : signed ? (b == -1 ? 0 : a % b) : (long)((ulong)a % (ulong)b),
            AluOperation.And => a & b,
            AluOperation.Or => a | b,
            AluOperation.Xor => a ^ b,
            AluOperation.Lsh => a << (int)(b & 63),
            AluOperation.Rsh => (long)((ulong)a >> (int)(b & 63)),
            AluOperation.Arsh => a >> (int)(b & 63),
            _ => throw new InvalidOperationException(),
        };
    }

    private static bool IsCommutative(AluOperation op) =>
        op is AluOperation.Add or AluOperation.Mul or AluOperation.And or AluOperation.Or or AluOperation.Xor;

    /// <summary>IL binary arithmetic with C# semantics: 32-bit ops on int32 operands (BPF ALU32 zero-extends),
    /// 64-bit otherwise; constant folding and address-offset folding first.</summary>
    private void Binary(AluOperation op, bool signed)
    {
        var b = Pop();
        var a = Pop();
        if (TryRelocatableArithmetic(op, a, b))
        {
            return;
        }

        // A variable index into a relocatable array: relocate the array member, add index * size at run time.
        if (op == AluOperation.Add && a.Kind == ValueKind.CoRe && a.PendingElementSize > 0 && !b.IsConstant)
        {
            Push(CoReVariableIndex(a, b));
            return;
        }

        var wide = a.Wide || b.Wide;
        if (op is AluOperation.Lsh or AluOperation.Rsh or AluOperation.Arsh)
        {
            wide = a.Wide; // the shift count's width does not matter
        }

        if (a.IsConstant && b.IsConstant)
        {
            Push(Value.Const(Fold(op, a.Constant, b.Constant, wide, signed), wide));
            return;
        }

        // Pointer arithmetic with constants stays symbolic so loads can fold the offset.
        if (wide && (op == AluOperation.Add || op == AluOperation.Sub) && b.IsConstant && b.Constant is > -32768 and < 32768)
        {
            var delta = (int)(op == AluOperation.Add ? b.Constant : -b.Constant);
            if (TryOffset(a, delta) is { } moved)
            {
                Push(moved);
                return;
            }
        }

        if (wide && op == AluOperation.Add && a.IsConstant && a.Constant is > -32768 and < 32768 && TryOffset(b, (int)a.Constant) is { } moved2)
        {
            Push(moved2);
            return;
        }

        if (IsCommutative(op) && a.IsConstant)
        {
            (a, b) = (b, a);
        }

        // Identities that clang also removes.
        if (b.IsConstant && ((b.Constant == 0 && op is AluOperation.Add or AluOperation.Sub or AluOperation.Or or AluOperation.Xor
                or AluOperation.Lsh or AluOperation.Rsh or AluOperation.Arsh) || (b.Constant == 1 && op is AluOperation.Mul or AluOperation.Div)))
        {
            Push(a.Wide == wide ? a : Widen(a, signed: true));
            return;
        }

        if (b.IsConstant && TryPowerOfTwo(op, signed, a, b.Constant, wide))
        {
            return;
        }

        var insn = new IrInstruction { Op = IrOp.Binary, Alu = op, Is64 = wide, Signed = signed && op is AluOperation.Div or AluOperation.Mod };
        insn.A = Materialize(a.Wide || !wide ? a : Widen(a, signed: true), widen: wide);
        if (op is AluOperation.Lsh or AluOperation.Rsh or AluOperation.Arsh && !b.IsConstant)
        {
            insn.B = Materialize(b, widen: wide);
        }
        else
        {
            SetOperandB(insn, b.Wide || !wide || b.IsConstant ? b : Widen(b, signed: true), wide);
        }

        insn.Dst = _fn.NewRegister();
        Emit(insn);
        Push(Value.Reg(insn.Dst, wide, zext: !wide));
    }

    /// <summary>Multiplication, division and remainder by a power of two as shifts and masks, as clang does:
    /// fewer instructions, and the verifier tracks shifts precisely where it gives up on division.</summary>
    private bool TryPowerOfTwo(AluOperation op, bool signed, Value a, long divisor, bool wide)
    {
        if (op is not (AluOperation.Mul or AluOperation.Div or AluOperation.Mod))
        {
            return false;
        }

        var d = wide ? divisor : (long)(uint)divisor;
        if (d <= 1 || (d & (d - 1)) != 0 || (signed && !wide && d > int.MaxValue))
        {
            return false;
        }

        var k = System.Numerics.BitOperations.Log2((ulong)d);
        var bits = wide ? 64 : 32;
        var x = Materialize(a.Wide || !wide ? a : Widen(a, signed: true), widen: wide);
        int Alu(AluOperation o, int src, long imm)
        {
            var r = _fn.NewRegister();
            Emit(new IrInstruction { Op = IrOp.Binary, Alu = o, Dst = r, A = src, HasImmediate = true, Immediate = imm, Is64 = wide });
            return r;
        }

        int result;
        if (op == AluOperation.Mul)
        {
            result = Alu(AluOperation.Lsh, x, k);
        }
        else if (!signed)
        {
            result = op == AluOperation.Div ? Alu(AluOperation.Rsh, x, k) : Alu(AluOperation.And, x, d - 1);
        }
        else
        {
            // Round toward zero: add (2^k - 1) to negative dividends before the arithmetic shift.
            var sign = Alu(AluOperation.Arsh, x, bits - 1);
            var bias = Alu(AluOperation.Rsh, sign, bits - k);
            var sum = _fn.NewRegister();
            Emit(new IrInstruction { Op = IrOp.Binary, Alu = AluOperation.Add, Dst = sum, A = bias, B = x, Is64 = wide });
            var quotient = Alu(AluOperation.Arsh, sum, k);
            if (op == AluOperation.Div)
            {
                result = quotient;
            }
            else
            {
                var back = Alu(AluOperation.Lsh, quotient, k);
                result = _fn.NewRegister();
                Emit(new IrInstruction { Op = IrOp.Binary, Alu = AluOperation.Sub, Dst = result, A = x, B = back, Is64 = wide });
            }
        }

        Push(Value.Reg(result, wide, zext: !wide));
        return true;
    }

    private Value? TryOffset(Value v, int delta) => v.Kind switch
    {
        ValueKind.Frame => Value.FrameAddress(v.Slot, v.Offset + delta),
        ValueKind.RegisterOffset when v.Offset + delta is > short.MinValue and < short.MaxValue => Value.RegOffset(v.Register, v.Offset + delta),
        ValueKind.Register when v.Wide => Value.RegOffset(v.Register, delta),
        ValueKind.Global => Value.GlobalAddress(v.Symbol, v.Offset + delta),
        ValueKind.CoRe => CoReOffset(v, delta),
        _ => null,
    };

    /// <summary>An int32 value as int64 (sign- or zero-extended).</summary>
    private Value Widen(Value v, bool signed)
    {
        if (v.Wide)
        {
            return v;
        }

        if (v.IsConstant)
        {
            return Value.Const(signed ? (int)v.Constant : (uint)v.Constant, true);
        }

        if (v.Kind == ValueKind.Compare || (!signed && v.Zext))
        {
            return Value.Reg(Materialize(v), true);
        }

        var src = Materialize(v);
        var dst = _fn.NewRegister();
        Emit(new IrInstruction { Op = signed ? IrOp.SignExtend32 : IrOp.Mov32, Dst = dst, A = src });
        return Value.Reg(dst, true);
    }

    private void Unary(bool negate)
    {
        var a = Pop();
        if (a.IsConstant)
        {
            Push(Value.Const(negate ? (a.Wide ? -a.Constant : -(int)a.Constant) : (a.Wide ? ~a.Constant : ~(int)a.Constant), a.Wide));
            return;
        }

        var dst = _fn.NewRegister();
        if (negate)
        {
            var src = Materialize(a);
            Emit(new IrInstruction { Op = IrOp.Negate, Dst = dst, A = src, Is64 = a.Wide });
        }
        else
        {
            Emit(new IrInstruction { Op = IrOp.Binary, Alu = AluOperation.Xor, Dst = dst, A = Materialize(a), HasImmediate = true, Immediate = -1, Is64 = a.Wide });
        }

        Push(Value.Reg(dst, a.Wide, zext: !a.Wide));
    }

    /// <summary>IL conversions between integer widths.</summary>
    private void Convert(int bits, bool signed, bool toWide)
    {
        var v = Pop();
        if (v.Kind is ValueKind.Frame or ValueKind.Global or ValueKind.Map or ValueKind.RegisterOffset or ValueKind.CoRe or ValueKind.RelocatableSize && toWide)
        {
            Push(v); // pointer ↔ native int
            return;
        }

        if (v.IsConstant)
        {
            var c = v.Constant;
            c = bits switch
            {
                8 => signed ? (sbyte)c : (byte)c,
                16 => signed ? (short)c : (ushort)c,
                32 => signed ? (int)c : (uint)c,
                _ => v.Wide ? c : signed ? (int)c : (uint)c,
            };
            Push(Value.Const(toWide ? c : (int)c, toWide));
            return;
        }

        if (toWide)
        {
            if (v.Wide)
            {
                Push(v);
                return;
            }

            if (signed)
            {
                Push(Widen(v, signed: true));
                return;
            }

            if (v.Zext && v.Kind == ValueKind.Register)
            {
                Push(Value.Reg(v.Register, true));
                return;
            }

            var dst = _fn.NewRegister();
            Emit(new IrInstruction { Op = IrOp.Mov32, Dst = dst, A = Materialize(v) });
            Push(Value.Reg(dst, true));
            return;
        }

        // To int32 or narrower.
        if (bits == 32)
        {
            if (v.Kind == ValueKind.Register)
            {
                Push(Value.Reg(v.Register, false, zext: !v.Wide && v.Zext));
            }
            else
            {
                Push(Value.Reg(Materialize(v), false, zext: v.Kind == ValueKind.Compare));
            }

            return;
        }

        var src = Materialize(v);
        var r = _fn.NewRegister();
        if (!signed)
        {
            Emit(new IrInstruction { Op = IrOp.Binary, Alu = AluOperation.And, Dst = r, A = src, HasImmediate = true, Immediate = bits == 8 ? 0xff : 0xffff, Is64 = false });
        }
        else
        {
            var t = _fn.NewRegister();
            Emit(new IrInstruction { Op = IrOp.Binary, Alu = AluOperation.Lsh, Dst = t, A = src, HasImmediate = true, Immediate = 32 - bits, Is64 = false });
            Emit(new IrInstruction { Op = IrOp.Binary, Alu = AluOperation.Arsh, Dst = r, A = t, HasImmediate = true, Immediate = 32 - bits, Is64 = false });
        }

        Push(Value.Reg(r, false, zext: true));
    }

    // ---- comparisons and branches ----

    private static bool Evaluate(JumpOperation c, long a, long b, bool wide)
    {
        if (!wide)
        {
            a = c is JumpOperation.Jsgt or JumpOperation.Jsge or JumpOperation.Jslt or JumpOperation.Jsle ? (int)a : (uint)a;
            b = c is JumpOperation.Jsgt or JumpOperation.Jsge or JumpOperation.Jslt or JumpOperation.Jsle ? (int)b : (uint)b;
        }

        return c switch
        {
            JumpOperation.Jeq => a == b,
            JumpOperation.Jne => a != b,
            JumpOperation.Jgt => (ulong)a > (ulong)b,
            JumpOperation.Jge => (ulong)a >= (ulong)b,
            JumpOperation.Jlt => (ulong)a < (ulong)b,
            JumpOperation.Jle => (ulong)a <= (ulong)b,
            JumpOperation.Jsgt => a > b,
            JumpOperation.Jsge => a >= b,
            JumpOperation.Jslt => a < b,
            JumpOperation.Jsle => a <= b,
            JumpOperation.Jset => (a & b) != 0,
            _ => false,
        };
    }

    /// <summary>A comparison value (ceq/cgt/clt) or a fused compare for a branch.</summary>
    private Value MakeCompare(JumpOperation condition, Value a, Value b)
    {
        // (x cmp y) == 0 and (x cmp y) != 0 fold into the inner comparison.
        if (a.Kind == ValueKind.Compare && b.IsConstant && b.Constant == 0 && condition is JumpOperation.Jeq or JumpOperation.Jne)
        {
            return condition == JumpOperation.Jeq
                ? new Value { Kind = ValueKind.Compare, Condition = JumpConditions.Invert(a.Condition), Left = a.Left, Right = a.Right, Compare32 = a.Compare32, Zext = true }
                : a;
        }

        var wide = a.Wide || b.Wide;
        if (a.IsConstant && !b.IsConstant)
        {
            (a, b) = (b, a);
            condition = JumpConditions.Mirror(condition);
        }

        if (a.Kind == ValueKind.Compare)
        {
            a = Value.Reg(Materialize(a), false, zext: true);
        }

        if (wide)
        {
            a = Widen(a, signed: true);
            b = b.IsConstant ? b : Widen(b, signed: true);
        }

        return new Value { Kind = ValueKind.Compare, Condition = condition, Left = a, Right = b, Compare32 = !wide, Zext = true };
    }

    private void CompareToStack(JumpOperation condition)
    {
        var b = Pop();
        var a = Pop();
        if (a.IsConstant && b.IsConstant)
        {
            Push(Value.Const(Evaluate(condition, a.Constant, b.Constant, a.Wide || b.Wide) ? 1 : 0, false));
            return;
        }

        Push(MakeCompare(condition, a, b));
    }

    /// <summary>Ends the block with a conditional branch on <paramref name="test"/> to IL offset <paramref name="target"/>.</summary>
    private void Branch(Value test, int target, int fallThrough)
    {
        TransferStack(target, fallThrough);
        var frame = Frame;
        if (test.Kind == ValueKind.Constant)
        {
            Jump(frame.Blocks[test.Constant != 0 ? target : fallThrough]);
            return;
        }

        if (test.Kind != ValueKind.Compare)
        {
            test = MakeCompare(JumpOperation.Jne, test, Value.Const(0, test.Wide));
        }

        var left = test.Left!;
        var right = test.Right!;
        if (left.IsConstant && right.IsConstant)
        {
            Jump(frame.Blocks[Evaluate(test.Condition, left.Constant, right.Constant, !test.Compare32) ? target : fallThrough]);
            return;
        }

        _current.Terminator = TerminatorKind.Branch;
        _current.Condition = test.Condition;
        _current.Compare32 = test.Compare32;
        _current.CompareA = Materialize(left, widen: !test.Compare32);
        var probe = new IrInstruction();
        SetOperandB(probe, right, !test.Compare32);
        _current.CompareImmediate = probe.HasImmediate;
        _current.CompareValue = probe.Immediate;
        _current.CompareB = probe.B;
        _current.Target = frame.Blocks[target];
        _current.FalseTarget = frame.Blocks[fallThrough];
        _current.TerminatorLine = _line;
    }
}
