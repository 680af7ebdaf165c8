using System.Runtime.CompilerServices;

namespace BpfSharp.Btf.Formatting.CHeader;

/// <summary>A declarator name: a BTF string, plus the <c>___N</c> suffix name deduplication gave it (0: none).</summary>
internal readonly record struct DeclName(uint NameOffset, int Suffix);

internal sealed partial class CHeaderEmitter
{
    /// <summary>Bound on one declaration chain (pointers, modifiers, arrays); only cyclic BTF gets near it.</summary>
    internal const int MaxChainLength = 4096;

    // libbpf formats a suffixed name into a 256-byte buffer: longer names are cut at 255 bytes.
    private const int MaxSuffixedNameLength = 255;

    /// <summary>
    /// libbpf's btf_dump_emit_type_decl: collects the chain from <paramref name="id"/> down to a named or terminal
    /// type on the shared declaration stack, then writes it as a C declarator around <paramref name="name"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EmitTypeDeclaration(int id, DeclName name, int level)
    {
        int start = _declStackCount;
        for (int length = 0; ; length++)
        {
            if (length >= MaxChainLength)
                throw Malformed(BpfFormatError.BtfTypeChainTooDeep, id, $"declaration chain longer than {MaxChainLength} at [{id}] (cyclic?)");
            PushDecl(id);
            if (id == 0) break;
            var t = _spec.GetType(id);
            var kind = t.Kind;
            if (kind is BtfKind.Pointer or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict
                or BtfKind.FuncProto or BtfKind.TypeTag)
            {
                id = t.ReferencedTypeId;
            }
            else if (kind == BtfKind.Array)
            {
                id = t.ArrayElementType;
            }
            else
            {
                // INT, ENUM, ENUM64, FWD, STRUCT, UNION, TYPEDEF, FLOAT end the chain (anything else is
                // unexpected: libbpf warns and prints what it has).
                break;
            }
        }
        // The chain is a view over our own frame of the shared stack; nested declarations (function parameters,
        // inline anonymous members) push above it and restore the stack when done.
        int count = _declStackCount - start;
        EmitTypeChain(start, ref count, name, level);
        _declStackCount = start;
    }

    private void PushDecl(int id)
    {
        if (_declStackCount == _declStack.Length) Array.Resize(ref _declStack, _declStack.Length * 2);
        _declStack[_declStackCount++] = id;
    }

    /// <summary>
    /// libbpf's btf_dump_emit_type_chain: pops the chain from the terminal type outwards. Modifiers of the base type
    /// go to its left, pointer modifiers to the right of the <c>*</c>; arrays and function prototypes wrap what
    /// remains of the chain in parentheses.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EmitTypeChain(int frame, ref int count, DeclName name, int level)
    {
        Enter(_declStack[frame]);
        bool lastWasPointer = true;
        while (count > 0)
        {
            int id = _declStack[frame + --count];
            if (id == 0)
            {
                EmitModifiers(frame, ref count);
                _out.Write("void"u8);
                lastWasPointer = false;
                continue;
            }

            var t = _spec.GetType(id);
            var kind = t.Kind;
            switch (kind)
            {
                case BtfKind.Int or BtfKind.Float:
                    EmitModifiers(frame, ref count);
                    _out.Write(t.NameUtf8);
                    break;
                case BtfKind.Struct or BtfKind.Union:
                    EmitModifiers(frame, ref count);
                    if (t.NameOffset == 0) EmitStructDefinition(id, t, level); // anonymous: defined inline
                    else EmitStructForward(id, t);
                    break;
                case BtfKind.Enum or BtfKind.Enum64:
                    EmitModifiers(frame, ref count);
                    if (t.NameOffset == 0) EmitEnumDefinition(id, t, level);
                    else EmitEnumForward(id);
                    break;
                case BtfKind.Forward:
                    EmitModifiers(frame, ref count);
                    EmitForwardDefinition(id, t);
                    break;
                case BtfKind.Typedef:
                    EmitModifiers(frame, ref count);
                    WriteName(IdentName(id, t));
                    break;
                case BtfKind.Pointer:
                    _out.Write(lastWasPointer ? "*"u8 : " *"u8);
                    break;
                case BtfKind.Volatile:
                    _out.Write(" volatile"u8);
                    break;
                case BtfKind.Const:
                    _out.Write(" const"u8);
                    break;
                case BtfKind.Restrict:
                    _out.Write(" restrict"u8);
                    break;
                case BtfKind.TypeTag:
                    EmitModifiers(frame, ref count);
                    _out.Write(" __attribute__((btf_type_tag(\""u8);
                    _out.Write(t.NameUtf8);
                    _out.Write("\")))"u8);
                    break;
                case BtfKind.Array:
                {
                    // GCC puts the element's const/volatile on the array too; libbpf drops them.
                    DropModifiers(frame, ref count);
                    if (count == 0)
                    {
                        EmitName(name, lastWasPointer);
                        WriteArrayLength(t);
                        _depth--;
                        return;
                    }
                    bool multiDimensional = _spec.GetType(_declStack[frame + count - 1]).Kind == BtfKind.Array;
                    if (!IsEmptyName(name) && !lastWasPointer) _out.Write((byte)' ');
                    if (!multiDimensional) _out.Write((byte)'(');
                    EmitTypeChain(frame, ref count, name, level);
                    if (!multiDimensional) _out.Write((byte)')');
                    WriteArrayLength(t);
                    _depth--;
                    return;
                }
                case BtfKind.FuncProto:
                {
                    // GCC marks noreturn function pointers volatile; dropped like array qualifiers.
                    DropModifiers(frame, ref count);
                    if (count > 0)
                    {
                        _out.Write(" ("u8);
                        EmitTypeChain(frame, ref count, name, level);
                        _out.Write((byte)')');
                    }
                    else
                    {
                        EmitName(name, lastWasPointer);
                    }
                    _out.Write((byte)'(');
                    int vlen = t.Vlen;
                    // No parameters, or clang's single void parameter: (void).
                    if (vlen == 0 || (vlen == 1 && t.GetParam(0).TypeId == 0))
                    {
                        _out.Write("void)"u8);
                        _depth--;
                        return;
                    }
                    for (int i = 0; i < vlen; i++)
                    {
                        if (i > 0) _out.Write(", "u8);
                        var p = t.GetParam(i);
                        // A trailing void parameter marks varargs.
                        if (i == vlen - 1 && p.TypeId == 0)
                        {
                            _out.Write("..."u8);
                            break;
                        }
                        EmitTypeDeclaration(p.TypeId, new DeclName(p.NameOffset, 0), level);
                    }
                    _out.Write((byte)')');
                    _depth--;
                    return;
                }
                default:
                    // libbpf warns about an unexpected kind in a declaration chain and stops printing it.
                    _depth--;
                    return;
            }
            lastWasPointer = kind == BtfKind.Pointer;
        }
        EmitName(name, lastWasPointer);
        _depth--;
    }

    // Qualifiers of a non-pointer type are written before it: `const volatile int`.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EmitModifiers(int frame, ref int count)
    {
        while (count > 0)
        {
            var kind = _spec.GetType(_declStack[frame + count - 1]).Kind;
            if (kind == BtfKind.Volatile) _out.Write("volatile "u8);
            else if (kind == BtfKind.Const) _out.Write("const "u8);
            else if (kind == BtfKind.Restrict) _out.Write("restrict "u8);
            else return;
            count--;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DropModifiers(int frame, ref int count)
    {
        while (count > 0 && _spec.GetType(_declStack[frame + count - 1]).Kind.IsModifier()) count--;
    }

    private void WriteArrayLength(BtfType array)
    {
        _out.Write((byte)'[');
        _out.WriteUInt64(array.ArrayLength);
        _out.Write((byte)']');
    }

    private void EmitName(DeclName name, bool lastWasPointer)
    {
        if (IsEmptyName(name)) return;
        if (!lastWasPointer) _out.Write((byte)' ');
        WriteName(name);
    }

    private bool IsEmptyName(DeclName name) => name.Suffix == 0 && _spec.GetStringUtf8(name.NameOffset).IsEmpty;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteName(DeclName name)
    {
        var raw = _spec.GetStringUtf8(name.NameOffset);
        if (name.Suffix == 0)
        {
            _out.Write(raw);
            return;
        }
        Span<byte> buffer = stackalloc byte[MaxSuffixedNameLength + 24];
        int length = Math.Min(raw.Length, MaxSuffixedNameLength);
        raw[..length].CopyTo(buffer);
        "___"u8.CopyTo(buffer[length..]);
        length += 3;
        name.Suffix.TryFormat(buffer[length..], out int digits, default, System.Globalization.CultureInfo.InvariantCulture);
        length = Math.Min(length + digits, MaxSuffixedNameLength);
        _out.Write(buffer[..length]);
    }

    private void WriteTypeName(int id)
    {
        var t = _spec.GetType(id);
        WriteName(new DeclName(t.NameOffset, ResolveName(id, t, _typeNames)));
    }

    private DeclName IdentName(int id, BtfType t) => new(t.NameOffset, ResolveName(id, t, _identNames));

    /// <summary>
    /// libbpf's btf_dump_resolve_name: the first type to use a name keeps it, the N-th gets <c>name___N</c>.
    /// Decided once per type, at its first mention. Forward declarations (FWD, empty ENUM) never count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int ResolveName(int id, BtfType t, NameCounter names)
    {
        if (t.NameOffset == 0) return 0;
        if ((_flags[id] & NameResolvedFlag) != 0) return _nameSuffix[id];
        _flags[id] |= NameResolvedFlag;
        if (t.Kind == BtfKind.Forward || (t.Kind == BtfKind.Enum && t.Vlen == 0)) return 0;
        int dups = names.Increment(t.NameOffset);
        if (dups > 1) _nameSuffix[id] = dups;
        return _nameSuffix[id];
    }
}
