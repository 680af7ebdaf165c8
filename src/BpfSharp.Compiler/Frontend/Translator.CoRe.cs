using BpfSharp.Compiler.Ir;
using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Frontend;

/// <summary>
/// CO-RE: field accesses through pointers to [Relocatable] types fold into one access string per pointer hop
/// (clang's preserve_access_index), and the Core intrinsics (bpf_core_read.h) lower to the instruction forms
/// clang emits, each carrying its relocation record with the value computed from our own local BTF.
/// </summary>
internal sealed partial class Translator
{
    private const int FieldByteOffset = 0, FieldByteSize = 1, FieldExists = 2, FieldSigned = 3, FieldLShift = 4,
        FieldRShift = 5, TypeIdLocal = 6, TypeIdTarget = 7, TypeExists = 8, TypeSize = 9, EnumValueExists = 10,
        EnumValueKind = 11, TypeMatches = 12;

    private const int ProbeReadUser = 112, ProbeReadKernel = 113, ProbeReadUserString = 114, ProbeReadKernelString = 115;

    /// <summary>Starts or extends a CO-RE chain for a field access; null when the access is not relocatable.</summary>
    private Value? CoReFieldAddress(Value obj, CField field, CType declaring)
    {
        if (obj.Kind == ValueKind.CoRe && obj.IndexRegister >= 0)
        {
            // After a run-time index the chain cannot go on: its address becomes the base of a new one.
            obj = Value.Reg(CoReAddress(obj), true);
        }

        if (obj.Kind == ValueKind.CoRe)
        {
            var v = Clone(obj);
            if (v.InFixedBuffer)
            {
                // C# fixed buffer: ldflda buffer; ldflda FixedElementField → an array whose index comes next.
                v.InFixedBuffer = false;
                v.PendingElementSize = TypeLayout.SizeAndAlignment(_ts, field.Type).Size;
                v.Current = field.Type;
                return v;
            }

            FinishElement(v);
            v.Access!.Add(field.MemberIndex);
            v.Offset += field.Offset;
            v.Current = field.Type;
            v.InFixedBuffer = field.FixedElement is not null;
            v.LastField = field;
            return v;
        }

        TypeLayout.EnsureLayout(_ts, declaring);
        if (!declaring.IsRelocatable)
        {
            return null;
        }

        if (obj.Kind is ValueKind.Frame or ValueKind.Global or ValueKind.Struct)
        {
            throw Error(DiagnosticIds.RelocatableLayout, $"'{declaring.Name}' is [Relocatable] and can only be reached through a pointer");
        }

        return new Value
        {
            Kind = ValueKind.CoRe,
            Wide = true,
            Register = Materialize(obj, widen: true),
            StructType = declaring,
            Access = [0, field.MemberIndex],
            Offset = field.Offset,
            Current = field.Type,
            InFixedBuffer = field.FixedElement is not null,
            LastField = field,
        };
    }

    private static Value Clone(Value v) => new()
    {
        Kind = v.Kind, Wide = v.Wide, Register = v.Register, StructType = v.StructType, Access = [.. v.Access!],
        Offset = v.Offset, Current = v.Current, InFixedBuffer = v.InFixedBuffer, PendingElementSize = v.PendingElementSize,
        LastField = v.LastField, IndexRegister = v.IndexRegister,
    };

    /// <summary>A variable index into a relocatable array: the access string stops at the array member (as
    /// clang's does) and the scaled index is added at run time; loads stay probe-reads where they must.</summary>
    private Value CoReVariableIndex(Value v, Value byteOffset)
    {
        var moved = Clone(v);
        moved.PendingElementSize = 0;
        var index = Materialize(byteOffset.Wide ? byteOffset : Widen(byteOffset, signed: true), widen: true);
        if (moved.IndexRegister >= 0)
        {
            var sum = _fn.NewRegister();
            Emit(new IrInstruction { Op = IrOp.Binary, Alu = AluOperation.Add, Dst = sum, A = moved.IndexRegister, B = index });
            index = sum;
        }

        moved.IndexRegister = index;
        return moved;
    }

    /// <summary>A pending array (fixed buffer) accessed without an index means element 0.</summary>
    private static void FinishElement(Value v)
    {
        if (v.PendingElementSize > 0)
        {
            v.Access!.Add(0);
            v.PendingElementSize = 0;
        }
    }

    /// <summary>Constant pointer arithmetic inside a CO-RE chain: an array index (kept in the access string).</summary>
    private static Value? CoReOffset(Value v, int delta)
    {
        if (v.PendingElementSize > 0 && delta >= 0 && delta % v.PendingElementSize == 0)
        {
            var moved = Clone(v);
            moved.Access!.Add(delta / v.PendingElementSize);
            moved.Offset += delta;
            moved.PendingElementSize = 0;
            return moved;
        }

        return null;
    }

    private CoReUse Use(Value v, int kind)
    {
        var root = v.StructType!;
        if (string.IsNullOrEmpty(root.BtfName ?? "x"))
        {
            throw Error(DiagnosticIds.RelocatableLayout, $"'{root.Name}' is anonymous in BTF and cannot be the root of a CO-RE access");
        }

        return new CoReUse(_unit.BtfTypes.Get(root), string.Join(':', v.Access!), kind);
    }

    /// <summary>r = base + relocated byte offset.</summary>
    private int CoReAddress(Value v)
    {
        var off = _fn.NewRegister();
        Emit(new IrInstruction { Op = IrOp.Mov, Dst = off, HasImmediate = true, Immediate = v.Offset, CoRe = Use(v, FieldByteOffset) });
        var r = _fn.NewRegister();
        Emit(new IrInstruction { Op = IrOp.Binary, Alu = AluOperation.Add, Dst = r, A = off, B = v.Register });
        if (v.IndexRegister < 0)
        {
            return r;
        }

        var indexed = _fn.NewRegister();
        Emit(new IrInstruction { Op = IrOp.Binary, Alu = AluOperation.Add, Dst = indexed, A = r, B = v.IndexRegister });
        return indexed;
    }

    /// <summary>A load through a CO-RE chain: one relocated LDX through a BTF pointer, a probe-read otherwise.</summary>
    private Value CoReLoad(Value address, CType type)
    {
        var v = Clone(address);
        FinishElement(v);
        if (type.Kind == CTypeKind.Struct)
        {
            TypeLayout.EnsureLayout(_ts, type);
            if (type.IsRelocatable)
            {
                throw Error(DiagnosticIds.RelocatableLayout,
                    $"copying a [Relocatable] '{type.Name}' by value: its size is the running kernel's; access its fields through a pointer");
            }
        }

        var (size, align) = TypeLayout.SizeAndAlignment(_ts, type);
        if (type.Kind == CTypeKind.Struct)
        {
            return ProbeReadInto(v, type, size, align, ProbeReadKernel);
        }

        // One LDX or a probe-read: PointerProvenance decides once it knows where the base pointer comes from.
        var dst = _fn.NewRegister();
        Emit(new IrInstruction
        {
            Op = IrOp.KernelLoad, Dst = dst, A = v.Register, B = v.IndexRegister, Offset = v.Offset, Size = SizeOf(size),
            CoRe = Use(v, FieldByteOffset), LoadsStructPointer = type.Kind == CTypeKind.Pointer && type.Element?.Kind == CTypeKind.Struct,
        });
        return Extend(dst, type, size);
    }

    private Value ProbeReadInto(Value v, CType type, int size, int align, int helper)
    {
        var slot = _fn.NewSlot(size, align, "core_read");
        var address = CoReAddress(v);
        CallProbeRead(helper, Value.FrameAddress(slot, 0), Value.Const(size, false), address);
        return LoadValue(Value.FrameAddress(slot, 0), type);
    }

    /// <summary>bpf_probe_read_*(destination, size, address): the size may carry its own relocation
    /// (FIELD_BYTE_SIZE for bitfields).</summary>
    private void CallProbeRead(int helper, Value destination, Value size, int address, CoReUse? sizeRelocation = null)
    {
        MaterializeInto(destination, 1, widen: true);
        if (sizeRelocation is not null)
        {
            Emit(new IrInstruction { Op = IrOp.Mov, Dst = 2, HasImmediate = true, Immediate = size.Constant, CoRe = sizeRelocation });
        }
        else
        {
            MaterializeInto(size, 2, widen: true);
        }

        Emit(new IrInstruction { Op = IrOp.Mov, Dst = 3, A = address });
        Emit(new IrInstruction { Op = IrOp.Call, HelperId = helper, ArgumentCount = 3 });
    }

    private Value Extend(int register, CType type, int size) => Extend(register, size, type.IsSigned && size < 4, IsWide(type));

    private void CoReStore(Value address, CType type, Value value)
    {
        var v = Clone(address);
        FinishElement(v);
        if (type.Kind == CTypeKind.Struct || v.Offset > short.MaxValue || v.IndexRegister >= 0)
        {
            throw Error(DiagnosticIds.RelocatableLayout, "stores through a CO-RE access must be scalar, at a constant index and within 32 KiB of the pointer");
        }

        var size = TypeLayout.SizeAndAlignment(_ts, type).Size;
        // Only a BTF pointer may be written through: PointerProvenance checks once it knows the base's origin.
        var insn = new IrInstruction
        {
            Op = IrOp.Store, A = v.Register, Offset = v.Offset, Size = SizeOf(size), CoRe = Use(v, FieldByteOffset),
            KernelStoreAt = Position is { } at ? (at.Method.Module, at.Method.Handle, at.IlOffset) : null,
        };
        if (value.IsConstant && value.Constant is >= int.MinValue and <= int.MaxValue)
        {
            insn.HasImmediate = true;
            insn.Immediate = value.Constant;
        }
        else
        {
            insn.B = Materialize(value, widen: size == 8);
        }

        Emit(insn);
    }

    // ---- pointer arithmetic on relocatable pointers: p + n → access string "n:…" ----

    private bool TryRelocatableArithmetic(AluOperation op, Value a, Value b)
    {
        if (a.Kind != ValueKind.RelocatableSize && b.Kind != ValueKind.RelocatableSize)
        {
            return false;
        }

        if (op == AluOperation.Mul)
        {
            var (size, count) = a.Kind == ValueKind.RelocatableSize ? (a, b) : (b, a);
            if (count.IsConstant)
            {
                Push(new Value { Kind = ValueKind.RelocatableSize, StructType = size.StructType, Constant = size.Constant * count.Constant, Wide = true });
                return true;
            }
        }
        else if (op == AluOperation.Add)
        {
            var (scaled, pointer) = a.Kind == ValueKind.RelocatableSize ? (a, b) : (b, a);
            if (scaled.Constant >= 0 && pointer.Kind is ValueKind.Register or ValueKind.RegisterOffset)
            {
                var root = scaled.StructType!;
                Push(new Value
                {
                    Kind = ValueKind.CoRe,
                    Wide = true,
                    Register = Materialize(pointer, widen: true),
                    StructType = root,
                    Access = [(int)scaled.Constant],
                    Offset = (int)scaled.Constant * TypeLayout.SizeAndAlignment(_ts, root).Size,
                    Current = root,
                });
                return true;
            }
        }

        throw Error(DiagnosticIds.RelocatableLayout,
            $"sizeof({a.StructType?.Name ?? b.StructType?.Name}) of a [Relocatable] type is not a constant; only constant pointer offsets (p + 2, p[2]) relocate; use Core.TypeSize<T>()");
    }

    // ---- intrinsics (BpfSharp.Kernel.Core) ----

    private void TranslateCoReIntrinsic(ResolvedMethod method, Value[] args)
    {
        var name = method.Name;
        switch (name)
        {
            case "FieldExists": PushRelocatedConstant(FieldChain(args, name), FieldExists, false); return;
            case "FieldOffset": PushRelocatedConstant(FieldChain(args, name), FieldByteOffset, false); return;
            case "FieldSize": PushRelocatedConstant(FieldChain(args, name), FieldByteSize, false); return;
            case "FieldSigned": PushRelocatedConstant(FieldChain(args, name), FieldSigned, false); return;
            case "FieldLShift": PushRelocatedConstant(FieldChain(args, name), FieldLShift, false); return;
            case "FieldRShift": PushRelocatedConstant(FieldChain(args, name), FieldRShift, false); return;
            case "TypeExists": PushTypeRelocation(method, TypeExists); return;
            case "TypeSize": PushTypeRelocation(method, TypeSize); return;
            case "TypeMatches": PushTypeRelocation(method, TypeMatches); return;
            case "TypeIdLocal": PushTypeRelocation(method, TypeIdLocal); return;
            case "TypeIdTarget": PushTypeRelocation(method, TypeIdTarget); return;
            case "EnumValueExists": PushEnumRelocation(method, args, EnumValueExists); return;
            case "EnumValue": PushEnumRelocation(method, args, EnumValueKind); return;
            case "Read" or "ReadUser":
            {
                var v = Clone(FieldChain(args, name));
                FinishElement(v);
                var type = method.MethodTypeArguments[0];
                var (size, align) = TypeLayout.SizeAndAlignment(_ts, type);
                Push(ProbeReadInto(v, type, size, align, name == "Read" ? ProbeReadKernel : ProbeReadUser));
                return;
            }

            case "ReadPointer" or "ReadUserPointer":
            {
                // A pointer field: 8 bytes, read as bpf_core_read does; the value is a plain 64-bit scalar.
                var v = Clone(FieldChain(args, name));
                FinishElement(v);
                var type = _ts.Primitive(CTypeKind.UInt64);
                Push(ProbeReadInto(v, type, 8, 8, name == "ReadPointer" ? ProbeReadKernel : ProbeReadUser));
                return;
            }

            case "ReadString" or "ReadUserString":
            {
                var v = Clone(FieldChain(args[2..], name));
                FinishElement(v);
                var address = CoReAddress(v);
                CallProbeRead(name == "ReadString" ? ProbeReadKernelString : ProbeReadUserString, args[0], args[1], address);
                PushResult(0, _ts.Primitive(CTypeKind.Int64));
                return;
            }

            case "ReadBitfield":
                ReadBitfield(FieldChain(args, name));
                return;
        }

        throw Error(DiagnosticIds.UnknownMethod, $"Core.{name} has no BPF translation");
    }

    private Value FieldChain(Value[] args, string intrinsic)
    {
        if (args.Length == 0 || args[0].Kind != ValueKind.CoRe)
        {
            throw Error(DiagnosticIds.RelocatableLayout,
                $"Core.{intrinsic} needs a field of a [Relocatable] type reached through a pointer, e.g. Core.{intrinsic}(in task->pid)");
        }

        return args[0];
    }

    /// <summary>libbpf's local field info (bpf_core_calc_field_relo on our own BTF).</summary>
    private (long ByteOffset, long ByteSize, long LShift, long RShift, bool Signed) FieldInfo(Value chain)
    {
        var v = Clone(chain);
        FinishElement(v);
        var field = v.LastField;
        var type = v.Current!;
        var bitfield = field?.BitfieldBits ?? 0;
        if (bitfield > 0 && v.Access!.Count > 0 && v.Access[^1] == field!.MemberIndex)
        {
            long bitOff = v.Offset * 8L, byteSize = TypeLayout.SizeAndAlignment(_ts, type).Size;
            var byteOff = bitOff / 8 / byteSize * byteSize;
            while (bitOff + bitfield - (byteOff * 8) > byteSize * 8 && byteSize < 8)
            {
                byteSize *= 2;
                byteOff = bitOff / 8 / byteSize * byteSize;
            }

            return (byteOff, byteSize, 64 - (bitOff + bitfield - (byteOff * 8)), 64 - bitfield, type.IsSigned);
        }

        var size = type.Kind == CTypeKind.Struct ? TypeLayout.SizeAndAlignment(_ts, type).Size : type.ScalarSize;
        return (v.Offset, size, 64 - (size * 8), 64 - (size * 8), type.IsSigned);
    }

    private void PushRelocatedConstant(Value chain, int kind, bool wide)
    {
        var v = Clone(chain);
        FinishElement(v);
        var info = FieldInfo(v);
        long value = kind switch
        {
            FieldByteOffset => info.ByteOffset,
            FieldByteSize => info.ByteSize,
            FieldExists => 1,
            FieldSigned => info.Signed ? 1 : 0,
            FieldLShift => info.LShift,
            _ => info.RShift,
        };
        var dst = _fn.NewRegister();
        Emit(new IrInstruction { Op = IrOp.Mov, Dst = dst, HasImmediate = true, Immediate = value, CoRe = Use(v, kind) });
        Push(Value.Reg(dst, wide, zext: true));
    }

    private void PushTypeRelocation(ResolvedMethod method, int kind)
    {
        var type = method.MethodTypeArguments[0];
        if (type.Kind == CTypeKind.Struct)
        {
            TypeLayout.EnsureLayout(_ts, type);
        }

        var id = _unit.BtfTypes.Get(type);
        var dst = _fn.NewRegister();
        if (kind is TypeIdLocal or TypeIdTarget)
        {
            Emit(new IrInstruction { Op = IrOp.LoadImm64, Dst = dst, Immediate = id, CoRe = new CoReUse(id, "0", kind) });
            Push(Value.Reg(dst, false));
            return;
        }

        long value = kind == TypeSize ? TypeLayout.SizeAndAlignment(_ts, type).Size : 1;
        Emit(new IrInstruction { Op = IrOp.Mov, Dst = dst, HasImmediate = true, Immediate = value, CoRe = new CoReUse(id, "0", kind) });
        Push(Value.Reg(dst, false, zext: true));
    }

    private void PushEnumRelocation(ResolvedMethod method, Value[] args, int kind)
    {
        var type = method.MethodTypeArguments[0];
        if (type.Kind != CTypeKind.Enum || args.Length == 0 || !args[0].IsConstant)
        {
            throw Error(DiagnosticIds.RelocatableLayout, $"Core.{method.Name} needs a constant enumerator of an enum type, e.g. Core.{method.Name}(PidType.PIDTYPE_TGID)");
        }

        var index = type.EnumValues.FindIndex(e => e.Value == args[0].Constant);
        if (index < 0)
        {
            throw Error(DiagnosticIds.RelocatableLayout, $"{args[0].Constant} is not an enumerator of {type.Name}");
        }

        var id = _unit.BtfTypes.Get(type);
        var dst = _fn.NewRegister();
        var value = kind == EnumValueExists ? 1 : type.EnumValues[index].Value;
        Emit(new IrInstruction { Op = IrOp.LoadImm64, Dst = dst, Immediate = value, CoRe = new CoReUse(id, index.ToString(System.Globalization.CultureInfo.InvariantCulture), kind) });
        Push(Value.Reg(dst, kind == EnumValueKind));
    }

    /// <summary>BPF_CORE_READ_BITFIELD_PROBED: read the relocated storage unit, shift left, shift right.</summary>
    private void ReadBitfield(Value chain)
    {
        var v = Clone(chain);
        FinishElement(v);
        var info = FieldInfo(v);
        var slot = _fn.NewSlot(8, 8, "bitfield");
        ZeroMemory(Value.FrameAddress(slot, 0), 8, 8);
        var offset = _fn.NewRegister();
        Emit(new IrInstruction { Op = IrOp.Mov, Dst = offset, HasImmediate = true, Immediate = info.ByteOffset, CoRe = Use(v, FieldByteOffset) });
        var address = _fn.NewRegister();
        Emit(new IrInstruction { Op = IrOp.Binary, Alu = AluOperation.Add, Dst = address, A = offset, B = v.Register });
        CallProbeRead(ProbeReadKernel, Value.FrameAddress(slot, 0), Value.Const(info.ByteSize, false), address, Use(v, FieldByteSize));
        var value = _fn.NewRegister();
        Emit(new IrInstruction { Op = IrOp.Load, Dst = value, Slot = slot, Size = MemorySize.DoubleWord });
        var shifted = _fn.NewRegister();
        Emit(new IrInstruction { Op = IrOp.Binary, Alu = AluOperation.Lsh, Dst = shifted, A = value, HasImmediate = true, Immediate = info.LShift, CoRe = Use(v, FieldLShift) });
        // As the macro does: the signedness is relocated too, and picks the arithmetic or logical shift at run time.
        var signedness = _fn.NewRegister();
        Emit(new IrInstruction { Op = IrOp.Mov, Dst = signedness, HasImmediate = true, Immediate = info.Signed ? 1 : 0, CoRe = Use(v, FieldSigned) });
        var result = _fn.NewRegister();
        var logical = NewBlock();
        var arithmetic = NewBlock();
        var join = NewBlock();
        _current.Terminator = TerminatorKind.Branch;
        _current.Condition = JumpOperation.Jeq;
        _current.CompareA = signedness;
        _current.CompareImmediate = true;
        _current.CompareValue = 0;
        _current.Target = logical;
        _current.FalseTarget = arithmetic;
        _current.TerminatorLine = _line;
        foreach (var (block, op) in new[] { (arithmetic, AluOperation.Arsh), (logical, AluOperation.Rsh) })
        {
            _current = block;
            Place(block);
            Emit(new IrInstruction { Op = IrOp.Binary, Alu = op, Dst = result, A = shifted, HasImmediate = true, Immediate = info.RShift, CoRe = Use(v, FieldRShift) });
            Jump(join);
        }

        _current = join;
        Place(join);
        Push(Value.Reg(result, true));
    }
}
