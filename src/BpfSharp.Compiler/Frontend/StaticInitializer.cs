using System.Buffers.Binary;
using System.Reflection.Metadata;

namespace BpfSharp.Compiler.Frontend;

/// <summary>
/// Evaluates a type's static constructor as far as it is constant: integer stores give global initial values, so
/// do struct object initialisers (<c>new() { A = 1, Inner = new() { B = 2 } }</c>, built in a local) and field
/// stores into a static struct, and <c>new MapClass(maxEntries: …)</c> gives map attributes. Anything else leaves
/// the stored field non-constant, which is an error only if a program uses that field.
/// </summary>
internal static class StaticInitializer
{
    public sealed class Result
    {
        public Dictionary<FieldDefinitionHandle, byte[]> Values { get; } = [];
        public Dictionary<FieldDefinitionHandle, Dictionary<string, long>> Maps { get; } = [];
        public HashSet<FieldDefinitionHandle> NonConstant { get; } = [];

        /// <summary>Initial slots of maps of maps (<c>new(…) { [1] = Inner }</c>): slot index → the map field stored there.</summary>
        public Dictionary<FieldDefinitionHandle, List<(long Index, MapField Map)>> MapSlots { get; } = [];

        /// <summary>The static constructor and the IL offset of each field's store, for diagnostics.</summary>
        public MethodDefinitionHandle Constructor { get; set; }
        public Dictionary<FieldDefinitionHandle, int> StoreOffsets { get; } = [];
    }

    internal abstract record Item;
    private sealed record Constant(long Value, bool Wide = false) : Item;
    private sealed record MapCtor(Dictionary<string, long> Arguments) : Item
    {
        public List<(long Index, MapField Map)> Slots { get; } = [];
    }

    /// <summary>A map field loaded with ldsfld (the value of an initial slot).</summary>
    internal sealed record MapField(CType DeclaringType, LoadedModule Module, FieldDefinitionHandle Handle, string Name, CType FieldType) : Item;
    private sealed record FieldAddress(FieldDefinitionHandle Field, int Offset, int Size) : Item;

    /// <summary>The address of a local (+ a field offset): an object initialiser builds a struct in a local.</summary>
    private sealed record LocalAddress(int Index, int Offset) : Item;

    /// <summary>A struct value whose bytes are all known (a local built by an object initialiser).</summary>
    private sealed record StructBytes(byte[] Bytes) : Item;
    private sealed record Unknown : Item;

    public static Result Evaluate(TypeSystem ts, CType type)
    {
        var result = new Result();
        if (type.Module is null)
        {
            return result;
        }

        var module = type.Module;
        var reader = module.Reader;
        var def = reader.GetTypeDefinition(type.Handle);
        var cctor = def.GetMethods().FirstOrDefault(m => reader.GetString(reader.GetMethodDefinition(m).Name) == ".cctor");
        if (cctor.IsNil || module.GetMethodBody(cctor) is not { } body)
        {
            return result;
        }

        result.Constructor = cctor;
        var stack = new Stack<Item>();
        Item Pop() => stack.Count > 0 ? stack.Pop() : new Unknown();

        // Struct locals whose bytes are known: `static T t = new() { A = 1 }` is initobj, stfld… on a local, then
        // ldloc and stsfld.
        var locals = new Dictionary<int, byte[]>();
        var structsBuilt = new HashSet<FieldDefinitionHandle>(); // static structs given values by field stores
        var context = new GenericContext(type.TypeArguments, []);
        foreach (var raw in IlReader.Decode(body))
        {
            var i = raw;
            IlReader.Normalize(ref i);
            switch (i.OpCode)
            {
                case ILOpCode.Nop:
                    break;
                case ILOpCode.Ldc_i4 or ILOpCode.Ldc_i8:
                    stack.Push(new Constant(i.Int, i.OpCode == ILOpCode.Ldc_i8));
                    break;
                case ILOpCode.Ldnull:
                    stack.Push(new Constant(0));
                    break;
                case ILOpCode.Conv_i1 or ILOpCode.Conv_u1 or ILOpCode.Conv_i2 or ILOpCode.Conv_u2 or ILOpCode.Conv_i4
                    or ILOpCode.Conv_u4 or ILOpCode.Conv_i8 or ILOpCode.Conv_u8 or ILOpCode.Conv_i or ILOpCode.Conv_u:
                    stack.Push(Pop() is Constant c ? new Constant(Convert(i.OpCode, c.Value, c.Wide), i.OpCode is ILOpCode.Conv_i8 or ILOpCode.Conv_u8 or ILOpCode.Conv_i or ILOpCode.Conv_u) : new Unknown());
                    break;
                case ILOpCode.Newobj:
                {
                    var m = ts.ResolveMethod(module, i.Token, context, out _);
                    var count = m?.Signature.ParameterTypes.Length ?? 0;
                    var args = new Item[count];
                    for (var k = count - 1; k >= 0; k--)
                    {
                        args[k] = Pop();
                    }

                    if (m is not null && MapClasses.TryGet(m.DeclaringType, out _) && args.All(a => a is Constant))
                    {
                        var names = m.Definition.GetParameters().Select(p => m.Module.Reader.GetParameter(p))
                            .Where(p => p.SequenceNumber > 0).OrderBy(p => p.SequenceNumber)
                            .Select(p => m.Module.Reader.GetString(p.Name)).ToArray();
                        var dict = new Dictionary<string, long>();
                        for (var k = 0; k < count && k < names.Length; k++)
                        {
                            dict[names[k]] = ((Constant)args[k]).Value;
                        }

                        stack.Push(new MapCtor(dict));
                    }
                    else
                    {
                        stack.Push(new Unknown());
                    }

                    break;
                }

                case ILOpCode.Stsfld:
                {
                    var value = Pop();
                    if (ts.ResolveField(module, i.Token, context) is not { } f)
                    {
                        break;
                    }

                    result.StoreOffsets[f.Handle] = i.Offset;

                    switch (value)
                    {
                        case MapCtor map:
                            result.Maps[f.Handle] = map.Arguments;
                            if (map.Slots.Count > 0)
                            {
                                result.MapSlots[f.Handle] = map.Slots;
                            }

                            break;
                        case Constant cv when f.FieldType.IsPrimitiveInteger || f.FieldType.Kind is CTypeKind.Enum or CTypeKind.Pointer:
                            result.Values[f.Handle] = Bytes(cv.Value, TypeLayout.SizeAndAlignment(ts, f.FieldType).Size);
                            break;
                        case StructBytes sb when f.FieldType.Kind == CTypeKind.Struct && sb.Bytes.Length == TypeLayout.SizeAndAlignment(ts, f.FieldType).Size:
                            result.Values[f.Handle] = sb.Bytes;
                            break;
                        default:
                            result.NonConstant.Add(f.Handle);
                            break;
                    }

                    break;
                }

                case ILOpCode.Ldsfld:
                {
                    stack.Push(ts.ResolveField(module, i.Token, context) is { } f && MapClasses.TryGet(f.FieldType, out _)
                        ? new MapField(f.DeclaringType, f.Module, f.Handle, f.Name, f.FieldType)
                        : new Unknown());
                    break;
                }

                case ILOpCode.Call or ILOpCode.Callvirt:
                {
                    // An object initialiser's indexer store: `new(…) { [1] = Inner }` is dup, index, ldsfld, set_Item.
                    var m = ts.ResolveMethod(module, i.Token, context, out _);
                    if (m is not null && m.Name == "set_Item" && m.Signature.ParameterTypes.Length == 2 && MapClasses.TryGet(m.DeclaringType, out _))
                    {
                        var value = Pop();
                        var index = Pop();
                        if (Pop() is MapCtor outer && index is Constant slot && value is MapField inner)
                        {
                            outer.Slots.Add((slot.Value, inner));
                            break;
                        }
                    }

                    goto default;
                }

                case ILOpCode.Ldsflda:
                {
                    if (ts.ResolveField(module, i.Token, context) is { } f && f.FieldType.Kind == CTypeKind.Struct)
                    {
                        stack.Push(new FieldAddress(f.Handle, 0, TypeLayout.SizeAndAlignment(ts, f.FieldType).Size));
                    }
                    else
                    {
                        stack.Push(new Unknown());
                    }

                    break;
                }

                case ILOpCode.Ldflda:
                {
                    var target = Pop();
                    var f = ts.ResolveField(module, i.Token, context);
                    var cf = f is { } ff ? TypeLayout.FindField(ts, ff.DeclaringType, ff.Name) : null;
                    stack.Push(target switch
                    {
                        FieldAddress a when cf is not null => a with { Offset = a.Offset + cf.Offset },
                        LocalAddress l when cf is not null => l with { Offset = l.Offset + cf.Offset },
                        _ => new Unknown(),
                    });
                    break;
                }

                case ILOpCode.Ldloca:
                    stack.Push(new LocalAddress((int)i.Int, 0));
                    break;
                case ILOpCode.Ldloc:
                    stack.Push(locals.TryGetValue((int)i.Int, out var known) ? new StructBytes([.. known]) : new Unknown());
                    break;
                case ILOpCode.Stloc:
                    if (Pop() is StructBytes stored)
                    {
                        locals[(int)i.Int] = stored.Bytes;
                    }
                    else
                    {
                        locals.Remove((int)i.Int);
                    }

                    break;

                case ILOpCode.Stfld:
                {
                    var value = Pop();
                    var target = Pop();
                    var f = ts.ResolveField(module, i.Token, context);
                    if (target is FieldAddress a && value is Constant cv && f is { } ff
                        && TypeLayout.FindField(ts, ff.DeclaringType, ff.Name) is { } cf && cf.Type.IsPrimitiveInteger)
                    {
                        if (!result.Values.TryGetValue(a.Field, out var bytes))
                        {
                            result.Values[a.Field] = bytes = new byte[a.Size];
                        }

                        structsBuilt.Add(a.Field);

                        Bytes(cv.Value, cf.Type.ScalarSize).CopyTo(bytes, a.Offset + cf.Offset);
                    }
                    else if (target is FieldAddress bad)
                    {
                        result.NonConstant.Add(bad.Field);
                    }
                    else if (target is LocalAddress local && locals.TryGetValue(local.Index, out var bytes2))
                    {
                        var lcf = f is { } lf ? TypeLayout.FindField(ts, lf.DeclaringType, lf.Name) : null;
                        var fieldSize = lcf is null ? 0 : TypeLayout.SizeAndAlignment(ts, lcf.Type).Size;
                        if (value is Constant lv && lcf is not null && (lcf.Type.IsPrimitiveInteger || lcf.Type.Kind is CTypeKind.Enum)
                            && local.Offset + lcf.Offset + fieldSize <= bytes2.Length)
                        {
                            Bytes(lv.Value, fieldSize).CopyTo(bytes2, local.Offset + lcf.Offset);
                        }
                        else if (value is StructBytes nested && lcf is not null && local.Offset + lcf.Offset + nested.Bytes.Length <= bytes2.Length)
                        {
                            nested.Bytes.CopyTo(bytes2, local.Offset + lcf.Offset); // a nested initialiser's struct
                        }
                        else
                        {
                            locals.Remove(local.Index); // not a constant: the struct is not either
                        }
                    }
                    else if (target is not LocalAddress)
                    {
                        // A store whose target was lost (the address was taken before a call we gave up on): any
                        // static struct built field by field may be the one it changes.
                        foreach (var built in structsBuilt)
                        {
                            result.NonConstant.Add(built);
                        }
                    }

                    break;
                }

                case ILOpCode.Initobj:
                    if (Pop() is LocalAddress { Offset: 0 } zeroed)
                    {
                        var zeroedType = ts.ResolveType(module, i.Token, context);
                        locals[zeroed.Index] = new byte[TypeLayout.SizeAndAlignment(ts, zeroedType).Size];
                    }

                    break;
                case ILOpCode.Dup:
                    var top = Pop();
                    stack.Push(top);
                    stack.Push(top);
                    break;
                case ILOpCode.Pop:
                    Pop();
                    break;
                case ILOpCode.Ret:
                    return result;
                default:
                    // Anything else (calls, arrays, branches): give up on tracking values from here on, the locals'
                    // too (a call may have been about to store into one whose address it lost).
                    stack.Clear();
                    locals.Clear();
                    for (var k = 0; k < 8; k++)
                    {
                        stack.Push(new Unknown());
                    }

                    break;
            }
        }

        return result;
    }

    private static long Convert(ILOpCode op, long v, bool wide) => op switch
    {
        ILOpCode.Conv_i1 => (sbyte)v,
        ILOpCode.Conv_u1 => (byte)v,
        ILOpCode.Conv_i2 => (short)v,
        ILOpCode.Conv_u2 => (ushort)v,
        ILOpCode.Conv_i4 => (int)v,
        ILOpCode.Conv_u4 => (uint)v,
        ILOpCode.Conv_u8 or ILOpCode.Conv_u => wide ? v : (long)(uint)v,
        _ => v,
    };

    public static byte[] Bytes(long value, int size)
    {
        var bytes = new byte[size];
        Span<byte> all = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(all, value);
        all[..Math.Min(size, 8)].CopyTo(bytes);
        return bytes;
    }
}
