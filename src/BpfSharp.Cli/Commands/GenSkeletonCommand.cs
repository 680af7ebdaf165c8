using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Text;
using BpfSharp.Btf;
using BpfSharp.Btf.Formatting;
using BpfSharp.Generators;
using BpfSharp.Objects;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// <c>gen skeleton</c>: the typed C# class for a BPF object written in C (bpftool's <c>gen skeleton</c>, cilium's
/// bpf2go), with the same API as the class the source generator writes for C# BPF programs: the same
/// <see cref="SkeletonWriter"/> writes both.
/// </summary>
internal static class GenSkeletonCommand
{
    // Members of the skeleton class that a nested struct must not be named like.
    private static readonly string[] ClassMembers =
    [
        "GlobalVariables", "MapSizes", "MapSet", "ProgramSet", "Object", "Globals", "MaxEntries", "Maps", "Programs",
        "ProgramNames", "Open", "OpenAndLoad", "Load", "AttachAll", "Dispose", ObjectBytesName, "Equals",
        "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize", "ReferenceEquals",
    ];

    private const string ObjectBytesName = "ObjectBytes";

    // Maps whose values are file descriptors or kernel-managed: a typed view would suggest values they do not hold.
    private static readonly HashSet<BpfMapType> UntypedMaps =
    [
        BpfMapType.ProgArray, BpfMapType.PerfEventArray, BpfMapType.ArrayOfMaps, BpfMapType.HashOfMaps,
        BpfMapType.DevMap, BpfMapType.DevMapHash, BpfMapType.SockMap, BpfMapType.SockHash, BpfMapType.XskMap,
        BpfMapType.CpuMap, BpfMapType.ReuseportSockArray, BpfMapType.StackTrace, BpfMapType.RingBuf,
        BpfMapType.UserRingBuf, BpfMapType.Queue, BpfMapType.Stack, BpfMapType.BloomFilter, BpfMapType.CgroupArray,
        BpfMapType.StructOps, BpfMapType.Arena,
    ];

    public static Command Create()
    {
        var input = new Argument<string>("object") { Description = "The BPF object file (.o) written in C." };
        var ns = new Option<string?>("--namespace") { Description = "Namespace of the generated class (default: none).", HelpName = "NAMESPACE" };
        var name = new Option<string?>("--name")
        {
            Description = "Name of the generated class (default: from the file name, task_parent.bpf.o → TaskParentSkeleton).",
            HelpName = "CLASS",
        };
        var output = new Option<string?>("--output", "-o") { Description = "Write the C# source to FILE instead of standard output.", HelpName = "FILE" };
        var command = new Command("skeleton",
            "Generate the typed C# class that loads a BPF object written in C (like 'bpftool gen skeleton'): the object " +
            "embedded as bytes, its globals, map sizes, maps (keys and values as C# structs with the exact C layout) and " +
            "programs. Same API as the skeletons the BpfSharp build writes for C# BPF programs. See docs/skeletons.md.\n\n" +
            "Usage: bpfsharp gen skeleton OBJECT.o [--namespace NAMESPACE] [--name CLASS] [-o FILE]")
            { input, ns, name, output };
        command.SetAction(result =>
        {
            string path = result.GetValue(input)!;
            string source = Generate(path, result.GetValue(ns), result.GetValue(name));
            string? outPath = result.GetValue(output);
            if (outPath is null)
            {
                using var stdout = Console.OpenStandardOutput();
                stdout.Write(Encoding.UTF8.GetBytes(source));
            }
            else File.WriteAllText(outPath, source, new UTF8Encoding(false));
            return 0;
        });
        return command;
    }

    /// <summary>The skeleton's C# source for the object at <paramref name="path"/>.</summary>
    /// <exception cref="CliException">The file cannot be read, or a name is not a valid C# name.</exception>
    public static string Generate(string path, string? namespaceName, string? className)
    {
        byte[] image;
        try
        {
            image = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{path}: {e.Message}");
        }
        var spec = ObjectSpec.Read(image, path);
        string fileName = Path.GetFileName(path);
        className ??= DefaultClassName(fileName);
        if (!IsIdentifier(className) || SkeletonWriter.Identifier(className) != className) throw new CliException($"{path}: '{className}' is not a valid C# class name (use --name)");
        if (namespaceName is not null && !namespaceName.Split('.').All(p => IsIdentifier(p) && SkeletonWriter.Identifier(p) == p))
            throw CliException.Usage($"{path}: '{namespaceName}' is not a valid C# namespace");
        return SkeletonWriter.Write(BuildModel(spec, image, fileName, namespaceName, className));
    }

    /// <summary><c>task_parent.bpf.o</c> → <c>TaskParentSkeleton</c>: the name before the first dot, PascalCase.</summary>
    public static string DefaultClassName(string fileName)
    {
        string stem = fileName.Split('.')[0];
        var sb = new StringBuilder();
        bool upper = true;
        foreach (char c in stem)
        {
            if (!char.IsAsciiLetterOrDigit(c)) { upper = true; continue; }
            sb.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        if (sb.Length == 0 || char.IsAsciiDigit(sb[0])) sb.Insert(0, "Bpf");
        return sb.Append("Skeleton").ToString();
    }

    private static SkeletonModel BuildModel(ObjectSpec spec, byte[] image, string fileName, string? ns, string className)
    {
        var btf = spec.Btf;
        var roots = new List<CSharpTypeRoot>();
        var globals = new List<(GlobalVariableSpec Variable, bool ReadOnly)>();
        foreach (var section in spec.DataSections)
        {
            if (section.Kind == DataSectionKind.Kconfig) continue;
            foreach (var v in section.Variables)
            {
                // Static variables are the object's own (libbpf's skeletons leave them out too).
                if (v.IsStatic || v.BtfTypeId <= 0 || btf is null) continue;
                globals.Add((v, section.Kind == DataSectionKind.ReadOnlyData));
                roots.Add(new CSharpTypeRoot(v.BtfTypeId, v.Name));
            }
        }
        foreach (var map in spec.Maps)
        {
            if (IsMapOfMaps(map, btf)) roots.Add(new CSharpTypeRoot(map.KeyTypeId, map.Name + "_key"));
            if (!IsTyped(map, btf)) continue;
            roots.Add(new CSharpTypeRoot(map.KeyTypeId, map.Name + "_key"));
            roots.Add(new CSharpTypeRoot(map.ValueTypeId, map.Name + "_value"));
        }

        var reserved = ClassMembers.Append(className);
        var types = btf is null || roots.Count == 0
            ? new CSharpTypeDeclarations("", new Dictionary<int, string>())
            : BtfCSharpFormatter.FormatTypes(btf, roots, new CSharpBindingsOptions { FixedLayout = true }, reserved);
        var spellings = types.Spellings;

        var globalModels = ImmutableArray.CreateBuilder<GlobalModel>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var globalNames = globals.Select(g => g.Variable.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (v, readOnly) in globals)
        {
            if (spellings.TryGetValue(v.BtfTypeId, out var type) && IsUsable(v.Name, globalNames, "GlobalVariables") && seen.Add(v.Name))
                globalModels.Add(new GlobalModel(v.Name, type, readOnly));
        }
        var mapModels = ImmutableArray.CreateBuilder<MapModel>();
        var mapNames = spec.Maps.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var map in spec.Maps)
        {
            if (!IsUsable(map.Name, mapNames, "MapSizes") || !IsUsable(map.Name, mapNames, "MapSet")) continue;
            string? key = null, value = null;
            if (IsTyped(map, btf) && spellings.TryGetValue(map.KeyTypeId, out var k) && spellings.TryGetValue(map.ValueTypeId, out var v))
            {
                key = k;
                value = v;
            }
            var mapOfMaps = IsMapOfMaps(map, btf) && spellings.TryGetValue(map.KeyTypeId, out key);
            mapModels.Add(new MapModel(map.Name, "BpfMapType." + map.Type, key, value, TypesArePublic: true) { IsMapOfMaps = mapOfMaps });
        }
        var programs = spec.Programs.Where(p => !p.IsSubprogram && IsUsable(p.Name, [], "ProgramSet")).Select(p => p.Name).Distinct().ToImmutableArray();

        string origin = "<c>" + XmlEscape(fileName) + "</c>";
        var model = new SkeletonModel(ns, className, IsPublic: true, origin,
            "global::BpfSharp.Linux.Loading.BpfObject.Open(" + ObjectBytesName + ".ToArray(), " + Literal(fileName) + ", options)",
            ClassReference: null, new EquatableArray<string>(programs), new EquatableArray<MapModel>(mapModels.ToImmutable()),
            new EquatableArray<GlobalModel>(globalModels.ToImmutable()))
        {
            Prologue = string.Concat(CSharpTypeDeclarations.Usings.Select(u => "using " + u + ";\n")),
            ExtraMembers = ObjectBytesMember(image, fileName) + Indent(types.Source),
        };
        return model;
    }

    /// <summary>A map gets a typed view when its BTF names a key and a value C# can spell and it holds plain data.</summary>
    private static bool IsTyped(MapSpec map, BtfSpec? btf) =>
        btf is not null && map.KeyTypeId > 0 && map.ValueTypeId > 0 && !UntypedMaps.Contains(map.Type);

    /// <summary>A map of maps whose BTF names its key gets a <c>BpfMapOfMaps&lt;TKey&gt;</c> (its values are inner map fds).</summary>
    private static bool IsMapOfMaps(MapSpec map, BtfSpec? btf) =>
        btf is not null && map.KeyTypeId > 0 && map.Type is BpfMapType.ArrayOfMaps or BpfMapType.HashOfMaps;

    private static string ObjectBytesMember(byte[] image, string fileName)
    {
        // A collection expression of constants: the compiler puts the bytes in the assembly's data, no allocation.
        var sb = new StringBuilder(image.Length * 4 + 256);
        sb.Append("    /// <summary>").Append(XmlEscape(fileName)).Append(", embedded: single-file and NativeAOT applications carry it.</summary>\n");
        sb.Append("    private static global::System.ReadOnlySpan<byte> ").Append(ObjectBytesName).Append(" =>\n    [");
        for (int i = 0; i < image.Length; i++)
        {
            sb.Append(i % 32 == 0 ? "\n        " : " ");
            sb.Append(image[i].ToString(CultureInfo.InvariantCulture)).Append(',');
        }
        sb.Append("\n    ];\n");
        return sb.ToString();
    }

    private static string Indent(string source)
    {
        if (source.Length == 0) return "";
        var sb = new StringBuilder(source.Length + source.Length / 8);
        sb.Append("\n#pragma warning disable CS1591 // the object's BTF carries no documentation\n");
        foreach (var line in source.Split('\n'))
        {
            if (line.Length > 0) sb.Append("    ").Append(line);
            sb.Append('\n');
        }
        sb.Length--; // the split's last (empty) piece
        return sb.Append("#pragma warning restore CS1591\n").ToString();
    }

    /// <summary>
    /// Whether a C name can be a member of one of the skeleton's nested classes: not the class's own name, not its
    /// <c>_object</c> field or another member's <c>_name</c> cache field, not an <c>object</c> method it would hide.
    /// Such a name (rare in C) gets no typed member; <c>Object</c> still reaches it.
    /// </summary>
    private static bool IsUsable(string name, HashSet<string> siblings, string nestedClass) =>
        IsIdentifier(name) && name != nestedClass && name != "_object" &&
        name is not ("Equals" or "GetHashCode" or "ToString" or "GetType" or "MemberwiseClone" or "Finalize") &&
        !(name.StartsWith('_') && siblings.Contains(name[1..]));

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static string XmlEscape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static string Literal(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in text)
        {
            if (c is '"' or '\\') sb.Append('\\').Append(c);
            else if (char.IsControl(c)) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.Append('"').ToString();
    }
}
