using System.Runtime.CompilerServices;
using System.Text;

namespace BpfSharp.Btf.Formatting.CSharp;

/// <summary>
/// The BTF-to-C# converter behind <see cref="BtfCSharpFormatter"/>: selects the types to write (the closure of the
/// requested roots), gives them C# names, then writes them sorted by name (see docs/gen-csharp.md for the rules).
/// </summary>
/// <remarks>
/// Per-type state lives in flat arrays indexed by type id. "Top-level" types are named structs, unions and enums,
/// anonymous structs and unions named by a typedef, and forward declarations without a definition; every other
/// anonymous struct or union is written as a nested type where it is used, and anonymous enums become integers plus
/// constants.
/// </remarks>
internal sealed partial class CSharpBindingsEmitter
{
    /// <summary>Bound on anonymous-type nesting and on type-reference chains; real BTF needs far less.</summary>
    internal const int MaxNesting = 64;

    internal const string ConstantsClassName = "KernelConstants";

    private const byte NotSelected = 0, Full = 1, DeclaredOnly = 2;

    // Names the generated file uses unqualified (or that would shadow what it uses): kernel types yield to them.
    private static readonly string[] ReservedTypeNames =
    [
        "System", "BpfSharp", "Relocatable", "RelocatableAttribute", "Anonymous", "AnonymousAttribute", "Bitfield",
        "BitfieldAttribute", "FlexibleArray", "FlexibleArrayAttribute", "BtfName", "BtfNameAttribute", "StructLayout",
        "StructLayoutAttribute", "FieldOffset", "FieldOffsetAttribute", "LayoutKind", "InlineArray",
        "InlineArrayAttribute", ConstantsClassName,
    ];

    private readonly BtfSpec _spec;
    private readonly CSharpBindingsOptions _options;
    private readonly int _count;
    private readonly int[] _typedefName;   // anonymous struct/union → id of the first typedef naming it, 0 = none
    private readonly int[] _forwardTarget; // FWD → the definition it stands for (itself when there is none), 0 = not resolved
    private readonly byte[] _state;
    private readonly bool[] _anonymousWalked;
    private readonly bool[] _anonymousEnum; // anonymous enums whose enumerators become constants
    private readonly string?[] _names;
    private readonly HashSet<string> _typeNames = new(StringComparer.Ordinal);
    private readonly Stack<int> _pending = new();
    private readonly SortedDictionary<string, InlineArrayHelper> _globalHelpers = new(StringComparer.Ordinal);
    private readonly Dictionary<InlineArrayHelper, string> _globalHelperNames = [];
    private readonly bool _fixed;                  // exact C layout for user space (CSharpBindingsOptions.FixedLayout)
    private readonly IReadOnlyList<CSharpTypeRoot>? _roots; // type-id roots: a fragment for a generated file, no header
    private readonly string?[] _rootName;          // anonymous struct/union roots → the C name they are written under
    private readonly IEnumerable<string>? _reservedNames;

    public CSharpBindingsEmitter(BtfSpec spec, CSharpBindingsOptions options)
        : this(spec, options, null, null)
    {
    }

    public CSharpBindingsEmitter(BtfSpec spec, CSharpBindingsOptions options, IReadOnlyList<CSharpTypeRoot>? roots, IEnumerable<string>? reservedNames)
    {
        _spec = spec;
        _options = options;
        _fixed = options.FixedLayout;
        _roots = roots;
        _reservedNames = reservedNames;
        if (roots is null && !CSharpNames.IsValidNamespace(options.Namespace))
            throw new ArgumentException($"'{options.Namespace}' is not a valid C# namespace", nameof(options));
        _count = spec.TypeCount;
        _typedefName = new int[_count];
        _forwardTarget = new int[_count];
        _state = new byte[_count];
        _anonymousWalked = new bool[_count];
        _anonymousEnum = new bool[_count];
        _names = new string?[_count];
        _rootName = new string?[_count];
        FindTypedefNames();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FindTypedefNames()
    {
        for (int id = 1; id < _count; id++)
        {
            var t = _spec[id];
            if (t.Kind != BtfKind.Typedef) continue;
            var target = _spec.SkipModifiers(t.ReferencedTypeId);
            if (target.Kind.IsComposite() && target.IsAnonymous && _typedefName[target.Id] == 0)
                _typedefName[target.Id] = id;
        }
    }

    // ---------------------------------------------------------------- selection

    /// <summary>Marks the roots and everything they reference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Select()
    {
        var names = _options.TypeNames;
        if (_roots is not null)
        {
            foreach (var root in _roots)
            {
                if ((uint)root.TypeId >= (uint)_count) throw new ArgumentException($"no type [{root.TypeId}] in the BTF", nameof(root));
                NameAnonymousRoot(root);
                Visit(root.TypeId, viaPointer: false, depth: 0);
            }
        }
        else if (names is null || names.Count == 0)
        {
            for (int id = _spec.StartId; id < _count; id++)
            {
                var t = _spec[id];
                switch (t.Kind)
                {
                    case BtfKind.Struct or BtfKind.Union or BtfKind.Enum or BtfKind.Enum64:
                        Visit(id, viaPointer: false, depth: 0);
                        break;
                    case BtfKind.Forward when !_fixed: // fixed layout: pointers are ulong, nothing needs a declaration
                        Visit(id, viaPointer: false, depth: 0);
                        break;
                }
            }
        }
        else
        {
            foreach (var name in names) SelectRoot(name);
        }
        while (_pending.Count > 0)
        {
            var t = _spec[_pending.Pop()];
            for (int i = 0, n = t.Vlen; i < n; i++) Visit(t.GetMember(i).TypeId, viaPointer: false, depth: 0);
        }
    }

    private void SelectRoot(string name)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(name);
        bool found = false;
        for (var spec = _spec; spec is not null; spec = spec.Base)
        {
            foreach (var t in spec.FindOwnByEssentialName(utf8.AsSpan(0, BtfSpec.EssentialNameLength(utf8)), includeFunctions: false))
            {
                if (!t.NameUtf8.SequenceEqual(utf8)) continue;
                switch (t.Kind)
                {
                    case BtfKind.Struct or BtfKind.Union or BtfKind.Enum or BtfKind.Enum64 or BtfKind.Forward or BtfKind.Typedef:
                        Visit(t.Id, viaPointer: false, depth: 0);
                        found = true;
                        break;
                }
            }
        }
        if (!found)
            throw new ArgumentException($"no struct, union, enum or typedef named '{name}' in the BTF", nameof(name));
    }

    /// <summary>
    /// A root that is (an array of) an anonymous struct or union no typedef names has no type to nest in: it becomes a
    /// top-level type under the root's name.
    /// </summary>
    private void NameAnonymousRoot(CSharpTypeRoot root)
    {
        var t = _spec[root.TypeId];
        for (int steps = 0; t.Kind.IsModifier() || t.Kind is BtfKind.Typedef or BtfKind.Array; steps++)
        {
            if (steps > MaxNesting * 4) throw TooDeep(root.TypeId);
            if (t.Kind == BtfKind.Typedef) return; // a typedef names what it points to, if anything
            t = _spec[t.Kind == BtfKind.Array ? t.ArrayElementType : t.ReferencedTypeId];
        }
        if (t.Kind.IsComposite() && t.IsAnonymous && _typedefName[t.Id] == 0 && _rootName[t.Id] is null)
            _rootName[t.Id] = string.IsNullOrEmpty(root.AnonymousName) ? "anonymous" : root.AnonymousName;
    }

    /// <summary>Whether a struct/union/enum/FWD is written as a type of its own (not nested, not an integer).</summary>
    private bool IsTopLevel(BtfType t) => t.Kind switch
    {
        BtfKind.Struct or BtfKind.Union => !t.IsAnonymous || _typedefName[t.Id] != 0 || _rootName[t.Id] is not null,
        BtfKind.Enum or BtfKind.Enum64 => !t.IsAnonymous,
        BtfKind.Forward => true,
        _ => false,
    };

    // Follows one type reference down to what it names, marking what must be written.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Visit(int typeId, bool viaPointer, int depth)
    {
        for (int steps = 0; ; steps++)
        {
            if (steps > MaxNesting * 4) throw TooDeep(typeId);
            var t = _spec[typeId];
            switch (t.Kind)
            {
                case BtfKind.Typedef or BtfKind.Const or BtfKind.Volatile or BtfKind.Restrict or BtfKind.TypeTag:
                    typeId = t.ReferencedTypeId;
                    continue;
                case BtfKind.Pointer:
                    if (_fixed) return; // a pointer is a ulong: what it points to is not written
                    typeId = t.ReferencedTypeId;
                    viaPointer = true;
                    continue;
                case BtfKind.Array:
                    typeId = t.ArrayElementType;
                    continue;
                case BtfKind.Struct or BtfKind.Union:
                    if (IsTopLevel(t)) Mark(typeId, viaPointer);
                    else WalkAnonymous(t, depth + 1);
                    return;
                case BtfKind.Enum or BtfKind.Enum64:
                    if (IsTopLevel(t)) _state[typeId] = Full;
                    else _anonymousEnum[typeId] = true;
                    return;
                case BtfKind.Forward:
                    Mark(ResolveForward(typeId), viaPointer);
                    return;
                default:
                    return;
            }
        }
    }

    private void WalkAnonymous(BtfType t, int depth)
    {
        if (depth > MaxNesting) throw TooDeep(t.Id);
        if (_anonymousWalked[t.Id]) return;
        _anonymousWalked[t.Id] = true;
        for (int i = 0, n = t.Vlen; i < n; i++) Visit(t.GetMember(i).TypeId, viaPointer: false, depth);
    }

    private void Mark(int id, bool viaPointer)
    {
        if (_spec[id].Kind == BtfKind.Forward)
        {
            _state[id] = Full; // nothing to expand
            return;
        }
        if (_options.Shallow && viaPointer)
        {
            if (_state[id] == NotSelected) _state[id] = DeclaredOnly;
            return;
        }
        if (_state[id] == Full) return;
        _state[id] = Full;
        _pending.Push(id);
    }

    /// <summary>The definition a FWD stands for: the first struct (or union) with its name, else the FWD itself.</summary>
    private int ResolveForward(int fwdId)
    {
        int resolved = _forwardTarget[fwdId];
        if (resolved != 0) return resolved;
        var fwd = _spec[fwdId];
        resolved = fwdId;
        if (!fwd.IsAnonymous)
        {
            int def = _spec.FindByName(fwd.NameUtf8, fwd.KindFlag ? BtfKind.Union : BtfKind.Struct);
            if (def > 0) resolved = def;
        }
        _forwardTarget[fwdId] = resolved;
        return resolved;
    }

    // ---------------------------------------------------------------- naming

    /// <summary>Gives every selected top-level type its C# name, in type-id order (first come keeps the plain name).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AssignNames()
    {
        foreach (var reserved in ReservedTypeNames) _typeNames.Add(reserved);
        if (_reservedNames is not null)
            foreach (var reserved in _reservedNames) _typeNames.Add(reserved);
        for (int id = 1; id < _count; id++)
        {
            if (_state[id] == NotSelected) continue;
            var t = _spec[id];
            string baseName;
            if (!t.IsAnonymous) baseName = CSharpNames.ToPascal(CSharpNames.Sanitize(t.NameUtf8));
            else if (_typedefName[id] != 0) baseName = CSharpNames.ToPascal(CSharpNames.Sanitize(_spec[_typedefName[id]].NameUtf8));
            else if (_rootName[id] is string rootName) baseName = CSharpNames.ToPascal(CSharpNames.Sanitize(Encoding.UTF8.GetBytes(rootName)));
            else baseName = "AnonymousForward";
            _names[id] = CSharpNames.Unique(baseName, _typeNames);
        }
    }

    /// <summary>How each root is spelled (after <see cref="AssignNames"/>, before <c>Emit</c>: arrays add helpers).</summary>
    public Dictionary<int, string> RootSpellings()
    {
        var spellings = new Dictionary<int, string>();
        if (_roots is null) return spellings;
        var container = new Container("<root>");
        foreach (var root in _roots)
        {
            if (spellings.ContainsKey(root.TypeId)) continue;
            if (ValueSpelling(root.TypeId, container, new NestedHint(root.AnonymousName, 0), 0) is Spelling s && !s.Local)
                spellings.Add(root.TypeId, s.Text);
        }
        return spellings;
    }

    private BpfFormatException TooDeep(int typeId) =>
        new(BpfFormatError.BtfTypeChainTooDeep, BpfFormat.Btf,
            $"type [{typeId}] nests or chains deeper than {MaxNesting} levels (cyclic?)", "types", -1, _spec.Source);
}
