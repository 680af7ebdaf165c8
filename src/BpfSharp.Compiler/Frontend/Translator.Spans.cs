using BpfSharp.Compiler.Ir;
using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Frontend;

// Span<T> and ReadOnlySpan<T>: a 16-byte (T* pointer, int length) pair in memory (TypeLayout.IsSpan), built and taken
// apart here because the BCL's own bodies (refs to the first element, throwing range checks) have no BPF meaning.
// An index or slice out of range ends the BPF function with 0 where .NET would throw: the check both keeps the
// C# semantics of "never past the end" and gives the verifier the bound it needs for the access.
internal sealed partial class Translator
{
    private const string MemoryMarshal = "System.Runtime.InteropServices.MemoryMarshal";

    /// <summary>Translates a span constructor, member or MemoryMarshal accessor; false if the method is none.</summary>
    private bool TryTranslateSpanCall(ExternalMethod method)
    {
        var sig = method.Signature;
        if (method.TypeName == MemoryMarshal)
        {
            switch (method.Name)
            {
                case "GetReference":
                {
                    var span = Pop();
                    Push(SpanPointer(span));
                    return true;
                }

                case "CreateSpan" or "CreateReadOnlySpan" when sig.ParameterTypes.Length == 2:
                {
                    var length = Pop();
                    var reference = Pop();
                    Push(MakeSpan(sig.ReturnType, reference, length));
                    return true;
                }
            }

            return false;
        }

        var spanType = method.DeclaringType;
        if (!TypeLayout.IsSpanName(method.TypeName) || spanType is null || !TypeLayout.IsSpan(spanType))
        {
            return false;
        }

        var element = spanType.TypeArguments[0];
        switch (method.Name)
        {
            case ".ctor" when sig.Header.IsInstance && sig.ParameterTypes.Length is 1 or 2:
            {
                // `call instance .ctor` on a span that exists already (a local being assigned).
                var length = sig.ParameterTypes.Length == 2 ? Pop() : Value.Const(1, false);
                var pointer = Pop();
                var self = Pop();
                StoreSpan(self, pointer, length);
                return true;
            }

            case "get_Length":
                Push(SpanLength(Pop()));
                return true;
            case "get_IsEmpty":
                Push(MakeCompare(JumpOperation.Jeq, SpanLength(Pop()), Value.Const(0, false)));
                return true;
            case "GetPinnableReference":
                Push(SpanPointer(Pop()));
                return true;
            case "get_Item":
            {
                var index = Pop();
                var span = Pop();
                var length = SpanLength(span);
                var pointer = SpanPointer(span);
                var wideIndex = Widen(index, signed: false);
                ExitUnless(MakeCompare(JumpOperation.Jlt, wideIndex, Widen(length, signed: false)), "span index out of range");
                Push(ElementAddress(pointer, wideIndex, element));
                return true;
            }

            case "Slice":
            {
                var count = sig.ParameterTypes.Length == 2 ? Pop() : null;
                var start = Pop();
                var span = Pop();
                var length = Widen(SpanLength(span), signed: false);
                var pointer = SpanPointer(span);
                var wideStart = Widen(start, signed: false);
                Value newLength;
                if (count is null)
                {
                    ExitUnless(MakeCompare(JumpOperation.Jle, wideStart, length), "span slice out of range");
                    Push(length);
                    Push(wideStart);
                    Binary(AluOperation.Sub, false);
                    newLength = Pop();
                }
                else
                {
                    // .NET's check: (ulong)(uint)start + (ulong)(uint)length <= (ulong)(uint)_length.
                    var wideCount = Widen(count, signed: false);
                    Push(wideStart);
                    Push(wideCount);
                    Binary(AluOperation.Add, false);
                    ExitUnless(MakeCompare(JumpOperation.Jle, Pop(), length), "span slice out of range");
                    newLength = wideCount;
                }

                Push(MakeSpan(sig.ReturnType, ElementAddress(pointer, wideStart, element), newLength));
                return true;
            }

            case "op_Implicit" when TypeLayout.IsSpan(sig.ReturnType) && sig.ParameterTypes.Length == 1 && TypeLayout.IsSpan(sig.ParameterTypes[0]):
            {
                // Span<T> → ReadOnlySpan<T>: the same pair, another type.
                var span = Pop();
                Push(MakeSpan(sig.ReturnType, SpanPointer(span), SpanLength(span)));
                return true;
            }
        }

        throw Error(DiagnosticIds.UnknownMethod,
            $"'{method.TypeName}.{method.Name}' has no BPF translation (spans support construction from a pointer or a reference and a length, stackalloc, indexing, Length, IsEmpty, Slice, GetPinnableReference, MemoryMarshal.GetReference/CreateSpan and the conversion to ReadOnlySpan)");
    }

    /// <summary><c>newobj</c> of a span: a (pointer, length) pair in a new frame slot.</summary>
    private bool TryNewSpan(ExternalMethod? ctor)
    {
        if (ctor?.DeclaringType is not { } type || !TypeLayout.IsSpan(type) || ctor.Signature.ParameterTypes.Length is not (1 or 2))
        {
            return false;
        }

        var length = ctor.Signature.ParameterTypes.Length == 2 ? Pop() : Value.Const(1, false);
        var pointer = Pop();
        Push(MakeSpan(type, pointer, length));
        return true;
    }

    private Value MakeSpan(CType spanType, Value pointer, Value length)
    {
        if (!TypeLayout.IsSpan(spanType))
        {
            throw Error(DiagnosticIds.UnsupportedType, $"'{spanType.Name}' is not a span of a known element type");
        }

        var slot = _fn.NewSlot(16, 8, "span");
        var at = Value.FrameAddress(slot, 0);
        StoreSpan(at, pointer, length);
        return Value.StructAt(at, spanType);
    }

    /// <summary>Writes the pair: the pointer, then the length zero-extended to 8 bytes (so copies and reloads keep
    /// a value the verifier knows, and the padding is initialised).</summary>
    private void StoreSpan(Value at, Value pointer, Value length)
    {
        if (pointer.Kind is ValueKind.CoRe or ValueKind.String or ValueKind.Map or ValueKind.Function or ValueKind.RelocatableSize)
        {
            throw Error(DiagnosticIds.UnsupportedInstruction, "a span over kernel memory, a map or a method: spans cover stack memory, map values, globals and fixed buffers");
        }

        if (length.IsConstant && length.Constant < 0)
        {
            throw Error(DiagnosticIds.UnsupportedInstruction, $"a span of negative length {length.Constant}");
        }

        var address = at.Kind == ValueKind.Struct ? at.Address! : at;
        Store(address, 8, pointer.Kind == ValueKind.Struct ? pointer.Address! : pointer);
        Store(Offset(address, TypeLayout.SpanLengthOffset), 8, Widen(length, signed: false));
    }

    private Value SpanPointer(Value span) =>
        Load(span.Kind == ValueKind.Struct ? span.Address! : span, 8, signExtend: false, wide: true);

    /// <summary>The length as a 32-bit value (stored zero-extended, read back whole).</summary>
    private Value SpanLength(Value span)
    {
        var wide = Load(Offset(span.Kind == ValueKind.Struct ? span.Address! : span, TypeLayout.SpanLengthOffset), 8, signExtend: false, wide: true);
        return Value.Reg(wide.Register, false, zext: true);
    }

    private Value Offset(Value address, int delta) =>
        TryOffset(address, delta) ?? Value.RegOffset(Materialize(address, widen: true), delta);

    private Value ElementAddress(Value pointer, Value wideIndex, CType element)
    {
        CheckSizeable(element);
        var size = TypeLayout.SizeAndAlignment(_ts, element).Size;
        Push(pointer);
        Push(wideIndex);
        if (size != 1)
        {
            Push(Value.Const(size, true));
            Binary(AluOperation.Mul, false);
        }

        Binary(AluOperation.Add, false);
        return Pop();
    }

    /// <summary>Continues where <paramref name="test"/> holds; elsewhere the BPF function returns 0.</summary>
    private void ExitUnless(Value test, string what)
    {
        if (test.Kind == ValueKind.Constant || test.Left!.IsConstant && test.Right!.IsConstant)
        {
            var holds = test.Kind == ValueKind.Constant ? test.Constant != 0 : Evaluate(test.Condition, test.Left!.Constant, test.Right!.Constant, !test.Compare32);
            if (!holds)
            {
                throw Error(DiagnosticIds.UnsupportedInstruction, what + " (the index and length are constants)");
            }

            return;
        }

        var inRange = NewBlock();
        var outOfRange = NewBlock();
        _current.Terminator = TerminatorKind.Branch;
        _current.Condition = test.Condition;
        _current.Compare32 = test.Compare32;
        _current.CompareA = Materialize(test.Left!, widen: !test.Compare32);
        var probe = new IrInstruction();
        SetOperandB(probe, test.Right!, !test.Compare32);
        _current.CompareImmediate = probe.HasImmediate;
        _current.CompareValue = probe.Immediate;
        _current.CompareB = probe.B;
        _current.Target = inRange;
        _current.FalseTarget = outOfRange;
        _current.TerminatorLine = _line;

        _current = outOfRange;
        Place(outOfRange);
        Emit(new IrInstruction { Op = IrOp.Mov, Dst = 0, HasImmediate = true, Immediate = 0 });
        _current.Terminator = TerminatorKind.Exit;
        _current.TerminatorLine = _line;

        _current = inRange;
        Place(inRange);
    }
}
