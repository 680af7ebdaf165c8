using System.Reflection;
using System.Reflection.Metadata;
using BpfSharp.Compiler.Ir;
using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Frontend;

/// <summary>
/// Translates one entry program from IL to IR. Calls to other methods are inlined (their IL translated in
/// place with the arguments bound to the caller's values), helper stubs become <c>call N</c>. The IL
/// evaluation stack is interpreted abstractly: constants, frame and field addresses, maps and comparisons stay
/// symbolic until an instruction needs them in a register, which keeps context loads on the unmodified
/// context register and null checks on the register the verifier tracks.
/// </summary>
internal sealed partial class Translator
{
    private const int MaxInlineDepth = 32;

    private readonly CompilationUnit _unit;
    private readonly TypeSystem _ts;
    private readonly IrFunction _fn;
    private readonly List<MethodFrame> _frames = [];
    private IrBlock _current = null!;
    private List<Value> _stack = [];
    private int _line = -1;

    private readonly bool _directKernelAccess;

    // The subprogram being translated (-1 for an entry program) and how often each method would be inlined.
    private int _subprogramIndex = -1;
    private Dictionary<(LoadedModule, MethodDefinitionHandle), int> _inlineCounts = [];

    public Translator(CompilationUnit unit, string name, bool directKernelAccess = false)
    {
        _directKernelAccess = directKernelAccess;
        _unit = unit;
        _ts = unit.Types;
        _fn = new IrFunction(name);
    }

    /// <summary>The method and IL offset being translated, for diagnostics.</summary>
    public (ResolvedMethod Method, int IlOffset)? Position =>
        _frames.Count == 0 ? null : (_frames[^1].Method, _frames[^1].IlOffset);

    public IrFunction Translate(ResolvedMethod entry)
    {
        _inlineCounts = _unit.InlineCounts(entry);
        _current = NewBlock();
        Place(_current);
        var parameters = entry.Signature.ParameterTypes;
        if (parameters.Length > 1)
        {
            throw new CompileErrorException(DiagnosticIds.BadEntryPoint,
                $"a BPF program takes at most one parameter (its context pointer), '{entry.DisplayName}' has {parameters.Length}");
        }

        var args = new Value[parameters.Length];
        if (parameters.Length == 1)
        {
            if (!parameters[0].IsPointerLike)
            {
                throw new CompileErrorException(DiagnosticIds.BadEntryPoint, "the context parameter must be a pointer");
            }

            var ctx = _fn.NewRegister();
            Emit(new IrInstruction { Op = IrOp.Mov, Dst = ctx, A = 1, Produces = _directKernelAccess ? PointerOrigin.Context : PointerOrigin.None });
            args[0] = Value.Reg(ctx, true);
        }

        return Return(Inline(entry, args));
    }

    /// <summary>Ends a function: its result (0 for void) in r0, then exit.</summary>
    private IrFunction Return(Value? result)
    {
        if (result is null)
        {
            Emit(new IrInstruction { Op = IrOp.Mov, Dst = 0, HasImmediate = true, Immediate = 0 });
        }
        else
        {
            MaterializeInto(result, 0, widen: true);
        }

        _current.Terminator = TerminatorKind.Exit;
        _current.TerminatorLine = _line;
        PointerProvenance.Run(_fn);
        return _fn;
    }

    /// <summary>Translates a callback or a method called as a BPF-to-BPF function (subprogram
    /// <paramref name="index"/>): its parameters (<c>this</c> first) arrive in r1–r5, its result goes to r0.</summary>
    public IrFunction TranslateSubprogram(ResolvedMethod method, int index)
    {
        _subprogramIndex = index;
        _inlineCounts = _unit.InlineCounts(method);
        _current = NewBlock();
        Place(_current);
        var parameters = new List<CType>();
        if (!method.IsStatic)
        {
            parameters.Add(_ts.GetByReferenceType(method.DeclaringType));
        }

        parameters.AddRange(method.Signature.ParameterTypes);
        if (parameters.Count > 5)
        {
            throw new CompileErrorException(DiagnosticIds.TooManyArguments, $"function '{method.DisplayName}' takes {parameters.Count} parameters; BPF functions take at most 5");
        }

        var args = new Value[parameters.Count];
        for (var i = 0; i < parameters.Count; i++)
        {
            var reg = _fn.NewRegister();
            Emit(new IrInstruction { Op = IrOp.Mov, Dst = reg, A = 1 + i });
            args[i] = Value.Reg(reg, IsWide(parameters[i]));
        }

        return Return(Inline(method, args));
    }

    // ---- blocks and emission ----

    private IrBlock NewBlock() => new(_fn.Blocks.Count + _pendingBlocks++);

    private int _pendingBlocks;

    private void Place(IrBlock block) => _fn.Blocks.Add(block);

    private IrInstruction Emit(IrInstruction instruction)
    {
        instruction.Line = _line;
        _current.Instructions.Add(instruction);
        if (instruction.Op is IrOp.Call or IrOp.LoadPacket)
        {
            _globalCache.Clear(); // r0–r5 are clobbered: cached global addresses may not survive
        }

        return instruction;
    }

    private void Jump(IrBlock target)
    {
        _current.Terminator = TerminatorKind.Jump;
        _current.Target = target;
        _current.TerminatorLine = _line;
    }

    private static Exception Error(string id, string message) => new CompileErrorException(id, message);

    // ---- per-method state ----

    private sealed class MethodFrame
    {
        public required ResolvedMethod Method { get; init; }
        public required List<IlInstruction> Code { get; init; }
        public required Dictionary<int, IrBlock> Blocks { get; init; }
        public required Value?[] Args { get; init; }
        public required int[] ArgSlots { get; init; }
        public required int[] ArgRegisters { get; init; }
        public required CType[] ArgTypes { get; init; }
        public required CType[] LocalTypes { get; init; }
        public required int[] LocalSlots { get; init; }
        public required int[] LocalRegisters { get; init; }
        public required List<(int IlOffset, int Line)> Lines { get; init; }
        public Dictionary<int, bool[]> EntryStacks { get; } = [];
        public List<int> StackRegisters { get; } = [];
        public int IlOffset;
        public IrBlock? ReturnBlock;
        public int ReturnRegister = -1;
        public int ReturnSlot = -1;
        public Value? SingleReturn;
        public bool SingleReturnAtEnd;
        // Every return so far left a 32-bit result with its upper half zero, so the caller need not clear it again.
        public bool ReturnsZeroExtended = true;
    }

    private MethodFrame Frame => _frames[^1];

    /// <summary>Translates a method body in place. Returns its result (null for void).</summary>
    private Value? Inline(ResolvedMethod method, Value[] args)
    {
        if (_frames.Count >= MaxInlineDepth)
        {
            throw Error(DiagnosticIds.Recursion, $"calls nest deeper than {MaxInlineDepth} levels at '{method.DisplayName}'");
        }

        foreach (var f in _frames)
        {
            if (f.Method.Handle == method.Handle && f.Method.Module == method.Module)
            {
                throw Error(DiagnosticIds.Recursion, $"'{method.DisplayName}' calls itself; BPF programs cannot recurse");
            }
        }

        var body = method.Module.GetMethodBody(method.Handle)
            ?? throw Error(DiagnosticIds.UnknownMethod, $"'{method.DisplayName}' has no IL body and is not a BPF helper");
        var code = IlReader.Decode(body);
        for (var i = 0; i < code.Count; i++)
        {
            var insn = code[i];
            IlReader.Normalize(ref insn);
            code[i] = insn;
        }

        var context = method.Context;
        var localTypes = body.LocalSignature.IsNil
            ? []
            : method.Module.Reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(_ts, context).ToArray();

        // Which arguments and locals need memory (address taken, or structs), which arguments are written.
        var paramTypes = new List<CType>();
        if (!method.IsStatic)
        {
            var self = method.DeclaringType;
            paramTypes.Add(self.IsValueType ? _ts.GetByReferenceType(self) : self);
        }

        paramTypes.AddRange(method.Signature.ParameterTypes);
        var argAddressed = new bool[paramTypes.Count];
        var argWritten = new bool[paramTypes.Count];
        var localAddressed = new bool[localTypes.Length];
        var firstUseIsAddress = new bool[localTypes.Length];
        var seen = new bool[localTypes.Length];
        var firstUse = new int[localTypes.Length];
        var blockStarts = new SortedSet<int> { 0 };
        var returns = 0;
        for (var i = 0; i < code.Count; i++)
        {
            var insn = code[i];
            switch (insn.OpCode)
            {
                case ILOpCode.Ldarga: argAddressed[insn.Int] = true; break;
                case ILOpCode.Starg: argWritten[insn.Int] = true; break;
                case ILOpCode.Ldloca:
                    localAddressed[insn.Int] = true;
                    if (!seen[insn.Int])
                    {
                        firstUse[insn.Int] = insn.Offset;
                        // `ldloca x; initobj T` zeroes the local itself.
                        firstUseIsAddress[insn.Int] = !(i + 1 < code.Count && code[i + 1].OpCode == ILOpCode.Initobj);
                    }

                    seen[insn.Int] = true;
                    break;
                case ILOpCode.Ldloc or ILOpCode.Stloc:
                    if (!seen[insn.Int])
                    {
                        firstUse[insn.Int] = insn.Offset;
                    }

                    seen[insn.Int] = true;
                    break;
                case ILOpCode.Ret: returns++; break;
            }

            if (IlReader.IsBranch(insn.OpCode))
            {
                blockStarts.Add((int)insn.Int);
                if (i + 1 < code.Count)
                {
                    blockStarts.Add(code[i + 1].Offset);
                }
            }
            else if (insn.OpCode == ILOpCode.Switch)
            {
                foreach (var t in insn.Targets!)
                {
                    blockStarts.Add(t);
                }

                if (i + 1 < code.Count)
                {
                    blockStarts.Add(code[i + 1].Offset);
                }
            }
            else if (insn.OpCode is ILOpCode.Ret or ILOpCode.Throw && i + 1 < code.Count)
            {
                blockStarts.Add(code[i + 1].Offset);
            }
        }

        var frame = new MethodFrame
        {
            Method = method,
            Code = code,
            Blocks = blockStarts.ToDictionary(o => o, _ => NewBlock()),
            Args = new Value?[paramTypes.Count],
            ArgSlots = Enumerable.Repeat(-1, paramTypes.Count).ToArray(),
            ArgRegisters = Enumerable.Repeat(-1, paramTypes.Count).ToArray(),
            ArgTypes = paramTypes.ToArray(),
            LocalTypes = localTypes,
            LocalSlots = Enumerable.Repeat(-1, localTypes.Length).ToArray(),
            LocalRegisters = Enumerable.Repeat(-1, localTypes.Length).ToArray(),
            Lines = method.Module.GetSequencePoints(method.Handle)
                .Select(sp => (sp.IlOffset, _unit.GetLine(sp.Document, sp.Line, sp.Column))).ToList(),
        };

        var outerLine = _line;
        _frames.Add(frame);
        if (body.ExceptionRegions.Length > 0)
        {
            // Point at the statement that opens the protected region: the `try` keyword if the source shows one
            // between the previous statement and the region's first, else the `using`/`lock` acquisition.
            var tryOffset = body.ExceptionRegions.Min(r => r.TryOffset);
            frame.IlOffset = frame.Lines.Any(l => l.IlOffset < tryOffset) ? frame.Lines.Last(l => l.IlOffset < tryOffset).IlOffset : tryOffset;
            throw new CompileErrorException(DiagnosticIds.Exceptions, $"'{method.DisplayName}' uses try/catch/finally (or using/foreach/lock); BPF has no exceptions")
            {
                Location = TryKeywordLocation(method, tryOffset),
            };
        }

        if (frame.Lines.Count > 0 && _line < 0)
        {
            _line = frame.Lines[0].Line;
        }

        if (frame.Lines.Count > 0 && _fn.FallbackLine < 0)
        {
            _fn.FallbackLine = frame.Lines[0].Line;
        }


        // Arguments: bound to the caller's values unless written or addressed.
        for (var a = 0; a < paramTypes.Count; a++)
        {
            var type = paramTypes[a];
            var value = a < args.Length ? args[a] : Value.Const(0, IsWide(type));
            CheckUsable(type);
            if (argAddressed[a] || (type.Kind == CTypeKind.Struct && argWritten[a]))
            {
                var (size, align) = TypeLayout.SizeAndAlignment(_ts, type);
                var slot = _fn.NewSlot(size, align, $"{method.Name}.arg{a}");
                frame.ArgSlots[a] = slot;
                StoreValue(Value.FrameAddress(slot, 0), type, value);
            }
            else if (argWritten[a])
            {
                var reg = _fn.NewRegister();
                frame.ArgRegisters[a] = reg;
                MaterializeInto(value, reg, widen: IsWide(type));
            }
            else
            {
                frame.Args[a] = value.Kind == ValueKind.Struct ? CopyToNewSlot(value, method.Name) : value;
            }
        }

        // Locals: registers for scalars, frame slots for structs and addressed scalars.
        var zeroInit = body.LocalVariablesInitialized;
        for (var l = 0; l < localTypes.Length; l++)
        {
            var type = localTypes[l];
            frame.IlOffset = firstUse[l]; // a bad local is reported where it is first used
            if (type.Name.Contains("InterpolatedStringHandler", StringComparison.Ordinal))
            {
                throw Error(DiagnosticIds.StringUse, "an interpolated string: strings exist in BPF only as literal printk formats (Bpf.Printk(\"x=%d\", x))");
            }

            if (type.Kind is CTypeKind.Single or CTypeKind.Double)
            {
                throw Error(DiagnosticIds.FloatingPoint, $"local of type {type.Name}: BPF has no floating point");
            }

            if (type.Kind == CTypeKind.Struct || localAddressed[l])
            {
                CheckUsable(type);
                var (size, align) = TypeLayout.SizeAndAlignment(_ts, type);
                var slot = _fn.NewSlot(size, align, $"{method.Name}.local{l}");
                frame.LocalSlots[l] = slot;
                if (zeroInit && firstUseIsAddress[l])
                {
                    ZeroMemory(Value.FrameAddress(slot, 0), size, align);
                }
            }
            else if (type.IsValueType || IsWide(type))
            {
                frame.LocalRegisters[l] = _fn.NewRegister();
            }
        }

        frame.IlOffset = 0;
        var returnType = method.Signature.ReturnType;
        var isVoid = returnType.Kind == CTypeKind.Void;
        var lastIsReturn = code.Count > 0 && code[^1].OpCode == ILOpCode.Ret;
        frame.SingleReturnAtEnd = returns == 1 && lastIsReturn;
        if (!frame.SingleReturnAtEnd)
        {
            frame.ReturnBlock = NewBlock();
            if (!isVoid)
            {
                if (returnType.Kind == CTypeKind.Struct)
                {
                    var (size, align) = TypeLayout.SizeAndAlignment(_ts, returnType);
                    frame.ReturnSlot = _fn.NewSlot(size, align, method.Name + ".ret");
                }
                else
                {
                    frame.ReturnRegister = _fn.NewRegister();
                }
            }
        }

        var outerStack = _stack;
        _stack = [];
        Jump(frame.Blocks[0]);
        for (var i = 0; i < code.Count; i++)
        {
            var insn = code[i];
            frame.IlOffset = insn.Offset;
            if (frame.Blocks.TryGetValue(insn.Offset, out var block))
            {
                if (_current.Terminator == TerminatorKind.None)
                {
                    TransferStack(insn.Offset);
                    Jump(block);
                }

                _current = block;
                Place(block);
                _stack = EntryStack(insn.Offset);
            }

            UpdateLine(insn.Offset);
            TranslateInstruction(insn, i);
        }

        Value? result = null;
        if (frame.SingleReturnAtEnd)
        {
            result = frame.SingleReturn;
        }
        else
        {
            _current = frame.ReturnBlock!;
            Place(_current);
            if (frame.ReturnRegister >= 0)
            {
                bool wide = IsWide(returnType);
                result = Value.Reg(frame.ReturnRegister, wide, zext: !wide && frame.ReturnsZeroExtended);
            }
            else if (frame.ReturnSlot >= 0)
            {
                result = Value.StructAt(Value.FrameAddress(frame.ReturnSlot, 0), returnType);
            }
        }

        _frames.RemoveAt(_frames.Count - 1);
        _stack = outerStack;
        if (outerLine >= 0)
        {
            _line = outerLine;
        }

        return result;
    }

    /// <summary>The IL offset of a sequence point whose line is the `try` keyword's, found by reading the source
    /// lines between the statement before the region and its first statement; null if there is none.</summary>
    private static SourceLocation? TryKeywordLocation(ResolvedMethod method, int tryOffset)
    {
        var points = method.Module.GetSequencePoints(method.Handle);
        var inside = points.FirstOrDefault(p => p.IlOffset >= tryOffset);
        var before = points.LastOrDefault(p => p.IlOffset < tryOffset);
        if (inside.Document is null || !File.Exists(inside.Document))
        {
            return null;
        }

        var lines = File.ReadAllLines(inside.Document);
        var first = Math.Max(before.Document is null ? 1 : before.Line, inside.Line - 3);
        for (var line = inside.Line; line >= first && line >= 1; line--)
        {
            var text = lines[line - 1].TrimStart();
            if (text.StartsWith("try", StringComparison.Ordinal) && (text.Length == 3 || !char.IsLetterOrDigit(text[3])))
            {
                var column = lines[line - 1].Length - text.Length + 1;
                return new SourceLocation(inside.Document, line, column, method.DisplayName, tryOffset);
            }
        }

        return null;
    }

    private void UpdateLine(int ilOffset)
    {
        var lines = Frame.Lines;
        for (var i = lines.Count - 1; i >= 0; i--)
        {
            if (lines[i].IlOffset <= ilOffset)
            {
                _line = lines[i].Line;
                return;
            }
        }
    }

    /// <summary>Moves the stack into the frame's per-depth registers before a branch (C# leaves values on
    /// the stack across branches only in conditional expressions).</summary>
    private void TransferStack(params int[] targets)
    {
        var frame = Frame;
        for (var d = 0; d < _stack.Count; d++)
        {
            while (frame.StackRegisters.Count <= d)
            {
                frame.StackRegisters.Add(_fn.NewRegister());
            }

            var v = _stack[d];
            if (v.Kind == ValueKind.Struct)
            {
                throw Error(DiagnosticIds.UnsupportedInstruction, "a struct value held across a branch; assign it to a local first");
            }

            if (!(v.Kind == ValueKind.Register && v.Register == frame.StackRegisters[d]))
            {
                MaterializeInto(v, frame.StackRegisters[d], widen: v.Wide);
            }
        }

        var shape = _stack.Select(v => v.Wide).ToArray();
        foreach (var t in targets)
        {
            if (t >= 0)
            {
                frame.EntryStacks.TryAdd(t, shape);
            }
        }
    }

    private List<Value> EntryStack(int offset)
    {
        var frame = Frame;
        if (!frame.EntryStacks.TryGetValue(offset, out var shape))
        {
            return [];
        }

        var stack = new List<Value>(shape.Length);
        for (var d = 0; d < shape.Length; d++)
        {
            stack.Add(Value.Reg(frame.StackRegisters[d], shape[d]));
        }

        return stack;
    }

    private Value Pop()
    {
        if (_stack.Count == 0)
        {
            throw Error(DiagnosticIds.UnsupportedInstruction, "IL stack underflow");
        }

        var v = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private void Push(Value v) => _stack.Add(v);

    // ---- type helpers ----

    internal static bool IsWide(CType t) => t.Kind switch
    {
        CTypeKind.Int64 or CTypeKind.UInt64 or CTypeKind.IntPtr or CTypeKind.UIntPtr or CTypeKind.Pointer
            or CTypeKind.ByRef or CTypeKind.FunctionPointer or CTypeKind.Class or CTypeKind.Object
            or CTypeKind.String or CTypeKind.Array => true,
        CTypeKind.Enum => IsWide(t.Element!),
        _ => false,
    };

    private void CheckUsable(CType type)
    {
        if (type.Kind is CTypeKind.Single or CTypeKind.Double)
        {
            throw Error(DiagnosticIds.FloatingPoint, $"{type.Name}: BPF has no floating point");
        }

        if (type.Kind == CTypeKind.Struct)
        {
            TypeLayout.EnsureLayout(_ts, type);
            if (type.IsRelocatable)
            {
                throw Error(DiagnosticIds.RelocatableLayout,
                    $"'{type.Name}' is [Relocatable]: its size is the running kernel's, so it cannot be a local, parameter or by-value copy; use a pointer to it");
            }
        }
    }
}
