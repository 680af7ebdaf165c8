using System.Runtime.CompilerServices;

namespace BpfSharp.Btf.Formatting.CHeader;

/// <summary>
/// The BTF-to-C converter behind <see cref="BtfCFormatter"/>: libbpf's btf_dump (as shipped with bpftool 7.1,
/// libbpf 1.1 plus the 6.1.y padding/alignment fixes) decision for decision, so that the output is byte-identical.
/// </summary>
/// <remarks>
/// Two passes per root type, as in libbpf: a depth-first topological ordering that queues the named definitions a
/// type needs (<see cref="OrderType"/>), then emission of the queue, which writes forward declarations where a
/// definition is still in progress (<see cref="EmitType"/>). All per-type state lives in flat arrays indexed by type
/// id; names with a <c>___N</c> suffix are kept as (string offset, N) and never materialised.
/// The walkers are marked <see cref="MethodImplOptions.AggressiveOptimization"/>: the printer usually runs once per
/// process (one CLI call), where unoptimised tier-0 code would otherwise dominate the run time.
/// </remarks>
internal sealed partial class CHeaderEmitter
{
    /// <summary>Bound on recursion through the type graph. Real BTF nests a few dozen levels; cycles hit this.</summary>
    internal const int MaxDepth = 1000;

    private const byte NotOrdered = 0, Ordering = 1, Ordered = 2;
    private const byte NotEmitted = 0, Emitting = 1, Emitted = 2;
    private const byte FwdEmittedFlag = 1, NameResolvedFlag = 2, ReferencedFlag = 4;

    private readonly BtfSpec _spec;
    private readonly CHeaderOutput _out;
    private readonly int _pointerSize;
    private readonly byte[] _orderState;
    private readonly byte[] _emitState;
    private readonly byte[] _flags;
    private readonly int[] _nameSuffix;   // N of a "name___N" that resolution assigned, 0 for none
    private readonly int[] _alignCache;   // btf__align_of results + 1; 0 = not computed, -1 = computing
    private readonly NameCounter _typeNames;
    private readonly NameCounter _identNames;
    private int[] _emitQueue = new int[64];
    private int _emitQueueCount;
    private int[] _declStack = new int[64];
    private int _declStackCount;
    private int _depth;

    public CHeaderEmitter(BtfSpec spec, CHeaderOutput output)
    {
        _spec = spec;
        _out = output;
        _pointerSize = spec.PointerSize;
        int count = spec.TypeCount;
        _orderState = new byte[count];
        _emitState = new byte[count];
        _flags = new byte[count];
        _nameSuffix = new int[count];
        _alignCache = new int[count];
        _typeNames = new NameCounter(spec, count / 2);
        _identNames = new NameCounter(spec, count / 2);
        // void is always defined.
        _orderState[0] = Ordered;
        _emitState[0] = Emitted;
        MarkReferenced();
    }

    /// <summary>bpftool's preamble before the first type.</summary>
    internal static ReadOnlySpan<byte> Preamble =>
        "#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n#endif\n\n"u8;

    /// <summary>bpftool's trailer after the last type.</summary>
    internal static ReadOnlySpan<byte> Trailer =>
        "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n#endif /* __VMLINUX_H__ */\n"u8;

    /// <summary>libbpf's btf_dump__dump_type: the type and every type it needs that was not written yet.</summary>
    public void DumpType(int id)
    {
        _emitQueueCount = 0;
        OrderType(id, throughPointer: false);
        for (int i = 0; i < _emitQueueCount; i++)
            EmitType(_emitQueue[i], containerId: 0);
    }

    // Anonymous enums referenced by nothing are top-level constant declarations; referenced ones are written
    // inline. libbpf marks every type that any other type refers to, except FUNC_PROTO return types.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void MarkReferenced()
    {
        for (int id = 1; id < _spec.TypeCount; id++)
        {
            var t = _spec.GetType(id);
            switch (t.Kind)
            {
                case BtfKind.Int or BtfKind.Enum or BtfKind.Enum64 or BtfKind.Forward or BtfKind.Float:
                    break;
                case BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict or BtfKind.Pointer or BtfKind.Typedef
                    or BtfKind.Func or BtfKind.Var or BtfKind.DeclTag or BtfKind.TypeTag:
                    _flags[t.ReferencedTypeId] |= ReferencedFlag;
                    break;
                case BtfKind.Array:
                    _flags[t.ArrayIndexType] |= ReferencedFlag;
                    _flags[t.ArrayElementType] |= ReferencedFlag;
                    break;
                case BtfKind.Struct or BtfKind.Union:
                    for (int i = 0, n = t.Vlen; i < n; i++) _flags[t.GetMember(i).TypeId] |= ReferencedFlag;
                    break;
                case BtfKind.FuncProto:
                    for (int i = 0, n = t.Vlen; i < n; i++) _flags[t.GetParam(i).TypeId] |= ReferencedFlag;
                    break;
                case BtfKind.DataSec:
                    for (int i = 0, n = t.Vlen; i < n; i++) _flags[t.GetDataSecVar(i).TypeId] |= ReferencedFlag;
                    break;
                default:
                    throw Malformed(BpfFormatError.BtfUnknownKind, id, $"[{id}] has kind {(int)t.Kind}, which the C header printer does not know");
            }
        }
    }

    /// <summary>
    /// libbpf's btf_dump_order_type. Returns 1 when the type must be fully defined before its user ("strong" link),
    /// 0 when a forward declaration is enough ("weak" link, through a pointer to a named type).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int OrderType(int id, bool throughPointer)
    {
        if (_orderState[id] == Ordered) return 1;
        var t = _spec.GetType(id);
        if (_orderState[id] == Ordering)
        {
            // A loop through a pointer to a named struct/union is resolved by a forward declaration.
            if (t.Kind.IsComposite() && throughPointer && t.NameOffset != 0) return 0;
            throw Malformed(BpfFormatError.BtfInvalidType, id, $"unsatisfiable type cycle through [{id}]");
        }
        Enter(id);
        int result;
        switch (t.Kind)
        {
            case BtfKind.Int or BtfKind.Float:
                _orderState[id] = Ordered;
                result = 0;
                break;
            case BtfKind.Pointer:
                result = OrderType(t.ReferencedTypeId, throughPointer: true);
                _orderState[id] = Ordered;
                break;
            case BtfKind.Array:
                result = OrderType(t.ArrayElementType, throughPointer: false);
                break;
            case BtfKind.Struct or BtfKind.Union:
                // Embedded (no pointer on the way) or anonymous (defined inline): a strong link.
                if (throughPointer && t.NameOffset != 0)
                {
                    result = 0;
                    break;
                }
                _orderState[id] = Ordering;
                for (int i = 0, n = t.Vlen; i < n; i++) OrderType(t.GetMember(i).TypeId, throughPointer: false);
                if (t.NameOffset != 0) Enqueue(id);
                _orderState[id] = Ordered;
                result = 1;
                break;
            case BtfKind.Enum or BtfKind.Enum64 or BtfKind.Forward:
                if (t.NameOffset != 0 || (_flags[id] & ReferencedFlag) == 0) Enqueue(id);
                _orderState[id] = Ordered;
                result = 1;
                break;
            case BtfKind.Typedef:
            {
                int strong = OrderType(t.ReferencedTypeId, throughPointer);
                if (throughPointer && strong == 0)
                {
                    result = 0;
                    break;
                }
                Enqueue(id);
                _orderState[id] = Ordered;
                result = 1;
                break;
            }
            case BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict or BtfKind.TypeTag:
                result = OrderType(t.ReferencedTypeId, throughPointer);
                break;
            case BtfKind.FuncProto:
            {
                bool strong = OrderType(t.ReferencedTypeId, throughPointer) > 0;
                for (int i = 0, n = t.Vlen; i < n; i++)
                    if (OrderType(t.GetParam(i).TypeId, throughPointer) > 0) strong = true;
                result = strong ? 1 : 0;
                break;
            }
            case BtfKind.Func or BtfKind.Var or BtfKind.DataSec or BtfKind.DeclTag:
                _orderState[id] = Ordered;
                result = 0;
                break;
            default:
                throw Malformed(BpfFormatError.BtfUnknownKind, id, $"[{id}] has kind {(int)t.Kind}, which the C header printer does not know");
        }
        _depth--;
        return result;
    }

    /// <summary>
    /// libbpf's btf_dump_emit_type: writes the definition of a queued type (<paramref name="containerId"/> 0) or makes
    /// sure the types a definition refers to are declared (inside the definition of <paramref name="containerId"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EmitType(int id, int containerId)
    {
        if (_emitState[id] == Emitted) return;
        var t = _spec.GetType(id);
        var kind = t.Kind;
        bool topLevel = containerId == 0;

        if (_emitState[id] == Emitting)
        {
            // Referenced again while its own definition is being prepared: a forward declaration breaks the loop.
            if ((_flags[id] & FwdEmittedFlag) != 0) return;
            switch (kind)
            {
                case BtfKind.Struct or BtfKind.Union:
                    if (id == containerId) return;
                    if (t.NameOffset == 0) return; // anonymous loop: libbpf warns and writes nothing
                    EmitStructForward(id, t);
                    _out.Write(";\n\n"u8);
                    _flags[id] |= FwdEmittedFlag;
                    break;
                case BtfKind.Typedef:
                    // The typedef itself serves as the forward declaration (usable through pointers only).
                    if (!IsBlacklisted(t))
                    {
                        EmitTypedefDefinition(id, t, 0);
                        _out.Write(";\n\n"u8);
                    }
                    _flags[id] |= FwdEmittedFlag;
                    break;
            }
            return;
        }

        Enter(id);
        switch (kind)
        {
            case BtfKind.Int:
                EmitMissingAliases(id);
                _emitState[id] = Emitted;
                break;
            case BtfKind.Enum or BtfKind.Enum64:
                if (topLevel)
                {
                    EmitEnumDefinition(id, t, 0);
                    _out.Write(";\n\n"u8);
                }
                _emitState[id] = Emitted;
                break;
            case BtfKind.Pointer or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict or BtfKind.TypeTag:
                EmitType(t.ReferencedTypeId, containerId);
                break;
            case BtfKind.Array:
                EmitType(t.ArrayElementType, containerId);
                break;
            case BtfKind.Forward:
                EmitForwardDefinition(id, t);
                _out.Write(";\n\n"u8);
                _emitState[id] = Emitted;
                break;
            case BtfKind.Typedef:
                _emitState[id] = Emitting;
                EmitType(t.ReferencedTypeId, id);
                if ((_flags[id] & FwdEmittedFlag) == 0 && !IsBlacklisted(t))
                {
                    EmitTypedefDefinition(id, t, 0);
                    _out.Write(";\n\n"u8);
                }
                _emitState[id] = Emitted;
                break;
            case BtfKind.Struct or BtfKind.Union:
                _emitState[id] = Emitting;
                // A definition (top level, or anonymous and so inline) lists every member: their types must be
                // declared first. A named struct used from inside another only needs a forward declaration.
                if (topLevel || t.NameOffset == 0)
                {
                    int memberContainer = t.NameOffset == 0 ? containerId : id;
                    for (int i = 0, n = t.Vlen; i < n; i++) EmitType(t.GetMember(i).TypeId, memberContainer);
                }
                else if ((_flags[id] & FwdEmittedFlag) == 0 && id != containerId)
                {
                    EmitStructForward(id, t);
                    _out.Write(";\n\n"u8);
                    _flags[id] |= FwdEmittedFlag;
                }
                if (topLevel)
                {
                    EmitStructDefinition(id, t, 0);
                    _out.Write(";\n\n"u8);
                    _emitState[id] = Emitted;
                }
                else
                {
                    _emitState[id] = NotEmitted;
                }
                break;
            case BtfKind.FuncProto:
                EmitType(t.ReferencedTypeId, containerId);
                for (int i = 0, n = t.Vlen; i < n; i++) EmitType(t.GetParam(i).TypeId, containerId);
                break;
        }
        _depth--;
    }

    private void Enqueue(int id)
    {
        if (_emitQueueCount == _emitQueue.Length) Array.Resize(ref _emitQueue, _emitQueue.Length * 2);
        _emitQueue[_emitQueueCount++] = id;
    }

    private void Enter(int id)
    {
        if (++_depth > MaxDepth)
            throw Malformed(BpfFormatError.BtfTypeChainTooDeep, id, $"types nest deeper than {MaxDepth} levels at [{id}] (cyclic?)");
    }

    // libbpf skips typedefs of the compiler built-in __builtin_va_list: redefining it breaks compilation.
    private static bool IsBlacklisted(BtfType t) =>
        t.NameOffset != 0 && t.NameUtf8.SequenceEqual("__builtin_va_list"u8);

    private BpfFormatException Malformed(BpfFormatError code, int id, string detail)
    {
        long offset = -1;
        var owner = _spec;
        while (owner.Base is not null && id < owner.StartId) owner = owner.Base;
        if (id >= owner.StartId && id < owner.TypeCount) offset = owner.GetTypeRecordOffset(id);
        return new BpfFormatException(code, BpfFormat.Btf, detail, "types", offset, owner.Source);
    }
}
