using System.Reflection.Metadata;
using BpfSharp.Compiler.Ir;
using BpfSharp.Instructions;
using BpfSharp.Objects.Logging;

namespace BpfSharp.Compiler.Frontend;

/// <summary>
/// <c>BpfLog.Information($"…")</c>: the C# compiler turns the interpolated string into calls on a
/// <c>BpfLogMessage</c> local (constructor, AppendLiteral, AppendFormatted…, then the BpfLog method taking it by
/// ref). The literals and the holes' names, kinds and formats go to the object's log catalog; each hole's value is
/// stored at a fixed offset of a record on the stack, and the level method copies the record into the
/// <c>bpfsharp_log</c> ring buffer (counting records it had no room for in <c>bpfsharp_log_lost</c>).
/// </summary>
internal sealed partial class Translator
{
    private const string LogMessageType = "BpfSharp.Kernel.BpfLogMessage";
    private const string LogType = "BpfSharp.Kernel.BpfLog";
    private const int RingbufOutputHelper = 130;
    private const int MaxLogRecord = 256;
    private const int DefaultLogString = 64;

    /// <summary>Messages being built, by the frame slot of their handler local.</summary>
    private readonly Dictionary<int, LogRecordBuilder> _logRecords = [];

    private sealed class LogRecordBuilder(int slot)
    {
        public int Slot { get; } = slot;
        public int Size { get; set; } = 4; // the site id
        public List<string> Literals { get; } = [""];
        public List<BpfLogArgument> Arguments { get; } = [];
        public List<(int Offset, int Size)> Gaps { get; } = [];

        public int Place(int size, int align)
        {
            var at = (Size + align - 1) / align * align;
            if (at > Size)
            {
                Gaps.Add((Size, at - Size));
            }

            if (at + size > MaxLogRecord)
            {
                throw new CompileErrorException(DiagnosticIds.StackTooLarge,
                    $"a log message's values need more than {MaxLogRecord} bytes; log fewer or shorter strings per call");
            }

            Size = at + size;
            return at;
        }
    }

    private bool TryTranslateLog(ResolvedMethod method, Value[] args, IlInstruction insn)
    {
        var type = method.DeclaringType.Name;
        if (type == LogMessageType)
        {
            switch (method.Name)
            {
                case ".ctor":
                    StartLogRecord(args[0]);
                    return true;
                case "AppendLiteral":
                    if (args[1].Kind != ValueKind.String)
                    {
                        throw Error(DiagnosticIds.StringUse, "log text must be literal");
                    }

                    var record = LogRecordOf(args[0]);
                    record.Literals[^1] += args[1].Text;
                    return true;
                case "AppendFormatted":
                    AppendLogValue(method, args, insn);
                    return true;
            }
        }
        else if (type == LogType)
        {
            FinishLogRecord(method, args[0]);
            return true;
        }

        return false;
    }

    private void StartLogRecord(Value handler)
    {
        if (handler.Kind != ValueKind.Frame)
        {
            throw Error(DiagnosticIds.UnsupportedInstruction, "a BpfLogMessage must be a local built by an interpolated string");
        }

        // The record takes the most a message may need; the slot shrinks to the real size when the message ends.
        var slot = _fn.NewSlot(MaxLogRecord, 8, "log.record");
        _logRecords[handler.Slot] = new LogRecordBuilder(slot);
    }

    private LogRecordBuilder LogRecordOf(Value handler) =>
        handler.Kind == ValueKind.Frame && _logRecords.TryGetValue(handler.Slot, out var record)
            ? record
            : throw Error(DiagnosticIds.UnsupportedInstruction, "a BpfLogMessage used outside the interpolated string that built it");

    private void AppendLogValue(ResolvedMethod method, Value[] args, IlInstruction insn)
    {
        var record = LogRecordOf(args[0]);
        var value = args[1];
        var format = "";
        if (args.Length > 2)
        {
            if (args[2].Kind != ValueKind.String)
            {
                throw Error(DiagnosticIds.StringUse, "a log hole's format must be a literal");
            }

            format = args[2].Text!;
        }

        var valueType = method.MethodTypeArguments.Length == 1 ? method.MethodTypeArguments[0] : method.Signature.ParameterTypes[0];
        var name = UniqueName(record, LogHoleName(insn, args.Length > 2, "arg" + record.Arguments.Count));
        var fixedBuffer = valueType.Kind == CTypeKind.Pointer ? FixedBufferBefore(insn) : null;
        var dest = (int offset) => Value.FrameAddress(record.Slot, offset);

        if (fixedBuffer is { } buffer)
        {
            var elementSize = TypeLayout.SizeAndAlignment(_ts, buffer.FixedElement!).Size;
            var kind = elementSize switch
            {
                1 => BpfLogArgumentKind.Utf8String,
                2 => BpfLogArgumentKind.Utf16String,
                _ => throw Error(DiagnosticIds.UnsupportedType, $"fixed buffer '{buffer.Name}' holds {buffer.FixedElement!.Name}; log holes take byte, sbyte and char buffers as text"),
            };
            RequireFormat(format, "", name);
            var size = buffer.FixedLength * elementSize;
            var at = record.Place(size, elementSize);
            CallProbeRead(ProbeReadKernel, dest(at), Value.Const(size, false), Materialize(value, widen: true));
            record.Arguments.Add(new BpfLogArgument(name, kind, BpfLogArgumentFormat.Default, at, size));
        }
        else if (valueType.Kind == CTypeKind.Pointer)
        {
            if (format.StartsWith("str", StringComparison.Ordinal) || format.StartsWith("ustr", StringComparison.Ordinal))
            {
                var user = format[0] == 'u';
                var digits = format[(user ? 4 : 3)..];
                var size = DefaultLogString;
                if (digits.Length > 0 && (!int.TryParse(digits, out size) || size is < 1 or > MaxLogRecord - 4))
                {
                    throw Error(DiagnosticIds.StringUse, $"log hole '{name}': '{format}' needs a bound between 1 and {MaxLogRecord - 4}");
                }

                var at = record.Place(size, 1);
                CallProbeRead(user ? ProbeReadUserString : ProbeReadKernelString, dest(at), Value.Const(size, false), Materialize(value, widen: true));
                record.Arguments.Add(new BpfLogArgument(name, BpfLogArgumentKind.Utf8String, BpfLogArgumentFormat.Default, at, size));
            }
            else
            {
                RequireFormat(format, "x", name);
                var at = record.Place(8, 8);
                Store(dest(at), 8, value);
                record.Arguments.Add(new BpfLogArgument(name, BpfLogArgumentKind.Pointer, BpfLogArgumentFormat.Default, at, 8));
            }
        }
        else if (valueType.Kind == CTypeKind.Struct)
        {
            var kind = valueType.Name switch
            {
                "BpfSharp.Kernel.Ipv4Address" => BpfLogArgumentKind.Ipv4,
                "BpfSharp.Kernel.Ipv6Address" => BpfLogArgumentKind.Ipv6,
                "BpfSharp.Kernel.MacAddress" => BpfLogArgumentKind.Mac,
                _ => throw Error(DiagnosticIds.UnsupportedType, $"log hole '{name}' of type {valueType.Name}: holes take integers, pointers, fixed buffers and Ipv4Address/Ipv6Address/MacAddress"),
            };
            RequireFormat(format, "", name);
            var (size, align) = TypeLayout.SizeAndAlignment(_ts, valueType);
            var at = record.Place(size, align);
            CopyMemory(value.Kind == ValueKind.Struct ? value.Address! : value, dest(at), size, align);
            record.Arguments.Add(new BpfLogArgument(name, kind, BpfLogArgumentFormat.Default, at, size));
        }
        else if (valueType.IsPrimitiveInteger || valueType.Kind == CTypeKind.Enum)
        {
            var size = valueType.ScalarSize;
            var kind = valueType.Kind switch
            {
                CTypeKind.Bool => BpfLogArgumentKind.Boolean,
                CTypeKind.Char => BpfLogArgumentKind.Char,
                _ when format == "ipv4" && size == 4 => BpfLogArgumentKind.Ipv4,
                _ => valueType.IsSigned ? BpfLogArgumentKind.Signed : BpfLogArgumentKind.Unsigned,
            };
            var argFormat = format switch
            {
                "" or "ipv4" when kind != BpfLogArgumentKind.Ipv4 && format == "" => BpfLogArgumentFormat.Default,
                "ipv4" when kind == BpfLogArgumentKind.Ipv4 => BpfLogArgumentFormat.Default,
                "x" when kind is BpfLogArgumentKind.Signed or BpfLogArgumentKind.Unsigned => BpfLogArgumentFormat.HexLower,
                "X" when kind is BpfLogArgumentKind.Signed or BpfLogArgumentKind.Unsigned => BpfLogArgumentFormat.HexUpper,
                _ => throw Error(DiagnosticIds.StringUse, $"log hole '{name}' of type {valueType.Name}: format '{format}' is not one of x, X, ipv4 (a 4-byte integer in network order)"),
            };
            var at = record.Place(size, size);
            Store(dest(at), size, value);
            record.Arguments.Add(new BpfLogArgument(name, kind, argFormat, at, size));
        }
        else
        {
            throw Error(DiagnosticIds.UnsupportedType, $"log hole '{name}' of type {valueType.Name}: holes take integers, pointers, fixed buffers and Ipv4Address/Ipv6Address/MacAddress");
        }

        record.Literals.Add("");
    }

    private void RequireFormat(string format, string allowed, string name)
    {
        if (format.Length > 0 && format != allowed)
        {
            throw Error(DiagnosticIds.StringUse, $"log hole '{name}': format '{format}' does not apply to its type");
        }
    }

    private void FinishLogRecord(ResolvedMethod method, Value handler)
    {
        var record = LogRecordOf(handler);
        _logRecords.Remove(handler.Slot);
        var level = method.Name switch
        {
            "Trace" => 0,
            "Debug" => 1,
            "Information" => 2,
            "Warning" => 3,
            "Error" => 4,
            "Critical" => 5,
            _ => throw Error(DiagnosticIds.UnknownMethod, $"'{method.DisplayName}' is not a log level"),
        };

        var id = _unit.LogSites.Count;
        _unit.LogSites.Add(new BpfLogSite(id, level, [.. record.Literals], [.. record.Arguments], record.Size));
        _fn.Slots[record.Slot].Size = (record.Size + 7) / 8 * 8;

        var at = (int offset) => Value.FrameAddress(record.Slot, offset);
        Store(at(0), 4, Value.Const(id, false));
        foreach (var (offset, size) in record.Gaps)
        {
            for (var i = 0; i < size; i++)
            {
                Store(at(offset + i), 1, Value.Const(0, false)); // the verifier wants every byte handed to the helper written
            }
        }

        var ring = _unit.GetMap(method.DeclaringType, method.DeclaringType.Module!, LogStaticField(method.DeclaringType, "Records").Handle,
            BpfLogCatalog.RingMapName, LogStaticField(method.DeclaringType, "Records").Type);
        CallHelper(RingbufOutputHelper, [Value.MapRef(ring), at(0), Value.Const(record.Size, true), Value.Const(0, true)], [], "BpfLog");
        var result = _fn.NewRegister();
        Emit(new IrInstruction { Op = IrOp.Mov, Dst = result, A = 0 });

        var lost = NewBlock();
        var done = NewBlock();
        _current.Terminator = TerminatorKind.Branch;
        _current.Condition = JumpOperation.Jsge;
        _current.CompareA = result;
        _current.CompareImmediate = true;
        _current.CompareValue = 0;
        _current.Target = done;
        _current.FalseTarget = lost;
        _current.TerminatorLine = _line;

        _current = lost;
        Place(lost);
        var counterField = LogStaticField(method.DeclaringType, "Lost");
        var counter = _unit.GetGlobal(method.DeclaringType, method.DeclaringType.Module!, counterField.Handle, BpfLogCatalog.LostCounterName, counterField.Type);
        var address = Materialize(Value.GlobalAddress(counter, 0), widen: true);
        var one = _fn.NewRegister();
        MaterializeInto(Value.Const(1, true), one, widen: true);
        Emit(new IrInstruction { Op = IrOp.Atomic, AtomicOp = AtomicOperation.Add, A = address, B = one, Size = MemorySize.DoubleWord });
        Jump(done);

        _current = done;
        Place(done);
    }

    private (FieldDefinitionHandle Handle, CType Type) LogStaticField(CType declaring, string name)
    {
        var reader = declaring.Module!.Reader;
        foreach (var h in reader.GetTypeDefinition(declaring.Handle).GetFields())
        {
            var f = reader.GetFieldDefinition(h);
            if (reader.StringComparer.Equals(f.Name, name))
            {
                return (h, f.DecodeSignature(_ts, new GenericContext([], [])));
            }
        }

        throw Error(DiagnosticIds.UnknownMethod, $"{declaring.Name}.{name} is missing: BpfSharp.Kernel does not match the compiler");
    }

    private static string UniqueName(LogRecordBuilder record, string name)
    {
        var candidate = name;
        for (var n = 2; record.Arguments.Any(a => a.Name == candidate); n++)
        {
            candidate = name + n;
        }

        return candidate;
    }

    /// <summary>The IL instructions that produced the hole's value, newest first (conversions skipped).</summary>
    private IEnumerable<IlInstruction> LogOperandInstructions(IlInstruction call, bool hasFormat)
    {
        var code = Frame.Code;
        var i = code.FindIndex(c => c.Offset == call.Offset) - 1;
        if (hasFormat)
        {
            i--; // the format's ldstr
        }

        for (; i >= 0; i--)
        {
            if (code[i].OpCode is ILOpCode.Conv_u or ILOpCode.Conv_i or ILOpCode.Conv_u8 or ILOpCode.Conv_i8 or ILOpCode.Conv_u4 or ILOpCode.Conv_i4)
            {
                continue;
            }

            yield return code[i];
        }
    }

    /// <summary>The field of a C# fixed buffer whose address is the hole's value (<c>ldflda Comm; ldflda FixedElementField</c>), or null.</summary>
    private CField? FixedBufferBefore(IlInstruction call)
    {
        var operands = LogOperandInstructions(call, hasFormat: false).Take(2).ToList();
        if (operands.Count == 2 && operands[0].OpCode == ILOpCode.Ldflda && operands[1].OpCode == ILOpCode.Ldflda)
        {
            var (field, _) = ResolveInstanceField(operands[1].Token);
            return field.FixedElement is not null ? field : null;
        }

        return null;
    }

    /// <summary>A property name for a hole: the local, parameter, field or property it reads, else argN.</summary>
    private string LogHoleName(IlInstruction call, bool hasFormat, string fallback)
    {
        var frame = Frame;
        var module = frame.Method.Module;
        foreach (var insn in LogOperandInstructions(call, hasFormat))
        {
            switch (insn.OpCode)
            {
                case ILOpCode.Ldloc:
                    return module.GetLocalName(frame.Method.Handle, (int)insn.Int) ?? "local" + insn.Int;
                case ILOpCode.Ldarg:
                {
                    var index = frame.Method.IsStatic ? insn.Int : insn.Int - 1;
                    foreach (var ph in frame.Method.Definition.GetParameters())
                    {
                        var p = module.Reader.GetParameter(ph);
                        if (p.SequenceNumber == index + 1)
                        {
                            return module.Reader.GetString(p.Name);
                        }
                    }

                    return "arg" + insn.Int;
                }

                case ILOpCode.Ldfld or ILOpCode.Ldsfld or ILOpCode.Ldflda:
                {
                    var f = _ts.ResolveField(module, insn.Token, frame.Method.Context);
                    if (f is { } field && field.Name != "FixedElementField")
                    {
                        return field.Name;
                    }

                    if (f is null)
                    {
                        return fallback;
                    }

                    continue; // the fixed buffer's own field comes next
                }

                case ILOpCode.Call or ILOpCode.Callvirt:
                {
                    var m = _ts.ResolveMethod(module, insn.Token, frame.Method.Context, out var external);
                    var name = m?.Name ?? external?.Name ?? "";
                    return name.StartsWith("get_", StringComparison.Ordinal) ? name[4..] : name.Length > 0 ? name : fallback;
                }

                case ILOpCode.Ldobj:
                    continue;
                default:
                    return fallback;
            }
        }

        return fallback;
    }
}
