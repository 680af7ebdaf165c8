using System.Reflection;
using System.Reflection.Metadata;
using BpfSharp.Compiler.Ir;
using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Frontend;

internal sealed partial class Translator
{
    private const int PrintkHelper = 6;

    private void TranslateCall(IlInstruction insn, bool isVirtualCall)
    {
        var frame = Frame;
        var method = _ts.ResolveMethod(frame.Method.Module, insn.Token, frame.Method.Context, out var external);
        if (method is null)
        {
            TranslateExternalCall(external);
            return;
        }

        var argCount = method.Signature.ParameterTypes.Length + (method.Signature.Header.IsInstance ? 1 : 0);
        var args = new Value[argCount];
        for (var i = argCount - 1; i >= 0; i--)
        {
            args[i] = Pop();
        }

        if (method.DeclaringType.Name == "BpfSharp.Kernel.Core")
        {
            TranslateCoReIntrinsic(method, args);
            return;
        }

        if (method.DeclaringType.Name == "BpfSharp.Kernel.Arena" && method.Name is "ToKernel" or "ToUser")
        {
            Push(CastAddressSpace(args[0], method.Name == "ToKernel"));
            return;
        }

        if (TryTranslateLog(method, args, insn))
        {
            return;
        }

        if (method.DeclaringType.Name == "BpfSharp.Kernel.LegacyPacket")
        {
            LegacyPacketLoad(method.Name, args);
            return;
        }

        var def = method.Definition;
        var attributes = def.GetCustomAttributes();
        foreach (var a in _ts.FindAttributes(method.Module, attributes, "BpfHelperAttribute"))
        {
            var id = a.FixedArguments[0].Value is int n ? n : -1;
            PushResult(CallHelper(id, args, method.Signature.ParameterTypes, method.DisplayName), method.Signature.ReturnType);
            if (ReturnsBtfPointer(id) && _current.Instructions is [.., { Op: IrOp.Mov, A: 0 } copy])
            {
                copy.Produces = PointerOrigin.Btf;
            }

            return;
        }

        foreach (var a in _ts.FindAttributes(method.Module, attributes, "KfuncAttribute"))
        {
            CallKfunc(method, a, args);
            return;
        }

        if (_ts.FindAttributes(method.Module, attributes, "BpfPrintkAttribute").Any())
        {
            PushResult(CallPrintk(args), method.Signature.ReturnType);
            return;
        }

        if (isVirtualCall && (def.Attributes & MethodAttributes.Virtual) != 0 && (def.Attributes & MethodAttributes.Final) == 0
            && !method.DeclaringType.IsValueType)
        {
            throw Error(DiagnosticIds.VirtualCall, $"virtual call to '{method.DisplayName}': BPF has no virtual dispatch; make it non-virtual or static");
        }

        var shape = CallShapeOf(method, args);
        if (shape != CallShape.Inline)
        {
            CallFunction(method, args, shape == CallShape.GlobalFunction);
            return;
        }

        var result = Inline(method, args);
        if (result is not null)
        {
            Push(result);
        }
    }

    /// <summary>Methods at least this large (IL bytes) that a program would inline twice or more become static
    /// BPF-to-BPF functions when their signature allows it.</summary>
    private const int AutoFunctionIlSize = 160;

    private enum CallShape
    {
        Inline,
        StaticFunction,
        GlobalFunction,
    }

    /// <summary>Whether a call is inlined or becomes a BPF-to-BPF call: on request ([BpfFunction],
    /// [MethodImpl(NoInlining)]), or for a large method inlined more than once.</summary>
    private CallShape CallShapeOf(ResolvedMethod method, Value[] args)
    {
        if (method.Module.IsKernelAssembly)
        {
            return CallShape.Inline;
        }

        var def = method.Definition;
        foreach (var a in _ts.FindAttributes(method.Module, def.GetCustomAttributes(), "BpfFunctionAttribute"))
        {
            var global = a.NamedArguments.Any(n => n.Name == "Global" && n.Value is true);
            CheckFunctionSignature(method, args, global);
            return global ? CallShape.GlobalFunction : CallShape.StaticFunction;
        }

        if ((def.ImplAttributes & MethodImplAttributes.NoInlining) != 0)
        {
            CheckFunctionSignature(method, args, global: false);
            return CallShape.StaticFunction;
        }

        if ((def.ImplAttributes & MethodImplAttributes.AggressiveInlining) != 0
            || _inlineCounts.GetValueOrDefault((method.Module, method.Handle)) < 2
            || (method.Module.GetMethodBody(method.Handle)?.Size ?? 0) < AutoFunctionIlSize)
        {
            return CallShape.Inline;
        }

        return FunctionSignatureProblem(method, args, global: false) is null ? CallShape.StaticFunction : CallShape.Inline;
    }

    private void CheckFunctionSignature(ResolvedMethod method, Value[] args, bool global)
    {
        if (FunctionSignatureProblem(method, args, global) is { } problem)
        {
            var id = args.Length > 5 ? DiagnosticIds.TooManyArguments : DiagnosticIds.UnsupportedInstruction;
            throw Error(id, $"'{method.DisplayName}' cannot be a BPF-to-BPF function: {problem}");
        }
    }

    /// <summary>Why a method cannot be called as a BPF function with these arguments, or null if it can.</summary>
    private string? FunctionSignatureProblem(ResolvedMethod method, Value[] args, bool global)
    {
        if (args.Length > 5)
        {
            return $"it takes {args.Length} arguments; BPF functions take at most 5 (r1–r5)";
        }

        if (method.MethodTypeArguments.Length > 0 || method.DeclaringType.TypeArguments.Length > 0)
        {
            if (global)
            {
                return "a global function cannot be generic (each instantiation would need its own name)";
            }
        }

        var returnType = method.Signature.ReturnType;
        if (returnType.Kind == CTypeKind.Struct)
        {
            return "it returns a struct by value; return it through a pointer parameter";
        }

        if (global && !(returnType.IsPrimitiveInteger || returnType.Kind is CTypeKind.Bool or CTypeKind.Enum or CTypeKind.Char))
        {
            return "a global function must return an integer (the verifier checks it on its own)";
        }

        var offset = method.IsStatic ? 0 : 1;
        for (var i = 0; i < args.Length; i++)
        {
            var type = i < offset ? _ts.GetByReferenceType(method.DeclaringType) : method.Signature.ParameterTypes[i - offset];
            if (type.Kind == CTypeKind.Struct)
            {
                return $"parameter {i + 1} is a struct by value; pass it by pointer, ref or in";
            }

            if (args[i].Kind is ValueKind.Map or ValueKind.String or ValueKind.Struct or ValueKind.CoRe or ValueKind.RelocatableSize or ValueKind.Function)
            {
                return $"argument {i + 1} is a {args[i].Kind switch { ValueKind.Map => "map", ValueKind.String => "string literal", ValueKind.Function => "function address", ValueKind.Struct => "struct value", _ => "[Relocatable] field" }}, which exists only at compile time";
            }

            if (global && type.IsPointerLike && type.Element is { } element && element.Kind != CTypeKind.Void && element.IsRelocatable)
            {
                return $"parameter {i + 1} points to the [Relocatable] type '{element.Name}', whose size the verifier of a global function cannot know; make the function static";
            }

            if (global && type.IsPointerLike && (type.Element is null || type.Element.Kind == CTypeKind.Void))
            {
                return $"parameter {i + 1} is an untyped pointer; a global function's pointer parameters must point to a type of known size";
            }
        }

        return null;
    }

    /// <summary>A BPF-to-BPF call: arguments in r1–r5 (32-bit ones extended by their signedness), result in r0,
    /// r1–r5 clobbered as by a helper call.</summary>
    private void CallFunction(ResolvedMethod method, Value[] args, bool global)
    {
        foreach (var f in _frames)
        {
            if (f.Method.Handle == method.Handle && f.Method.Module == method.Module)
            {
                throw Error(DiagnosticIds.Recursion, $"'{method.DisplayName}' calls itself; BPF programs cannot recurse");
            }
        }

        var index = _unit.GetSubprogram(method, global, _directKernelAccess);
        if (_subprogramIndex >= 0)
        {
            _unit.SubprogramCalls.Add((_subprogramIndex, index));
        }

        var offset = method.IsStatic ? 0 : 1;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (i >= offset && !arg.Wide && method.Signature.ParameterTypes[i - offset].IsSigned && !arg.IsConstant)
            {
                arg = Widen(arg, signed: true);
            }

            MaterializeInto(arg, 1 + i, widen: true);
        }

        Emit(new IrInstruction { Op = IrOp.Call, Symbol = index, ArgumentCount = args.Length });
        PushResult(0, method.Signature.ReturnType);
    }

    /// <summary>Helpers whose result is PTR_TO_BTF_ID (possibly null): bpf_skc_to_tcp6_sock, _tcp_sock,
    /// _tcp_timewait_sock, _tcp_request_sock, _udp6_sock, bpf_per_cpu_ptr and bpf_this_cpu_ptr (of a typed per-CPU
    /// ksym), bpf_get_current_task_btf, bpf_sock_from_file, bpf_task_pt_regs, bpf_skc_to_unix_sock,
    /// bpf_skc_to_mptcp_sock.</summary>
    private static bool ReturnsBtfPointer(int helper) => helper is (>= 136 and <= 140) or 153 or 154 or 158 or 162 or 175 or 178 or 196;

    private void PushResult(int? register, CType returnType)
    {
        if (returnType.Kind == CTypeKind.Void || register is null)
        {
            return;
        }

        var v = _fn.NewRegister();
        Emit(new IrInstruction { Op = IrOp.Mov, Dst = v, A = register.Value });
        Push(Value.Reg(v, IsWide(returnType)));
    }

    /// <summary>Moves arguments into r1..r5 and calls the helper. Returns r0.</summary>
    private int CallHelper(int id, Value[] args, IReadOnlyList<CType> parameterTypes, string name)
    {
        PassArguments(args, parameterTypes, name);
        Emit(new IrInstruction { Op = IrOp.Call, HelperId = id, ArgumentCount = args.Length });
        return 0;
    }

    /// <summary>Moves a helper's or kfunc's arguments into r1..r5, 32-bit ones extended by their C type.</summary>
    private void PassArguments(Value[] args, IReadOnlyList<CType> parameterTypes, string name)
    {
        if (args.Length > 5)
        {
            throw Error(DiagnosticIds.TooManyArguments, $"'{name}' passes {args.Length} arguments; BPF calls take at most 5");
        }

        var offset = args.Length - parameterTypes.Count; // `this` of instance helpers
        for (var i = 0; i < args.Length; i++)
        {
            var type = i - offset >= 0 ? parameterTypes[i - offset] : null;
            var arg = args[i];
            if (arg.Kind == ValueKind.Struct)
            {
                throw Error(DiagnosticIds.UnsupportedInstruction, $"argument {i + 1} of '{name}' is a struct value; pass a pointer");
            }

            // The ABI extends 32-bit arguments to 64 bits by their C type's signedness.
            if (!arg.Wide && type is not null && type.IsSigned && !arg.IsConstant)
            {
                arg = Widen(arg, signed: true);
            }

            MaterializeInto(arg, 1 + i, widen: true);
        }
    }

    /// <summary>A call of a [Kfunc] method: <c>call -1</c> relocated against the kfunc's undefined symbol, as clang
    /// writes it (libbpf and our loader turn it into a kfunc call by BTF id).</summary>
    private void CallKfunc(ResolvedMethod method, CustomAttributeValue<string> attribute, Value[] args)
    {
        var (name, weak) = CompilationUnit.ReadExternAttribute(attribute, method.Name);
        if (!method.IsStatic)
        {
            throw Error(DiagnosticIds.UnsupportedInstruction, $"kfunc '{name}' is declared on the instance method '{method.DisplayName}'; declare it static");
        }

        var parameters = method.Signature.ParameterTypes;
        for (var i = 0; i < parameters.Length; i++)
        {
            if (parameters[i].Kind is CTypeKind.Struct or CTypeKind.String or CTypeKind.Object or CTypeKind.Array
                || (parameters[i].Kind == CTypeKind.Class && args[i].Kind != ValueKind.Map))
            {
                throw Error(DiagnosticIds.UnsupportedInstruction, $"parameter {i + 1} of kfunc '{name}' is a {parameters[i].Name}; kfuncs take integers, pointers and maps");
            }
        }

        if (method.Signature.ReturnType.Kind == CTypeKind.Struct)
        {
            throw Error(DiagnosticIds.UnsupportedInstruction, $"kfunc '{name}' returns a struct by value; kfuncs return integers or pointers");
        }

        var index = _unit.GetKfunc(new KfuncDeclaration(name, weak, method.Signature.ReturnType, parameters), message => Error(DiagnosticIds.UnsupportedInstruction, message));
        PassArguments(args, parameters, name);
        Emit(new IrInstruction { Op = IrOp.Call, Kfunc = index, ArgumentCount = args.Length });
        PushResult(0, method.Signature.ReturnType);

        // A kfunc returning a kernel struct pointer returns PTR_TO_BTF_ID: trusted, loaded from directly.
        if (PointsToKernelStruct(method.Signature.ReturnType) && _current.Instructions is [.., { Op: IrOp.Mov, A: 0 } copy])
        {
            copy.Produces = PointerOrigin.Btf;
        }
    }

    /// <summary>A pointer to a [Relocatable] struct: what the verifier knows by its BTF when a kfunc or typed ksym
    /// gives it.</summary>
    private bool PointsToKernelStruct(CType type)
    {
        if (type is not { IsPointerLike: true, Element: { Kind: CTypeKind.Struct } pointee })
        {
            return false;
        }

        TypeLayout.EnsureLayout(_ts, pointee);
        return pointee.IsRelocatable;
    }

    /// <summary><c>addr_space_cast</c> of an arena pointer from its user form (address space 1) to its kernel form
    /// (0), or back: Arena.ToKernel / ToUser, and every access to an [ArenaGlobal] field.</summary>
    private Value CastAddressSpace(Value pointer, bool toKernel)
    {
        var dst = _fn.NewRegister();
        Emit(new IrInstruction { Op = IrOp.AddressSpaceCast, Dst = dst, A = Materialize(pointer, widen: true), Immediate = toKernel ? 1 : 1 << 16 });
        return Value.Reg(dst, true);
    }

    private int? CallPrintk(Value[] args)
    {
        if (args.Length == 0 || args[0].Kind != ValueKind.String)
        {
            throw Error(DiagnosticIds.StringUse, "the printk format must be a string literal");
        }

        if (args.Length > 4)
        {
            throw Error(DiagnosticIds.TooManyArguments, "bpf_trace_printk takes at most 3 values");
        }

        var text = args[0].Text!;
        var str = _unit.GetString(text);
        var values = new Value[args.Length + 1];
        values[0] = Value.GlobalAddress(str, 0);
        values[1] = Value.Const(System.Text.Encoding.UTF8.GetByteCount(text) + 1, false);
        for (var i = 1; i < args.Length; i++)
        {
            values[i + 1] = args[i];
        }

        return CallHelper(PrintkHelper, values, [], "Printk");
    }

    private void TranslateNewObject(IlInstruction insn)
    {
        var frame = Frame;
        var ctor = _ts.ResolveMethod(frame.Method.Module, insn.Token, frame.Method.Context, out var external);
        var type = ctor?.DeclaringType;
        var next = frame.Code.FirstOrDefault(c => c.Offset > insn.Offset);
        if (next.OpCode == ILOpCode.Throw)
        {
            throw Error(DiagnosticIds.Exceptions, "throwing an exception: BPF has no exceptions (return an error code)");
        }

        if (ctor is null && TryNewSpan(external))
        {
            return;
        }

        if (ctor is null || type is null || type.Kind != CTypeKind.Struct)
        {
            throw Error(DiagnosticIds.ReferenceType,
                $"'new {(type?.Name ?? external?.TypeName)}' allocates a managed object; BPF programs cannot allocate (maps are declared as static readonly fields)");
        }

        CheckUsable(type);
        var count = ctor.Signature.ParameterTypes.Length;
        var args = new Value[count + 1];
        for (var i = count; i >= 1; i--)
        {
            args[i] = Pop();
        }

        var (size, align) = TypeLayout.SizeAndAlignment(_ts, type);
        var slot = _fn.NewSlot(size, align, type.Name + ".new");
        ZeroMemory(Value.FrameAddress(slot, 0), size, align);
        args[0] = Value.FrameAddress(slot, 0);
        Inline(ctor, args);
        Push(Value.StructAt(Value.FrameAddress(slot, 0), type));
    }

    /// <summary>Methods of the base class library the compiler understands.</summary>
    private void TranslateExternalCall(ExternalMethod? method)
    {
        if (method is null)
        {
            throw Error(DiagnosticIds.UnknownMethod, "a call to a method that cannot be resolved");
        }

        var name = method.TypeName + "." + method.Name;
        var sig = method.Signature;
        if (method.TypeName == "System.String")
        {
            throw Error(DiagnosticIds.StringUse, $"string operation '{method.Name}': strings exist in BPF only as literal printk formats (byte strings: \"bash\"u8)");
        }

        if (TryTranslateSpanCall(method))
        {
            return;
        }

        switch (name)
        {
            case "System.Runtime.CompilerServices.Unsafe.AsPointer":
            case "System.Runtime.CompilerServices.Unsafe.AsRef":
            case "System.Runtime.CompilerServices.Unsafe.As":
                var v = Pop();
                Push(v.Kind == ValueKind.Struct ? v.Address! : v);
                return;
            case "System.Runtime.CompilerServices.Unsafe.SizeOf":
                CheckSizeable(method.MethodTypeArguments[0]);
                Push(Value.Const(TypeLayout.SizeAndAlignment(_ts, method.MethodTypeArguments[0]).Size, false));
                return;
            case "System.Runtime.CompilerServices.Unsafe.NullRef":
                Push(Value.Const(0, true));
                return;
            case "System.Runtime.CompilerServices.Unsafe.IsNullRef":
                Push(MakeCompare(JumpOperation.Jeq, Pop(), Value.Const(0, true)));
                return;
            case "System.Runtime.CompilerServices.Unsafe.Add" when sig.ParameterTypes.Length == 2:
            {
                var elementSize = TypeLayout.SizeAndAlignment(_ts, method.MethodTypeArguments[0]).Size;
                var count = Pop();
                var pointer = Pop();
                Push(pointer);
                Push(Widen(count, signed: true));
                Push(Value.Const(elementSize, true));
                Binary(AluOperation.Mul, false);
                Binary(AluOperation.Add, false);
                return;
            }

            case "System.Runtime.CompilerServices.Unsafe.Read":
            case "System.Runtime.CompilerServices.Unsafe.ReadUnaligned":
                Push(LoadValue(Pop(), method.MethodTypeArguments[0]));
                return;
            case "System.Runtime.CompilerServices.Unsafe.Write":
            case "System.Runtime.CompilerServices.Unsafe.WriteUnaligned":
            {
                var value = Pop();
                StoreValue(Pop(), method.MethodTypeArguments[0], value);
                return;
            }

            case "System.Threading.Interlocked.Add":
            case "System.Threading.Interlocked.Increment":
            case "System.Threading.Interlocked.Decrement":
            case "System.Threading.Interlocked.Exchange":
            case "System.Threading.Interlocked.And":
            case "System.Threading.Interlocked.Or":
                Atomic(method.Name, sig.ReturnType);
                return;
            case "System.Threading.Interlocked.CompareExchange":
                CompareExchange(sig.ReturnType);
                return;
            case "System.Buffers.Binary.BinaryPrimitives.ReverseEndianness":
            {
                var bits = sig.ReturnType.ScalarSize * 8;
                var src = Pop();
                var dst = _fn.NewRegister();
                MaterializeInto(src, dst, widen: bits == 64);
                Emit(new IrInstruction { Op = IrOp.ByteSwap, Dst = dst, A = dst, Immediate = bits });
                Push(Value.Reg(dst, bits == 64, zext: bits < 64));
                return;
            }
        }

        throw Error(DiagnosticIds.UnknownMethod, $"'{name}' has no BPF translation (only BpfSharp.Kernel, your own code and a few Unsafe/Interlocked/BinaryPrimitives methods can be called)");
    }

    /// <summary>LD_ABS / LD_IND: the skb must be in r6; the result comes back in r0.</summary>
    private void LegacyPacketLoad(string name, Value[] args)
    {
        var size = name switch { "LoadByte" => MemorySize.Byte, "LoadHalf" => MemorySize.HalfWord, _ => MemorySize.Word };
        var offset = args[1];
        var insn = new IrInstruction { Op = IrOp.LoadPacket, Size = size };
        if (offset.IsConstant && offset.Constant is >= 0 and <= int.MaxValue)
        {
            insn.Immediate = offset.Constant;
        }
        else
        {
            insn.A = Materialize(offset, widen: true);
        }

        MaterializeInto(args[0], 6, widen: true);
        Emit(insn);
        PushResult(0, _ts.Primitive(CTypeKind.UInt64));
    }

    private void Atomic(string name, CType type)
    {
        var size = type.ScalarSize;
        if (size is not (4 or 8))
        {
            throw Error(DiagnosticIds.UnsupportedInstruction, "atomics work on int, uint, long and ulong");
        }

        Value operand = name switch
        {
            "Increment" => Value.Const(1, size == 8),
            "Decrement" => Value.Const(-1, size == 8),
            _ => Pop(),
        };
        var address = Pop();
        var (op, adjust) = name switch
        {
            "Add" => (AtomicOperation.FetchAdd, true),
            "Increment" => (AtomicOperation.FetchAdd, true),
            "Decrement" => (AtomicOperation.FetchAdd, true),
            "Exchange" => (AtomicOperation.Xchg, false),
            "And" => (AtomicOperation.FetchAnd, false),
            _ => (AtomicOperation.FetchOr, false),
        };
        var (reg, slot, offset) = AddressOf(address);
        if (slot >= 0)
        {
            reg = Materialize(Value.FrameAddress(slot, offset));
            offset = 0;
        }

        var value = _fn.NewRegister();
        MaterializeInto(operand, value, widen: size == 8);
        Emit(new IrInstruction { Op = IrOp.Atomic, AtomicOp = op, A = reg, B = value, Offset = offset, Size = size == 8 ? MemorySize.DoubleWord : MemorySize.Word });

        // Interlocked.Add/Increment return the new value; the fetch form gives the old one.
        if (adjust)
        {
            Push(Value.Reg(value, size == 8, zext: size == 4));
            Push(operand);
            Binary(AluOperation.Add, false);
        }
        else
        {
            Push(Value.Reg(value, size == 8));
        }
    }

    private void CompareExchange(CType type)
    {
        var size = type.ScalarSize;
        var comparand = Pop();
        var value = Pop();
        var address = Pop();
        var (reg, slot, offset) = AddressOf(address);
        if (slot >= 0)
        {
            reg = Materialize(Value.FrameAddress(slot, offset));
            offset = 0;
        }

        var newValue = Materialize(value, widen: size == 8);
        MaterializeInto(comparand, 0, widen: size == 8);
        Emit(new IrInstruction { Op = IrOp.Atomic, AtomicOp = AtomicOperation.CmpXchg, A = reg, B = newValue, Offset = offset, Size = size == 8 ? MemorySize.DoubleWord : MemorySize.Word });
        var result = _fn.NewRegister();
        Emit(new IrInstruction { Op = IrOp.Mov, Dst = result, A = 0 });
        Push(Value.Reg(result, size == 8));
    }
}
