using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BpfSharp.Btf;

namespace BpfSharp.Tests.GenSkeleton;

/// <summary>
/// Walks a compiled fixed-layout C# type and its BTF type side by side: the runtime size (<c>Unsafe.SizeOf</c>) is
/// the BTF size, every member is a field at the BTF offset (a bitfield's storage unit covers its bits), fixed buffers
/// and inline arrays have the BTF length, enums and pointers have the right C# shape. Collects every difference.
/// </summary>
internal sealed class FixedLayoutChecker(BtfSpec btf)
{
    private readonly HashSet<(Type, int)> _seen = [];

    public List<string> Errors { get; } = [];

    /// <summary>How many (C# type, BTF type) pairs were compared.</summary>
    public int Compared => _seen.Count;

    /// <summary>How many structs were also compared with <c>Marshal.SizeOf</c> (those without bool or inline arrays).</summary>
    public int MarshalCompared { get; private set; }

    public static int SizeOf(Type t) =>
        (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(t).Invoke(null, null)!;

    public void Check(Type cs, int typeId, string path)
    {
        if (!_seen.Add((cs, typeId))) return;
        var t = Skip(typeId);
        long size = btf.ResolveSize(typeId);
        int actual = SizeOf(cs);
        if (actual != size) Errors.Add($"{path}: {cs.Name} is {actual} bytes, BTF [{typeId}] {t.Kind} '{t.Name}' is {size}");
        switch (t.Kind)
        {
            case BtfKind.Struct or BtfKind.Union:
                CheckComposite(cs, t, path);
                break;
            case BtfKind.Array:
                var inline = cs.GetCustomAttribute<InlineArrayAttribute>();
                if (inline is null) { Errors.Add($"{path}: {cs.Name} is not an inline array"); break; }
                if (inline.Length != t.ArrayLength) Errors.Add($"{path}: {cs.Name} has {inline.Length} elements, BTF {t.ArrayLength}");
                var element = cs.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Single();
                Check(element.FieldType, t.ArrayElementType, path + "[]");
                break;
            case BtfKind.Enum or BtfKind.Enum64:
                if (!t.IsAnonymous && !cs.IsEnum) Errors.Add($"{path}: {cs.Name} is not an enum, BTF has enum '{t.Name}'");
                if (cs.IsEnum) CheckEnumerators(cs, t, path);
                break;
            case BtfKind.Pointer:
                if (cs != typeof(ulong)) Errors.Add($"{path}: a pointer is {cs.Name}, not ulong");
                break;
            case BtfKind.Int:
                if (cs.IsEnum || !(cs.IsPrimitive || cs == typeof(Int128) || cs == typeof(UInt128))) Errors.Add($"{path}: integer '{t.Name}' is {cs.Name}");
                break;
        }
    }

    private void CheckComposite(Type cs, BtfType t, string path)
    {
        if (cs.StructLayoutAttribute?.Value != LayoutKind.Explicit) Errors.Add($"{path}: {cs.Name} is not explicit layout");
        // The interop marshaller computes its own layout: it agrees unless a bool (4 bytes to it) or an inline array
        // (which it cannot marshal) is inside.
        if (IsMarshalFriendly(cs, 0))
        {
            MarshalCompared++;
            int marshalled = Marshal.SizeOf(cs);
            if (marshalled != t.Size) Errors.Add($"{path}: Marshal.SizeOf({cs.Name}) is {marshalled}, BTF {t.Size}");
        }
        int anonymous = 0;
        for (int i = 0; i < t.Vlen; i++)
        {
            var m = t.GetMember(i);
            string name = m.NameUtf8.IsEmpty ? "anon" + ++anonymous : m.Name;
            var member = Skip(m.TypeId);
            long bitOffset = m.BitOffset;
            int bits = (int)m.BitfieldSize;
            var field = cs.GetField(name, BindingFlags.Instance | BindingFlags.Public);
            if (btf.TryResolveSize(m.TypeId, out long memberSize) && memberSize == 0)
            {
                if (field is not null) Errors.Add($"{path}.{name}: a member of size 0 (flexible array, empty struct) has a field");
                continue;
            }
            if (field is null) { Errors.Add($"{path}.{name}: no such field in {cs.Name}"); continue; }
            int offset = field.GetCustomAttribute<FieldOffsetAttribute>()?.Value ?? -1;
            if (bits != 0)
            {
                int unit = SizeOf(field.FieldType);
                if (!(offset * 8L <= bitOffset && bitOffset + bits <= (offset + unit) * 8L))
                    Errors.Add($"{path}.{name}: bitfield bits {bitOffset}..{bitOffset + bits} not in the {unit}-byte unit at {offset}");
                continue;
            }
            if (offset * 8L != bitOffset) Errors.Add($"{path}.{name}: FieldOffset {offset}, BTF bit offset {bitOffset}");
            var fixedBuffer = field.GetCustomAttribute<FixedBufferAttribute>();
            if (fixedBuffer is not null)
            {
                var element = Skip(member.ArrayElementType);
                long elementSize = btf.ResolveSize(member.ArrayElementType);
                if (member.Kind != BtfKind.Array || fixedBuffer.Length != member.ArrayLength || SizeOf(fixedBuffer.ElementType) != elementSize)
                    Errors.Add($"{path}.{name}: fixed {fixedBuffer.ElementType.Name}[{fixedBuffer.Length}] for BTF {member.Kind} of {member.ArrayLength} × {elementSize}");
                if (element.Kind == BtfKind.Pointer && fixedBuffer.ElementType != typeof(ulong))
                    Errors.Add($"{path}.{name}: array of pointers is {fixedBuffer.ElementType.Name}");
                continue;
            }
            Check(field.FieldType, m.TypeId, path + "." + name);
        }
    }

    private void CheckEnumerators(Type cs, BtfType t, string path)
    {
        var underlying = Enum.GetUnderlyingType(cs);
        if (SizeOf(underlying) != t.Size) Errors.Add($"{path}: {cs.Name} : {underlying.Name} for a {t.Size}-byte enum");
        bool signed = underlying == typeof(sbyte) || underlying == typeof(short) || underlying == typeof(int) || underlying == typeof(long);
        if (signed != t.KindFlag) Errors.Add($"{path}: {cs.Name} : {underlying.Name}, BTF signed={t.KindFlag}");
        for (int i = 0; i < t.Vlen; i++)
        {
            var e = t.GetEnumValue(i);
            var field = cs.GetField(e.Name, BindingFlags.Public | BindingFlags.Static);
            if (field is null) { Errors.Add($"{path}: {cs.Name} has no {e.Name}"); continue; }
            long expected = e.Is64 ? (long)e.RawValue : t.KindFlag ? (int)(uint)e.RawValue : (uint)e.RawValue;
            long value = Convert.ToInt64(field.GetRawConstantValue() is { } raw && underlying == typeof(ulong) ? unchecked((long)(ulong)raw) : field.GetRawConstantValue());
            if (value != expected) Errors.Add($"{path}: {cs.Name}.{e.Name} = {value}, BTF {expected}");
        }
    }

    private static bool IsMarshalFriendly(Type t, int depth)
    {
        if (depth > 64 || t == typeof(bool) || t.GetCustomAttribute<InlineArrayAttribute>() is not null) return false;
        if (t.IsPrimitive || t.IsEnum) return true;
        foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            var element = f.GetCustomAttribute<FixedBufferAttribute>()?.ElementType ?? f.FieldType;
            if (!IsMarshalFriendly(element, depth + 1)) return false;
        }
        return true;
    }

    private BtfType Skip(int typeId)
    {
        var t = btf[typeId];
        while (t.Kind.IsModifier() || t.Kind == BtfKind.Typedef) t = btf[t.ReferencedTypeId];
        return t;
    }
}
