using BpfSharp.Compiler.Ir;
using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Frontend;

internal sealed partial class Translator
{
    /// <summary>Splits an address value into (base register or frame slot, constant offset).</summary>
    private (int Register, int Slot, int Offset) AddressOf(Value address)
    {
        switch (address.Kind)
        {
            case ValueKind.Frame:
                return (-1, address.Slot, address.Offset);
            case ValueKind.RegisterOffset:
                return (address.Register, -1, address.Offset);
            case ValueKind.Register:
                return (address.Register, -1, 0);
            case ValueKind.Global:
                return (GlobalBase(address.Symbol), -1, address.Offset);
            case ValueKind.Struct:
                return AddressOf(address.Address!);
            default:
                return (Materialize(address, widen: true), -1, 0);
        }
    }

    private static MemorySize SizeOf(int bytes) => bytes switch
    {
        1 => MemorySize.Byte,
        2 => MemorySize.HalfWord,
        4 => MemorySize.Word,
        _ => MemorySize.DoubleWord,
    };

    private IrBlock? _globalCacheBlock;
    private readonly Dictionary<int, int> _globalCache = [];

    /// <summary>A register with a global's section address, reused within a block until a call clobbers the
    /// caller-saved registers (one ld_imm64 for `counter++` instead of two, as clang does).</summary>
    private int GlobalBase(int symbol)
    {
        if (_globalCacheBlock != _current)
        {
            _globalCache.Clear();
            _globalCacheBlock = _current;
        }

        if (!_globalCache.TryGetValue(symbol, out var register))
        {
            register = _fn.NewRegister();
            Emit(new IrInstruction { Op = IrOp.LoadGlobal, Dst = register, Symbol = symbol, Immediate = 0 });
            _globalCache[symbol] = register;
        }

        return register;
    }

    /// <summary>Loads a scalar of <paramref name="type"/>, or makes a struct value, from an address.</summary>
    private Value LoadValue(Value address, CType type)
    {
        if (address.Kind == ValueKind.CoRe)
        {
            return CoReLoad(address, type);
        }

        if (type.Kind == CTypeKind.Struct)
        {
            CheckUsable(type);
            return Value.StructAt(address.Kind == ValueKind.Struct ? address.Address! : address, type);
        }

        if (type.Kind is CTypeKind.Single or CTypeKind.Double)
        {
            throw Error(DiagnosticIds.FloatingPoint, $"loading a {type.Name}: BPF has no floating point");
        }

        if (!type.IsValueType)
        {
            throw Error(DiagnosticIds.ReferenceType, $"loading a reference of type {type.Name}: BPF programs have no managed objects");
        }

        var size = type.ScalarSize;
        var signed = type.IsSigned && size < 4;
        return Load(address, size, signed, IsWide(type));
    }

    private Value Load(Value address, int size, bool signExtend, bool wide)
    {
        if (address.Kind == ValueKind.CoRe)
        {
            return CoReLoad(address, _ts.Primitive(size switch
            {
                1 => signExtend ? CTypeKind.SByte : CTypeKind.Byte,
                2 => signExtend ? CTypeKind.Int16 : CTypeKind.UInt16,
                4 => CTypeKind.UInt32,
                _ => CTypeKind.UInt64,
            }));
        }

        var (reg, slot, offset) = AddressOf(address);
        var dst = _fn.NewRegister();
        Emit(new IrInstruction { Op = IrOp.Load, Dst = dst, A = reg, Slot = slot, Offset = offset, Size = SizeOf(size) });
        return Extend(dst, size, signExtend, wide);
    }

    /// <summary>A freshly loaded register as a stack value: narrow signed loads sign-extended to 32 bits (BPF loads
    /// zero-extend), everything else as loaded.</summary>
    private Value Extend(int register, int size, bool signExtend, bool wide)
    {
        if (!signExtend)
        {
            return Value.Reg(register, wide, zext: !wide);
        }

        var shift = 32 - (size * 8);
        var t = _fn.NewRegister();
        Emit(new IrInstruction { Op = IrOp.Binary, Alu = AluOperation.Lsh, Dst = t, A = register, HasImmediate = true, Immediate = shift, Is64 = false });
        var r = _fn.NewRegister();
        Emit(new IrInstruction { Op = IrOp.Binary, Alu = AluOperation.Arsh, Dst = r, A = t, HasImmediate = true, Immediate = shift, Is64 = false });
        return Value.Reg(r, false, zext: true);
    }

    /// <summary>Stores a value of <paramref name="type"/> (struct values are copied).</summary>
    private void StoreValue(Value address, CType type, Value value)
    {
        if (address.Kind == ValueKind.CoRe)
        {
            CoReStore(address, type, value);
            return;
        }

        if (type.Kind == CTypeKind.Struct)
        {
            CheckUsable(type);
            if (value.Kind != ValueKind.Struct)
            {
                throw Error(DiagnosticIds.UnsupportedInstruction, $"storing a non-struct value into {type.Name}");
            }

            var (size, align) = TypeLayout.SizeAndAlignment(_ts, type);
            CopyMemory(value.Address!, address, size, align);
            return;
        }

        Store(address, type.ScalarSize, value);
    }

    private void Store(Value address, int size, Value value)
    {
        if (address.Kind == ValueKind.CoRe)
        {
            CoReStore(address, _ts.Primitive(size switch { 1 => CTypeKind.Byte, 2 => CTypeKind.UInt16, 4 => CTypeKind.UInt32, _ => CTypeKind.UInt64 }), value);
            return;
        }

        var insn = new IrInstruction { Op = IrOp.Store, Size = SizeOf(size) };
        if (value.IsConstant && (size < 8 ? true : value.Constant is >= int.MinValue and <= int.MaxValue))
        {
            insn.HasImmediate = true;
            insn.Immediate = size switch { 1 => (sbyte)value.Constant, 2 => (short)value.Constant, 4 => (int)value.Constant, _ => value.Constant };
        }
        else
        {
            insn.B = Materialize(value, widen: size == 8);
        }

        var (reg, slot, offset) = AddressOf(address);
        insn.A = reg;
        insn.Slot = slot;
        insn.Offset = offset;
        Emit(insn);
    }

    private static int ChunkSize(int remaining, int align) =>
        remaining >= 8 && align >= 8 ? 8 : remaining >= 4 && align >= 4 ? 4 : remaining >= 2 && align >= 2 ? 2 : 1;

    /// <summary>Copy chunk: frame slots, map values and ring-buffer records are 8-byte aligned, so the widest
    /// access that keeps both sides naturally aligned (the verifier insists on it for the stack).</summary>
    private static int CopyChunk(int remaining, int sourceOffset, int destinationOffset)
    {
        var chunk = 8;
        while (chunk > 1 && (remaining < chunk || sourceOffset % chunk != 0 || destinationOffset % chunk != 0))
        {
            chunk /= 2;
        }

        return chunk;
    }

    private void CopyMemory(Value source, Value destination, int size, int align)
    {
        if (source.Kind == ValueKind.Frame && destination.Kind == ValueKind.Frame && source.Slot == destination.Slot && source.Offset == destination.Offset)
        {
            return;
        }

        var src = AddressOf(source);
        var dst = AddressOf(destination);
        for (var done = 0; done < size;)
        {
            var chunk = CopyChunk(size - done, src.Offset + done, dst.Offset + done);
            var t = _fn.NewRegister();
            Emit(new IrInstruction { Op = IrOp.Load, Dst = t, A = src.Register, Slot = src.Slot, Offset = src.Offset + done, Size = SizeOf(chunk) });
            Emit(new IrInstruction { Op = IrOp.Store, A = dst.Register, Slot = dst.Slot, Offset = dst.Offset + done, B = t, Size = SizeOf(chunk) });
            done += chunk;
        }
    }

    private void ZeroMemory(Value destination, int size, int align)
    {
        var dst = AddressOf(destination);
        if (dst.Slot >= 0)
        {
            align = Math.Max(align, 8); // frame slots are 8-aligned
        }

        for (var done = 0; done < size;)
        {
            var chunk = ChunkSize(size - done, align);
            Emit(new IrInstruction { Op = IrOp.Store, A = dst.Register, Slot = dst.Slot, Offset = dst.Offset + done, HasImmediate = true, Immediate = 0, Size = SizeOf(chunk) });
            done += chunk;
        }
    }

    private Value CopyToNewSlot(Value structValue, string name)
    {
        var type = structValue.StructType!;
        var (size, align) = TypeLayout.SizeAndAlignment(_ts, type);
        var slot = _fn.NewSlot(size, align, name + ".copy");
        CopyMemory(structValue.Address!, Value.FrameAddress(slot, 0), size, align);
        return Value.StructAt(Value.FrameAddress(slot, 0), type);
    }

    /// <summary>Before a local's register is written, values on the stack that still name it get their own copy.</summary>
    private void DetachStackReferences(int register)
    {
        for (var i = 0; i < _stack.Count; i++)
        {
            var v = _stack[i];
            if (v.Kind == ValueKind.CoRe && v.Register == register)
            {
                var copy = _fn.NewRegister();
                Emit(new IrInstruction { Op = IrOp.Mov, Dst = copy, A = register });
                var moved = Clone(v);
                moved.Register = copy;
                _stack[i] = moved;
                continue;
            }

            if ((v.Kind is ValueKind.Register or ValueKind.RegisterOffset && v.Register == register)
                || (v.Kind == ValueKind.Compare && (Mentions(v.Left!, register) || Mentions(v.Right!, register))))
            {
                var copy = _fn.NewRegister();
                if (v.Kind == ValueKind.Compare)
                {
                    MaterializeInto(v, copy, widen: false);
                    _stack[i] = Value.Reg(copy, false, zext: true);
                }
                else
                {
                    Emit(new IrInstruction { Op = IrOp.Mov, Dst = copy, A = register });
                    _stack[i] = v.Kind == ValueKind.Register ? Value.Reg(copy, v.Wide, v.Zext) : Value.RegOffset(copy, v.Offset);
                }
            }
        }
    }

    private static bool Mentions(Value v, int register) =>
        v.Kind is ValueKind.Register or ValueKind.RegisterOffset or ValueKind.CoRe && v.Register == register;
}
