using System.Reflection;
using System.Text;
using BpfSharp.Btf;
using BpfSharp.Kernel;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.KernelApi;

/// <summary>Reflection over BpfSharp.Kernel and look-ups in kernel BTF shared by the kernel API tests.</summary>
internal static class KernelApiKit
{
    public static readonly Assembly KernelAssembly = typeof(Bpf).Assembly;

    private static readonly Lazy<BtfSpec> RunningKernel = new(() => BtfSpec.Load(TestPaths.Vmlinux));

    /// <summary>The running kernel's BTF (/sys/kernel/btf/vmlinux).</summary>
    public static BtfSpec Vmlinux => RunningKernel.Value;

    /// <summary>The .NET name of a C helper or field name: each '_'-separated part capitalised, underscores dropped.</summary>
    public static string PascalCase(string cName)
    {
        var sb = new StringBuilder(cName.Length);
        foreach (var part in cName.Split('_', StringSplitOptions.RemoveEmptyEntries))
            sb.Append(char.ToUpperInvariant(part[0])).Append(part, 1, part.Length - 1);
        return sb.ToString();
    }

    /// <summary>Every value of every enum (named or anonymous) in the spec, by constant name.</summary>
    public static Dictionary<string, long> EnumConstants(BtfSpec spec)
    {
        var all = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int id = spec.StartId; id < spec.TypeCount; id++)
        {
            var t = spec[id];
            if (!t.Kind.IsAnyEnum()) continue;
            for (int i = 0; i < t.Vlen; i++)
            {
                var v = t.GetEnumValue(i);
                all.TryAdd(v.Name, v.Value);
            }
        }
        return all;
    }

    /// <summary>The constants of one named enum, in declaration order.</summary>
    public static List<(string Name, long Value)> NamedEnum(BtfSpec spec, string name)
    {
        int id = spec.FindByName(name, BtfKind.Enum);
        if (id < 0) id = spec.FindByName(name, BtfKind.Enum64);
        Assert.True(id > 0, $"enum {name} not found in {spec}");
        var t = spec[id];
        var list = new List<(string, long)>();
        for (int i = 0; i < t.Vlen; i++) list.Add((t.GetEnumValue(i).Name, t.GetEnumValue(i).Value));
        return list;
    }

    /// <summary>A struct member as a C programmer names it: anonymous struct/union members are flattened.</summary>
    /// <param name="Name">The member name.</param>
    /// <param name="ByteOffset">Its offset from the start of the outer struct.</param>
    /// <param name="TopLevelOffset">The offset of the outer struct's member that holds it (itself, or the anonymous union around it).</param>
    /// <param name="TopLevelSize">The size of that top-level member.</param>
    /// <param name="Size">The member's own size.</param>
    public readonly record struct FlatMember(string Name, long ByteOffset, long TopLevelOffset, long TopLevelSize, long Size);

    /// <summary>The struct's size and its members (anonymous members flattened), or null when the kernel lacks it.</summary>
    public static (long Size, Dictionary<string, FlatMember> Members, int TopLevelCount)? Struct(BtfSpec spec, string name)
    {
        int id = spec.FindByName(name, BtfKind.Struct);
        if (id < 0) return null;
        var s = spec[id];
        var members = new Dictionary<string, FlatMember>(StringComparer.Ordinal);
        foreach (var m in s.Members)
        {
            Assert.Equal(0u, m.BitfieldSize);
            long offset = m.BitOffset / 8;
            Assert.True(spec.TryResolveSize(m.TypeId, out long size), $"{name}.{m.Name}: size");
            if (m.Name.Length > 0)
            {
                members.Add(m.Name, new FlatMember(m.Name, offset, offset, size, size));
                continue;
            }
            var inner = spec.SkipModifiersAndTypedefs(m.TypeId);
            Assert.True(inner.Kind.IsComposite(), $"{name}: anonymous member of kind {inner.Kind}");
            AddInner(inner, offset, offset, size);
        }
        return (s.Size, members, s.Vlen);

        // Members of an anonymous struct/union, and of anonymous ones nested in it (bpf_sk_lookup's
        // `union { union { sk }; cookie }`), all held by the top-level member at topOffset.
        void AddInner(BtfType inner, long innerOffset, long topOffset, long topSize)
        {
            foreach (var im in inner.Members)
            {
                var type = spec.SkipModifiersAndTypedefs(im.TypeId);
                if (im.Name.Length == 0)
                {
                    // A nested anonymous aggregate, or padding such as __bpf_md_ptr's `__u64 :64`.
                    if (type.Kind.IsComposite()) AddInner(type, innerOffset + im.BitOffset / 8, topOffset, topSize);
                    continue;
                }
                Assert.True(spec.TryResolveSize(im.TypeId, out long innerSize));
                members.TryAdd(im.Name, new FlatMember(im.Name, innerOffset + im.BitOffset / 8, topOffset, topSize, innerSize));
            }
        }
    }

    /// <summary>The BTF name a type or member carries through [BtfName].</summary>
    public static string? BtfName(MemberInfo member) => member.GetCustomAttribute<BtfNameAttribute>()?.Name;

    /// <summary>All static methods of <see cref="Bpf"/> that bind a helper.</summary>
    public static IEnumerable<(MethodInfo Method, int Id)> HelperStubs() =>
        typeof(Bpf).GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Select(m => (m, m.GetCustomAttribute<BpfHelperAttribute>()))
            .Where(p => p.Item2 is not null)
            .Select(p => (p.m, p.Item2!.Id));
}
