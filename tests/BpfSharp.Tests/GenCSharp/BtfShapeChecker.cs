using System.Reflection;
using BpfSharp.Btf;

namespace BpfSharp.Tests.GenCSharp;

/// <summary>
/// Checks compiled generated types against the BTF they came from, independently of the generator: every BTF member
/// is a field, in BTF order, with the BTF name, the attributes its kind needs and a C# type of the right class
/// (integer of the same size and signedness, the enum or struct of the same BTF name, a pointer to the right
/// target, a fixed buffer or inline array of the right length and element); enums have every enumerator's value.
/// Types come from a <see cref="MetadataLoadContext"/>: inspecting them never runs the type loader (see
/// docs/gen-csharp.md for a .NET type-loader crash some kernel layouts trigger), so attributes are read as data.
/// </summary>
internal sealed class BtfShapeChecker(BtfSpec spec, bool shallow)
{
    private readonly HashSet<(Type, int)> _checked = [];
    private readonly List<string> _problems = [];

    public IReadOnlyList<string> Problems => _problems;

    public int CheckedComposites { get; private set; }

    private void Problem(string text)
    {
        if (_problems.Count < 50) _problems.Add(text);
    }

    /// <summary>Checks a top-level generated type against the BTF types of its [Relocatable] name.</summary>
    public void CheckTopLevel(Type type)
    {
        if (Attribute(type, "System.Runtime.CompilerServices.InlineArrayAttribute") is not null || type.IsAbstract) return; // helpers, constants
        string? relocatable = RelocatableName(type);
        if (relocatable is null) { Problem($"{type.Name}: no [Relocatable]"); return; }
        if (Has(type, "AnonymousAttribute")) return; // typedef-named: checked where used
        string name = relocatable.Length == 0 ? type.Name : relocatable;
        if (type.IsEnum)
        {
            var candidates = Candidates(name, BtfKind.Enum, BtfKind.Enum64);
            if (candidates.Count == 0) Problem($"{type.Name}: no BTF enum '{name}'");
            else if (!candidates.Any(c => EnumMatches(type, c, report: false))) EnumMatches(type, candidates[0], report: true);
            return;
        }
        bool union = IsExplicit(type);
        var composites = Candidates(name, union ? BtfKind.Union : BtfKind.Struct);
        var instanceFields = Fields(type);
        if (composites.Count == 0)
        {
            // Only a FWD: an empty declaration.
            if (Candidates(name, BtfKind.Forward).Count == 0) Problem($"{type.Name}: no BTF {(union ? "union" : "struct")} or FWD '{name}'");
            if (instanceFields.Length != 0) Problem($"{type.Name}: a forward declaration with fields");
            return;
        }
        if (instanceFields.Length == 0 && composites.All(c => c.Vlen > 0))
        {
            if (!shallow) Problem($"{type.Name}: declared empty but BTF '{name}' has members");
            return;
        }
        foreach (var c in composites)
        {
            var scratch = new BtfShapeChecker(spec, shallow);
            scratch.CheckComposite(type, c);
            if (scratch.Problems.Count == 0) { CheckComposite(type, c); return; }
        }
        CheckComposite(type, composites[0]);
    }

    private List<BtfType> Candidates(string name, params BtfKind[] kinds)
    {
        var result = new List<BtfType>();
        byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(name);
        for (var s = spec; s is not null; s = s.Base)
            foreach (var t in s.FindOwnByEssentialName(utf8.AsSpan(0, BtfSpec.EssentialNameLength(utf8))))
                if (kinds.Contains(t.Kind) && t.NameUtf8.SequenceEqual(utf8)) result.Add(t);
        return result;
    }

    private static CustomAttributeData? Attribute(MemberInfo member, string name) =>
        member.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.FullName == name);

    private const string Kernel = "BpfSharp.Kernel.";

    /// <summary>The BTF name a [Relocatable] type gives (null: none, or the C# name by default).</summary>
    public static string? RelocatableName(Type type) =>
        Attribute(type, Kernel + "RelocatableAttribute") is { } a ? a.ConstructorArguments[0].Value as string ?? "" : null;

    private static bool Has(MemberInfo member, string shortName) => Attribute(member, Kernel + shortName) is not null;

    private static string? BtfName(MemberInfo member) => Attribute(member, Kernel + "BtfNameAttribute")?.ConstructorArguments[0].Value as string;

    private static int IntArgument(MemberInfo member, string fullName, int index = 0) =>
        Attribute(member, fullName) is { } a ? (int)a.ConstructorArguments[index].Value! : 0;

    private static bool IsExplicit(Type type) => (type.Attributes & TypeAttributes.LayoutMask) == TypeAttributes.ExplicitLayout;

    private static int SizeOf(Type t) => t.FullName switch
    {
        "System.Byte" or "System.SByte" or "System.Boolean" => 1,
        "System.Int16" or "System.UInt16" or "System.Half" => 2,
        "System.Int32" or "System.UInt32" or "System.Single" => 4,
        "System.Int64" or "System.UInt64" or "System.Double" => 8,
        "System.Int128" or "System.UInt128" => 16,
        _ => -1,
    };

    private static bool IsInteger(Type t) => t.FullName is "System.Byte" or "System.SByte" or "System.Int16" or "System.UInt16"
        or "System.Int32" or "System.UInt32" or "System.Int64" or "System.UInt64";

    private static FieldInfo[] Fields(Type type) =>
        type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).OrderBy(f => f.MetadataToken).ToArray();

    private bool EnumMatches(Type type, BtfType btf, bool report)
    {
        bool ok = true;
        void Fail(string s) { ok = false; if (report) Problem($"{type.Name}: {s}"); }
        var underlying = type.GetEnumUnderlyingType();
        if (SizeOf(underlying) != (int)btf.Size) Fail($"underlying {underlying.Name} for an enum of {btf.Size} bytes");
        if (IsSigned(underlying) != btf.KindFlag) Fail($"underlying {underlying.Name} but BTF signed={btf.KindFlag}");
        var fields = type.GetFields(BindingFlags.Public | BindingFlags.Static).OrderBy(f => f.MetadataToken).ToArray();
        if (fields.Length != btf.Vlen) { Fail($"{fields.Length} enumerators, BTF has {btf.Vlen}"); return ok; }
        for (int i = 0; i < fields.Length; i++)
        {
            var e = btf.GetEnumValue(i);
            string csName = BtfName(fields[i]) ?? fields[i].Name;
            if (csName != e.Name) Fail($"enumerator {i} is '{csName}', BTF '{e.Name}'");
            object raw = fields[i].GetRawConstantValue()!;
            ulong bits = IsSigned(underlying) ? (ulong)Convert.ToInt64(raw) : Convert.ToUInt64(raw);
            ulong expected = e.Is64 ? e.RawValue : (ulong)e.Value;
            if (btf.Size < 8)
            {
                ulong mask = (1UL << (int)(btf.Size * 8)) - 1;
                bits &= mask;
                expected &= mask;
            }
            if (bits != expected) Fail($"{e.Name} = 0x{bits:x}, BTF 0x{expected:x}");
        }
        return ok;
    }

    private void CheckComposite(Type type, BtfType btf)
    {
        if (!_checked.Add((type, btf.Id))) return;
        CheckedComposites++;
        bool union = btf.Kind == BtfKind.Union;
        if (IsExplicit(type) != union) Problem($"{type.Name}: union/struct layout does not match [{btf.Id}]");
        var fields = Fields(type);
        if (fields.Length != btf.Vlen) { Problem($"{type.Name}: {fields.Length} fields, BTF [{btf.Id}] has {btf.Vlen} members"); return; }
        for (int i = 0; i < fields.Length; i++)
        {
            var f = fields[i];
            var m = btf.GetMember(i);
            string where = $"{type.Name}.{f.Name} (member {i} of [{btf.Id}])";
            bool anonymous = m.NameUtf8.IsEmpty;
            if (anonymous != Has(f, "AnonymousAttribute")) Problem($"{where}: [Anonymous] does not match");
            if (!anonymous && (BtfName(f) ?? f.Name) != m.Name) Problem($"{where}: BTF name is '{m.Name}'");
            if (union && Attribute(f, "System.Runtime.InteropServices.FieldOffsetAttribute") is null) Problem($"{where}: union member without [FieldOffset]");
            var resolved = spec.SkipModifiersAndTypedefs(m.TypeId);
            int bits = (int)m.BitfieldSize;
            if (bits == 0 && resolved.Kind == BtfKind.Int && resolved.IntBits > 0 && (resolved.IntBits != resolved.Size * 8 || resolved.IntOffset != 0))
                bits = resolved.IntBits;
            if (IntArgument(f, Kernel + "BitfieldAttribute") != bits) Problem($"{where}: bitfield size should be {bits}");
            bool flexible = resolved.Kind == BtfKind.Array && resolved.ArrayLength == 0;
            if (flexible != Has(f, "FlexibleArrayAttribute")) Problem($"{where}: [FlexibleArray] does not match");
            if (resolved.Kind == BtfKind.Array && Attribute(f, "System.Runtime.CompilerServices.FixedBufferAttribute") is { } fixedBuffer)
            {
                int length = (int)fixedBuffer.ConstructorArguments[1].Value!;
                if (length != Math.Max(1, (int)resolved.ArrayLength)) Problem($"{where}: fixed buffer of {length}, BTF length {resolved.ArrayLength}");
                CheckValue((Type)fixedBuffer.ConstructorArguments[0].Value!, resolved.ArrayElementType, where + "[]");
            }
            else CheckValue(f.FieldType, m.TypeId, where);
        }
    }

    private void CheckValue(Type t, int typeId, string where)
    {
        var r = spec.SkipModifiersAndTypedefs(typeId);
        switch (r.Kind)
        {
            case BtfKind.Int or BtfKind.Float:
                CheckScalar(t, r, where);
                break;
            case BtfKind.Enum or BtfKind.Enum64:
                if (r.IsAnonymous)
                {
                    if (!IsInteger(t) || SizeOf(t) != (int)r.Size || IsSigned(t) != r.KindFlag) Problem($"{where}: {t} for an anonymous enum of {r.Size} bytes");
                }
                else if (!t.IsEnum || RelocatableName(t) != r.Name) Problem($"{where}: {t} for enum '{r.Name}'");
                break;
            case BtfKind.Struct or BtfKind.Union or BtfKind.Forward:
                CheckNamedOrNested(t, r, where, descend: true);
                break;
            case BtfKind.Pointer:
                if (!t.IsPointer) { Problem($"{where}: {t} for a pointer"); break; }
                CheckPointerTarget(t.GetElementType()!, r.ReferencedTypeId, where + "*");
                break;
            case BtfKind.Array:
                int inline = IntArgument(t, "System.Runtime.CompilerServices.InlineArrayAttribute");
                if (inline == 0) { Problem($"{where}: {t} for an array (no [InlineArray])"); break; }
                if (inline != Math.Max(1, (int)r.ArrayLength)) Problem($"{where}: inline array of {inline}, BTF length {r.ArrayLength}");
                var element = Fields(t);
                if (element.Length != 1) { Problem($"{where}: inline array with {element.Length} fields"); break; }
                CheckValue(element[0].FieldType, r.ArrayElementType, where + "[]");
                break;
            default:
                Problem($"{where}: BTF kind {r.Kind} has no value mapping");
                break;
        }
    }

    private void CheckPointerTarget(Type t, int typeId, string where)
    {
        var r = spec.SkipModifiersAndTypedefs(typeId);
        switch (r.Kind)
        {
            case BtfKind.Unknown or BtfKind.FuncProto or BtfKind.Array:
                if (t.FullName != "System.Void") Problem($"{where}: {t} for a pointer to {r.Kind}");
                break;
            case BtfKind.Int or BtfKind.Float:
                CheckScalar(t, r, where);
                break;
            case BtfKind.Pointer:
                if (!t.IsPointer) Problem($"{where}: {t} for a pointer");
                else CheckPointerTarget(t.GetElementType()!, r.ReferencedTypeId, where + "*");
                break;
            case BtfKind.Enum or BtfKind.Enum64:
                CheckValue(t, r.Id, where);
                break;
            case BtfKind.Struct or BtfKind.Union or BtfKind.Forward:
                CheckNamedOrNested(t, r, where, descend: r.IsAnonymous);
                break;
            default:
                Problem($"{where}: unexpected pointer target kind {r.Kind}");
                break;
        }
    }

    private void CheckNamedOrNested(Type t, BtfType r, string where, bool descend)
    {
        string? relocatable = RelocatableName(t);
        if (relocatable is null) { Problem($"{where}: {t} is not [Relocatable]"); return; }
        if (r.IsAnonymous)
        {
            if (!Has(t, "AnonymousAttribute")) Problem($"{where}: {t} for an anonymous type is not [Anonymous]");
            CheckComposite(t, r);
            return;
        }
        if (relocatable != r.Name) { Problem($"{where}: {t} is '{relocatable}', BTF '{r.Name}'"); return; }
        if (r.Kind == BtfKind.Forward) return;
        if (descend && Fields(t).Length > 0) CheckComposite(t, r);
    }

    private void CheckScalar(Type t, BtfType r, string where)
    {
        bool ok;
        string? name = t.FullName;
        if (r.Kind == BtfKind.Float) ok = name == (r.Size switch { 2 => "System.Half", 4 => "System.Single", 8 => "System.Double", _ => "" });
        else if ((r.IntEncoding & BtfIntEncoding.Bool) != 0 && r.Size == 1) ok = name == "System.Boolean";
        else if (r.Size == 16) ok = name == ((r.IntEncoding & BtfIntEncoding.Signed) != 0 ? "System.Int128" : "System.UInt128");
        else if (r.Size == 1 && r.Name == "char") ok = name == "System.Byte";
        else ok = IsInteger(t) && SizeOf(t) == (int)r.Size && IsSigned(t) == ((r.IntEncoding & BtfIntEncoding.Signed) != 0);
        if (!ok) Problem($"{where}: {t} for {r.Kind} '{r.Name}' of {r.Size} bytes ({r.IntEncoding})");
    }

    private static bool IsSigned(Type t) => t.FullName is "System.SByte" or "System.Int16" or "System.Int32" or "System.Int64";
}
