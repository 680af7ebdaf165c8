using System.Reflection.Metadata;
using BpfSharp.Compiler.Ir;
using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Frontend;

internal sealed partial class Translator
{
    private void TranslateInstruction(IlInstruction insn, int index)
    {
        var frame = Frame;
        var nextOffset = index + 1 < frame.Code.Count ? frame.Code[index + 1].Offset : -1;
        if (_current.Terminator != TerminatorKind.None)
        {
            return; // unreachable code after a terminator (never a block start)
        }

        switch (insn.OpCode)
        {
            case ILOpCode.Nop or ILOpCode.Volatile or ILOpCode.Unaligned or ILOpCode.Readonly or ILOpCode.Tail or ILOpCode.Constrained or ILOpCode.Break:
                break;

            // ---- constants ----
            case ILOpCode.Ldc_i4:
                Push(Value.Const((int)insn.Int, false));
                break;
            case ILOpCode.Ldc_i8:
                Push(Value.Const(insn.Int, true));
                break;
            case ILOpCode.Ldnull:
                Push(Value.Const(0, true));
                break;
            case ILOpCode.Ldc_r4 or ILOpCode.Ldc_r8:
                throw Error(DiagnosticIds.FloatingPoint, "floating-point constant: BPF has no floating point");
            case ILOpCode.Ldstr:
                Push(Value.Str(frame.Method.Module.Reader.GetUserString(insn.String)));
                break;

            // ---- arguments and locals ----
            case ILOpCode.Ldarg:
                Push(LoadArgument((int)insn.Int));
                break;
            case ILOpCode.Ldarga:
                Push(Value.FrameAddress(frame.ArgSlots[insn.Int], 0));
                break;
            case ILOpCode.Starg:
                StoreArgument((int)insn.Int, Pop());
                break;
            case ILOpCode.Ldloc:
                Push(LoadLocal((int)insn.Int));
                break;
            case ILOpCode.Ldloca:
                if (frame.LocalSlots[insn.Int] < 0)
                {
                    throw Error(DiagnosticIds.UnsupportedInstruction, $"address of local {insn.Int} of type {frame.LocalTypes[insn.Int]}");
                }

                Push(Value.FrameAddress(frame.LocalSlots[insn.Int], 0));
                break;
            case ILOpCode.Stloc:
                StoreLocal((int)insn.Int, Pop());
                break;

            // ---- stack ----
            case ILOpCode.Dup:
                var top = Pop();
                Push(top);
                Push(top);
                break;
            case ILOpCode.Pop:
                Pop();
                break;

            // ---- arithmetic ----
            case ILOpCode.Add: Binary(AluOperation.Add, false); break;
            case ILOpCode.Sub: Binary(AluOperation.Sub, false); break;
            case ILOpCode.Mul: Binary(AluOperation.Mul, false); break;
            case ILOpCode.Div: Binary(AluOperation.Div, true); break;
            case ILOpCode.Div_un: Binary(AluOperation.Div, false); break;
            case ILOpCode.Rem: Binary(AluOperation.Mod, true); break;
            case ILOpCode.Rem_un: Binary(AluOperation.Mod, false); break;
            case ILOpCode.And: Binary(AluOperation.And, false); break;
            case ILOpCode.Or: Binary(AluOperation.Or, false); break;
            case ILOpCode.Xor: Binary(AluOperation.Xor, false); break;
            case ILOpCode.Shl: Binary(AluOperation.Lsh, false); break;
            case ILOpCode.Shr: Binary(AluOperation.Arsh, false); break;
            case ILOpCode.Shr_un: Binary(AluOperation.Rsh, false); break;
            case ILOpCode.Neg: Unary(negate: true); break;
            case ILOpCode.Not: Unary(negate: false); break;
            case ILOpCode.Add_ovf or ILOpCode.Add_ovf_un or ILOpCode.Sub_ovf or ILOpCode.Sub_ovf_un or ILOpCode.Mul_ovf or ILOpCode.Mul_ovf_un:
                throw Error(DiagnosticIds.Exceptions, "checked arithmetic throws OverflowException; BPF has no exceptions (use unchecked)");

            // ---- conversions ----
            case ILOpCode.Conv_i1: Convert(8, true, false); break;
            case ILOpCode.Conv_u1: Convert(8, false, false); break;
            case ILOpCode.Conv_i2: Convert(16, true, false); break;
            case ILOpCode.Conv_u2: Convert(16, false, false); break;
            case ILOpCode.Conv_i4 or ILOpCode.Conv_u4: Convert(32, insn.OpCode == ILOpCode.Conv_i4, false); break;
            case ILOpCode.Conv_i8 or ILOpCode.Conv_i: Convert(64, true, true); break;
            case ILOpCode.Conv_u8 or ILOpCode.Conv_u: Convert(64, false, true); break;
            case ILOpCode.Conv_r4 or ILOpCode.Conv_r8 or ILOpCode.Conv_r_un or ILOpCode.Ckfinite:
                throw Error(DiagnosticIds.FloatingPoint, "conversion to floating point: BPF has no floating point");
            case >= ILOpCode.Conv_ovf_i1_un and <= ILOpCode.Conv_ovf_u_un:
            case >= ILOpCode.Conv_ovf_i1 and <= ILOpCode.Conv_ovf_u8:
            case ILOpCode.Conv_ovf_i or ILOpCode.Conv_ovf_u:
                throw Error(DiagnosticIds.Exceptions, "checked conversion throws OverflowException; BPF has no exceptions (use unchecked)");

            // ---- comparisons ----
            case ILOpCode.Ceq: CompareToStack(JumpOperation.Jeq); break;
            case ILOpCode.Cgt: CompareToStack(JumpOperation.Jsgt); break;
            case ILOpCode.Cgt_un: CompareToStack(JumpOperation.Jgt); break;
            case ILOpCode.Clt: CompareToStack(JumpOperation.Jslt); break;
            case ILOpCode.Clt_un: CompareToStack(JumpOperation.Jlt); break;

            // ---- branches ----
            case ILOpCode.Br:
                TransferStack((int)insn.Int);
                Jump(frame.Blocks[(int)insn.Int]);
                break;
            case ILOpCode.Brtrue:
                Branch(Pop(), (int)insn.Int, nextOffset);
                break;
            case ILOpCode.Brfalse:
            {
                var v = Pop();
                Branch(MakeCompare(JumpOperation.Jeq, v, Value.Const(0, v.Wide)), (int)insn.Int, nextOffset);
                break;
            }

            case ILOpCode.Beq: BranchCompare(JumpOperation.Jeq, insn, nextOffset); break;
            case ILOpCode.Bne_un: BranchCompare(JumpOperation.Jne, insn, nextOffset); break;
            case ILOpCode.Bge: BranchCompare(JumpOperation.Jsge, insn, nextOffset); break;
            case ILOpCode.Bge_un: BranchCompare(JumpOperation.Jge, insn, nextOffset); break;
            case ILOpCode.Bgt: BranchCompare(JumpOperation.Jsgt, insn, nextOffset); break;
            case ILOpCode.Bgt_un: BranchCompare(JumpOperation.Jgt, insn, nextOffset); break;
            case ILOpCode.Ble: BranchCompare(JumpOperation.Jsle, insn, nextOffset); break;
            case ILOpCode.Ble_un: BranchCompare(JumpOperation.Jle, insn, nextOffset); break;
            case ILOpCode.Blt: BranchCompare(JumpOperation.Jslt, insn, nextOffset); break;
            case ILOpCode.Blt_un: BranchCompare(JumpOperation.Jlt, insn, nextOffset); break;
            case ILOpCode.Switch:
                TranslateSwitch(insn, nextOffset);
                break;
            case ILOpCode.Ret:
                TranslateReturn();
                break;

            // ---- memory ----
            case ILOpCode.Ldind_i1: Push(Load(Pop(), 1, true, false)); break;
            case ILOpCode.Ldind_u1: Push(Load(Pop(), 1, false, false)); break;
            case ILOpCode.Ldind_i2: Push(Load(Pop(), 2, true, false)); break;
            case ILOpCode.Ldind_u2: Push(Load(Pop(), 2, false, false)); break;
            case ILOpCode.Ldind_i4 or ILOpCode.Ldind_u4: Push(Load(Pop(), 4, false, false)); break;
            case ILOpCode.Ldind_i8 or ILOpCode.Ldind_i: Push(Load(Pop(), 8, false, true)); break;
            case ILOpCode.Ldind_r4 or ILOpCode.Ldind_r8 or ILOpCode.Stind_r4 or ILOpCode.Stind_r8:
                throw Error(DiagnosticIds.FloatingPoint, "floating-point memory access: BPF has no floating point");
            case ILOpCode.Ldind_ref:
                throw Error(DiagnosticIds.ReferenceType, "loading an object reference: BPF programs have no managed objects");
            case ILOpCode.Stind_i1 or ILOpCode.Stind_i2 or ILOpCode.Stind_i4 or ILOpCode.Stind_i8 or ILOpCode.Stind_i:
            {
                var value = Pop();
                var address = Pop();
                Store(address, insn.OpCode switch { ILOpCode.Stind_i1 => 1, ILOpCode.Stind_i2 => 2, ILOpCode.Stind_i4 => 4, _ => 8 }, value);
                break;
            }

            case ILOpCode.Ldobj:
                Push(LoadValue(Pop(), ResolveType(insn.Token)));
                break;
            case ILOpCode.Stobj:
            {
                var value = Pop();
                var address = Pop();
                StoreValue(address, ResolveType(insn.Token), value);
                break;
            }

            case ILOpCode.Cpobj:
            {
                var type = ResolveType(insn.Token);
                var src = Pop();
                var dst = Pop();
                StoreValue(dst, type, LoadValue(src, type));
                break;
            }

            case ILOpCode.Initobj:
            {
                var type = ResolveType(insn.Token);
                CheckUsable(type);
                var (size, align) = TypeLayout.SizeAndAlignment(_ts, type);
                ZeroMemory(Pop(), size, align);
                break;
            }

            case ILOpCode.Initblk or ILOpCode.Cpblk:
            {
                var size = Pop();
                var b = Pop();
                var a = Pop();
                if (!size.IsConstant || size.Constant is < 0 or > 512)
                {
                    throw Error(DiagnosticIds.UnsupportedInstruction, "block copy/initialisation needs a constant size of at most 512 bytes");
                }

                if (insn.OpCode == ILOpCode.Cpblk)
                {
                    CopyMemory(b, a, (int)size.Constant, 1);
                }
                else if (b.IsConstant && b.Constant == 0)
                {
                    ZeroMemory(a, (int)size.Constant, 1);
                }
                else
                {
                    throw Error(DiagnosticIds.UnsupportedInstruction, "initblk with a non-zero value");
                }

                break;
            }

            case ILOpCode.Sizeof:
            {
                var type = ResolveType(insn.Token);
                if (type.Kind == CTypeKind.Struct && (TypeLayout.EnsureLayoutAndCheck(_ts, type) || type.IsRelocatable))
                {
                    // Pointer arithmetic on R* multiplies by sizeof(R): kept symbolic (see TryRelocatableArithmetic).
                    Push(new Value { Kind = ValueKind.RelocatableSize, StructType = type, Constant = 1, Wide = true });
                    break;
                }

                CheckSizeable(type);
                Push(Value.Const(TypeLayout.SizeAndAlignment(_ts, type).Size, false));
                break;
            }

            case ILOpCode.Localloc:
            {
                var size = Pop();
                if (size.Kind == ValueKind.RelocatableSize)
                {
                    throw Error(DiagnosticIds.RelocatableLayout, $"stackalloc of [Relocatable] '{size.StructType!.Name}': its size is the running kernel's");
                }

                if (!size.IsConstant || size.Constant is <= 0 or > 512)
                {
                    throw Error(DiagnosticIds.UnsupportedInstruction, "stackalloc needs a constant size of at most 512 bytes");
                }

                var slot = _fn.NewSlot((int)size.Constant, 8, frame.Method.Name + ".stackalloc");
                ZeroMemory(Value.FrameAddress(slot, 0), (int)size.Constant, 8);
                Push(Value.FrameAddress(slot, 0));
                break;
            }

            // ---- fields ----
            case ILOpCode.Ldfld:
            {
                var (field, declaring) = ResolveInstanceField(insn.Token);
                var obj = Pop();
                Push(LoadValue(FieldAddress(obj, field, declaring), field.Type));
                break;
            }

            case ILOpCode.Ldflda:
            {
                var (field, declaring) = ResolveInstanceField(insn.Token);
                Push(FieldAddress(Pop(), field, declaring));
                break;
            }

            case ILOpCode.Stfld:
            {
                var (field, declaring) = ResolveInstanceField(insn.Token);
                var value = Pop();
                var obj = Pop();
                StoreValue(FieldAddress(obj, field, declaring), field.Type, value);
                break;
            }

            case ILOpCode.Ldsfld:
                Push(LoadStatic(insn.Token, address: false));
                break;
            case ILOpCode.Ldsflda:
                Push(LoadStatic(insn.Token, address: true));
                break;
            case ILOpCode.Stsfld:
            {
                var value = Pop();
                var global = LoadStatic(insn.Token, address: true);
                var f = _ts.ResolveField(frame.Method.Module, insn.Token, frame.Method.Context)!.Value;
                StoreValue(global, f.FieldType, value);
                break;
            }

            // ---- calls ----
            case ILOpCode.Call or ILOpCode.Callvirt:
                TranslateCall(insn, insn.OpCode == ILOpCode.Callvirt);
                break;
            case ILOpCode.Newobj:
                TranslateNewObject(insn);
                break;

            case ILOpCode.Ldftn:
            {
                var target = _ts.ResolveMethod(frame.Method.Module, insn.Token, frame.Method.Context, out _)
                    ?? throw Error(DiagnosticIds.UnknownMethod, "the address of a method outside the readable assemblies");
                if (!target.IsStatic)
                {
                    throw Error(DiagnosticIds.UnsupportedInstruction, $"the address of instance method '{target.DisplayName}': callbacks must be static");
                }

                Push(new Value { Kind = ValueKind.Function, Symbol = _unit.GetSubprogram(target), Wide = true });
                break;
            }

            case ILOpCode.Calli:
                throw Error(DiagnosticIds.UnsupportedInstruction, "a call through a function pointer: BPF has no indirect calls (pass &Method only to helpers that take a callback, such as Bpf.Loop)");
            case ILOpCode.Throw or ILOpCode.Rethrow or ILOpCode.Endfinally or ILOpCode.Endfilter:
                throw Error(DiagnosticIds.Exceptions, "throwing or handling exceptions: BPF has no exceptions");
            case ILOpCode.Box or ILOpCode.Unbox or ILOpCode.Unbox_any or ILOpCode.Newarr or ILOpCode.Castclass or ILOpCode.Isinst:
                throw Error(DiagnosticIds.ReferenceType, $"'{insn.OpCode.ToString().ToLowerInvariant()}' allocates or uses managed objects; BPF programs have none");
            case >= ILOpCode.Ldelem_i1 and <= ILOpCode.Stelem_ref:
            case ILOpCode.Ldelem or ILOpCode.Stelem or ILOpCode.Ldelema or ILOpCode.Ldlen:
                throw Error(DiagnosticIds.ReferenceType, "managed arrays do not exist in BPF; use fixed buffers, stackalloc or pointers");
            default:
                throw Error(DiagnosticIds.UnsupportedInstruction, $"IL instruction '{insn.OpCode}' is not supported in BPF programs");
        }
    }

    private CType ResolveType(EntityHandle token) => _ts.ResolveType(Frame.Method.Module, token, Frame.Method.Context);

    private void CheckSizeable(CType type)
    {
        if (type.Kind == CTypeKind.Struct)
        {
            TypeLayout.EnsureLayout(_ts, type);
            if (type.IsRelocatable)
            {
                throw Error(DiagnosticIds.RelocatableLayout,
                    $"sizeof({type.Name}): the type is [Relocatable], its size is the running kernel's; use Core.TypeSize<{type.Name}>()");
            }
        }
    }

    private void BranchCompare(JumpOperation condition, IlInstruction insn, int nextOffset)
    {
        var b = Pop();
        var a = Pop();
        if (a.IsConstant && b.IsConstant)
        {
            TransferStack((int)insn.Int, nextOffset);
            Jump(Frame.Blocks[Evaluate(condition, a.Constant, b.Constant, a.Wide || b.Wide) ? (int)insn.Int : nextOffset]);
            return;
        }

        Branch(MakeCompare(condition, a, b), (int)insn.Int, nextOffset);
    }

    private void TranslateSwitch(IlInstruction insn, int nextOffset)
    {
        var v = Pop();
        var targets = insn.Targets!;
        TransferStack([.. targets, nextOffset]);
        var frame = Frame;
        if (v.IsConstant)
        {
            Jump(frame.Blocks[v.Constant >= 0 && v.Constant < targets.Length ? targets[v.Constant] : nextOffset]);
            return;
        }

        var reg = Materialize(v);
        for (var k = 0; k < targets.Length; k++)
        {
            var next = k + 1 < targets.Length ? NewBlock() : frame.Blocks[nextOffset];
            _current.Terminator = TerminatorKind.Branch;
            _current.Condition = JumpOperation.Jeq;
            _current.Compare32 = true;
            _current.CompareA = reg;
            _current.CompareImmediate = true;
            _current.CompareValue = k;
            _current.Target = frame.Blocks[targets[k]];
            _current.FalseTarget = next;
            _current.TerminatorLine = _line;
            if (k + 1 < targets.Length)
            {
                _current = next;
                Place(next);
            }
        }
    }

    private void TranslateReturn()
    {
        var frame = Frame;
        var returnType = frame.Method.Signature.ReturnType;
        Value? value = returnType.Kind == CTypeKind.Void ? null : Pop();
        if (frame.SingleReturnAtEnd)
        {
            frame.SingleReturn = value;
            return;
        }

        if (value is not null)
        {
            if (frame.ReturnSlot >= 0)
            {
                StoreValue(Value.FrameAddress(frame.ReturnSlot, 0), returnType, value);
            }
            else
            {
                MaterializeInto(value, frame.ReturnRegister, widen: IsWide(returnType));
                frame.ReturnsZeroExtended &= value.Zext;
            }
        }

        Jump(frame.ReturnBlock!);
    }

    // ---- arguments, locals, fields ----

    private Value LoadArgument(int index)
    {
        var frame = Frame;
        var type = frame.ArgTypes[index];
        if (frame.ArgSlots[index] >= 0)
        {
            return LoadValue(Value.FrameAddress(frame.ArgSlots[index], 0), type);
        }

        if (frame.ArgRegisters[index] >= 0)
        {
            return Value.Reg(frame.ArgRegisters[index], IsWide(type));
        }

        return frame.Args[index]!;
    }

    private void StoreArgument(int index, Value value)
    {
        var frame = Frame;
        var type = frame.ArgTypes[index];
        if (frame.ArgSlots[index] >= 0)
        {
            StoreValue(Value.FrameAddress(frame.ArgSlots[index], 0), type, value);
            return;
        }

        DetachStackReferences(frame.ArgRegisters[index]);
        MaterializeInto(value, frame.ArgRegisters[index], widen: IsWide(type));
    }

    private Value LoadLocal(int index)
    {
        var frame = Frame;
        var type = frame.LocalTypes[index];
        if (frame.LocalSlots[index] >= 0)
        {
            return LoadValue(Value.FrameAddress(frame.LocalSlots[index], 0), type);
        }

        if (frame.LocalRegisters[index] < 0)
        {
            throw Error(DiagnosticIds.ReferenceType, $"local of reference type {type.Name}: BPF programs have no managed objects");
        }

        return Value.Reg(frame.LocalRegisters[index], IsWide(type));
    }

    private void StoreLocal(int index, Value value)
    {
        var frame = Frame;
        var type = frame.LocalTypes[index];
        if (frame.LocalSlots[index] >= 0)
        {
            StoreValue(Value.FrameAddress(frame.LocalSlots[index], 0), type, value);
            return;
        }

        if (frame.LocalRegisters[index] < 0 || value.Kind is ValueKind.Map or ValueKind.String)
        {
            throw Error(value.Kind == ValueKind.Map ? DiagnosticIds.MapUse : DiagnosticIds.ReferenceType,
                value.Kind == ValueKind.Map
                    ? "a map can only be used directly (Map.Lookup(...)), not stored in a local"
                    : $"local of reference type {type.Name}: BPF programs have no managed objects");
        }

        var reg = frame.LocalRegisters[index];
        DetachStackReferences(reg);
        MaterializeInto(value, reg, widen: IsWide(type));
    }

    private (CField Field, CType Declaring) ResolveInstanceField(EntityHandle token)
    {
        var frame = Frame;
        var f = _ts.ResolveField(frame.Method.Module, token, frame.Method.Context)
            ?? throw Error(DiagnosticIds.UnsupportedType, "a field outside the readable assemblies");
        if (!f.DeclaringType.IsValueType)
        {
            throw Error(DiagnosticIds.ReferenceType, $"field '{f.Name}' of class {f.DeclaringType.Name}: BPF programs have no managed objects");
        }

        return (TypeLayout.FindField(_ts, f.DeclaringType, f.Name)
            ?? throw Error(DiagnosticIds.UnsupportedType, $"field '{f.Name}' not found in {f.DeclaringType.Name}"), f.DeclaringType);
    }

    private Value FieldAddress(Value obj, CField field, CType declaring)
    {
        if (CoReFieldAddress(obj, field, declaring) is { } coRe)
        {
            return coRe;
        }

        var baseAddress = obj.Kind == ValueKind.Struct ? obj.Address! : obj;
        return TryOffset(baseAddress, field.Offset) ?? Value.RegOffset(Materialize(baseAddress, widen: true), field.Offset);
    }

    private Value LoadStatic(EntityHandle token, bool address)
    {
        var frame = Frame;
        var f = _ts.ResolveField(frame.Method.Module, token, frame.Method.Context)
            ?? throw Error(DiagnosticIds.UnsupportedType, "a static field outside the readable assemblies");
        var map = _unit.GetMap(f.DeclaringType, f.Module, f.Handle, f.Name, f.FieldType);
        if (map >= 0)
        {
            if (address)
            {
                throw Error(DiagnosticIds.MapUse, $"the address of map field '{f.Name}'");
            }

            return Value.MapRef(map);
        }

        if (!f.FieldType.IsValueType)
        {
            throw Error(DiagnosticIds.ReferenceType, $"static field '{f.Name}' of reference type {f.FieldType.Name}");
        }

        if ((f.Module.Reader.GetFieldDefinition(f.Handle).Attributes & System.Reflection.FieldAttributes.HasFieldRVA) != 0)
        {
            // Constant data C# keeps in the image ("bash"u8, constant arrays read as spans): a literal in .rodata.
            var size = TypeLayout.SizeAndAlignment(_ts, f.FieldType).Size;
            var data = f.Module.GetFieldData(f.Handle, size)
                ?? throw Error(DiagnosticIds.BadAssembly, $"the initial data of '{f.Name}' ({size} bytes) is not in the image");
            var literal = Value.GlobalAddress(_unit.GetData(data), 0);
            return address ? literal : LoadValue(literal, f.FieldType);
        }

        var global = _unit.GetGlobal(f.DeclaringType, f.Module, f.Handle, f.Name, f.FieldType);
        var at = Value.GlobalAddress(global, 0);
        if (_unit.Globals[global].Section == CompilationUnit.KsymSection)
        {
            return KernelVariableAddress(at, f.Name, f.FieldType, address);
        }

        if (_unit.Globals[global].Section == CompilationUnit.ArenaSection)
        {
            // The ld_imm64 of an arena global is its user-space address (a scalar to the verifier): cast it to the
            // kernel form before the access, as clang does for __arena globals.
            at = CastAddressSpace(at, toKernel: true);
        }

        return address ? at : LoadValue(at, f.FieldType);
    }

    /// <summary>A [Ksym] field's value: the kernel variable's address, the extern's ld_imm64 itself (the loader makes
    /// it BPF_PSEUDO_BTF_ID or the kallsyms address). A typed one points to memory the verifier knows by its BTF.</summary>
    private Value KernelVariableAddress(Value at, string name, CType fieldType, bool address)
    {
        if (address)
        {
            throw Error(DiagnosticIds.UnsupportedInstruction, $"the address of [Ksym] field '{name}': its value already is the kernel variable's address");
        }

        var register = Materialize(at, widen: true);
        if (PointsToKernelStruct(fieldType) && _current.Instructions is [.., { Op: IrOp.LoadGlobal } load] && load.Dst == register)
        {
            load.Produces = PointerOrigin.Btf;
        }

        return Value.Reg(register, true);
    }
}
