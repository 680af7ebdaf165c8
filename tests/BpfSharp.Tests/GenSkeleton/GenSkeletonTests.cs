using System.Reflection;
using System.Text.RegularExpressions;
using BpfSharp.Btf;
using BpfSharp.Btf.Formatting.CSharp;
using BpfSharp.Cli.Commands;
using BpfSharp.Objects;
using BpfSharp.Tests.GenCSharp;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Loading;

namespace BpfSharp.Tests.GenSkeleton;

/// <summary>
/// <c>bpfsharp gen skeleton</c> on the objects the tests build from C (testdata/skeleton/layout.c, every layout;
/// testdata/loader/everything.c, every map kind and data section): the output compiles cleanly (Roslyn, warnings as
/// errors, XML docs checked), every generated struct has the BTF size and offsets (and clang's, from a host probe),
/// and the typed API drives the kernel: .rodata set before load, .data/.bss read and written after it, typed maps
/// against C structs, AttachAll, and nothing left in the kernel after dispose.
/// </summary>
[Collection("Loader kernel tests")]
public sealed class GenSkeletonTests
{
    private static readonly Lazy<Assembly> LayoutAssembly = new(() => InProcessCompiler.Compile("layout_skeleton",
        GenSkeletonCommand.Generate(LayoutObject, "Skel", "LayoutSkeleton"), LayoutDriver));

    private static readonly Lazy<Assembly> EverythingAssembly = new(() => InProcessCompiler.Compile("everything_skeleton",
        GenSkeletonCommand.Generate(LoaderObjects.Get("everything"), "Skel.Everything", "EverythingBpf"), EverythingDriver));

    private static string LayoutObject =>
        LoaderObjects.Compile(Path.Combine(TestPaths.TestData, "skeleton", "layout.c"), mustCompile: true)!;

    [Fact]
    public void DefaultClassNameIsThePascalCaseFileStem()
    {
        Assert.Equal("TaskParentSkeleton", GenSkeletonCommand.DefaultClassName("task_parent.bpf.o"));
        Assert.Equal("EverythingSkeleton", GenSkeletonCommand.DefaultClassName("everything.o"));
        Assert.Equal("MyProbeSkeleton", GenSkeletonCommand.DefaultClassName("my-probe.o"));
        Assert.Equal("Bpf1xSkeleton", GenSkeletonCommand.DefaultClassName("1x.o"));
    }

    [Fact]
    public void GeneratedStructsHaveTheBtfLayout()
    {
        foreach (var (name, assembly, skeleton) in new[]
        {
            ("layout", LayoutAssembly.Value, "Skel.LayoutSkeleton"),
            ("everything", EverythingAssembly.Value, "Skel.Everything.EverythingBpf"),
        })
        {
            var spec = ObjectSpec.Load(name == "layout" ? LayoutObject : LoaderObjects.Get(name));
            var type = assembly.GetType(skeleton, throwOnError: true)!;
            var checker = new FixedLayoutChecker(spec.Btf!);
            int roots = 0;
            // Globals: every non-static variable of .data/.rodata/.bss is a property of its BTF type.
            var globals = type.GetNestedType("GlobalVariables")!;
            foreach (var section in spec.DataSections.Where(d => d.Kind != DataSectionKind.Kconfig))
            {
                foreach (var v in section.Variables.Where(v => !v.IsStatic))
                {
                    var property = globals.GetProperty(v.Name);
                    Assert.True(property is not null, $"{name}: no property for global '{v.Name}'");
                    Assert.Equal((int)v.Size, FixedLayoutChecker.SizeOf(property!.PropertyType));
                    checker.Check(property.PropertyType, v.BtfTypeId, v.Name);
                    roots++;
                }
            }
            // Maps: typed views are BpfMap<TKey, TValue> of the BTF key and value types, BpfMapOfMaps<TKey> of the key.
            var maps = type.GetNestedType("MapSet")!;
            foreach (var map in spec.Maps)
            {
                var property = maps.GetProperty(map.Name);
                Assert.True(property is not null, $"{name}: no property for map '{map.Name}'");
                if (!property!.PropertyType.IsGenericType) continue;
                var args = property.PropertyType.GetGenericArguments();
                checker.Check(args[0], map.KeyTypeId, map.Name + ".key");
                if (property.PropertyType.GetGenericTypeDefinition() == typeof(BpfSharp.Linux.Maps.BpfMapOfMaps<>))
                {
                    Assert.True(map.InnerMap is not null, $"{name}: '{map.Name}' is not a map of maps");
                    continue;
                }

                checker.Check(args[1], map.ValueTypeId, map.Name + ".value");
                roots++;
            }
            Assert.Empty(checker.Errors);
            Assert.True(roots >= 10, $"{name}: only {roots} roots checked");
            Assert.True(checker.Compared >= (name == "everything" ? 5 : 25), $"{name}: only {checker.Compared} types compared");
            Assert.True(checker.MarshalCompared >= (name == "everything" ? 2 : 8), $"{name}: only {checker.MarshalCompared} structs compared with Marshal.SizeOf");
        }
    }

    [Fact]
    public void GeneratedStructsMatchClangOffsetofOnTheHost()
    {
        // An independent oracle for the BTF reading: clang's own offsetof/sizeof for the same declarations, built for
        // the host (x86-64 and arm64 lay these types out as the BPF target does).
        string source = Path.Combine(TestPaths.TestData, "skeleton", "layout.c");
        var spec = ObjectSpec.Load(LayoutObject);
        var btf = spec.Btf!;
        var type = LayoutAssembly.Value.GetType("Skel.LayoutSkeleton", throwOnError: true)!;
        var probe = new System.Text.StringBuilder();
        probe.Append("#include \"").Append(source).Append("\"\n#include <stdio.h>\n#include <stddef.h>\nint main(void)\n{\n");
        var expected = new List<(string Key, Type Type, string? Field)>();
        foreach (var cName in new[] { "key", "value", "inner", "packed" })
        {
            var t = btf[btf.FindByName(System.Text.Encoding.UTF8.GetBytes(cName), BtfKind.Struct)];
            var cs = type.GetNestedType(CSharpNames.ToPascal(cName))!;
            Assert.NotNull(cs);
            probe.Append($"\tprintf(\"{cName} %zu\\n\", sizeof(struct {cName}));\n");
            expected.Add((cName, cs, null));
            for (int i = 0; i < t.Vlen; i++)
            {
                var m = t.GetMember(i);
                if (m.NameUtf8.IsEmpty || m.BitfieldSize != 0) continue;
                probe.Append($"\tprintf(\"{cName}.{m.Name} %zu\\n\", offsetof(struct {cName}, {m.Name}));\n");
                expected.Add((cName + "." + m.Name, cs, m.Name));
            }
        }
        probe.Append("\treturn 0;\n}\n");
        string dir = TestPaths.NewScratchDirectory("skeleton-probe");
        File.WriteAllText(Path.Combine(dir, "probe.c"), probe.ToString());
        ExternalTool.RunChecked("clang-19", "-I" + ExternalTool.MultiarchIncludeDirectory, "-o", Path.Combine(dir, "probe"), Path.Combine(dir, "probe.c"));
        var clang = ExternalTool.RunText(Path.Combine(dir, "probe")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')).ToDictionary(p => p[0], p => int.Parse(p[1]));
        Assert.Equal(expected.Count, clang.Count);
        foreach (var (key, cs, field) in expected)
        {
            int actual = field is null
                ? FixedLayoutChecker.SizeOf(cs)
                : cs.GetField(field)!.GetCustomAttribute<System.Runtime.InteropServices.FieldOffsetAttribute>()!.Value;
            Assert.True(clang[key] == actual, $"{key}: clang says {clang[key]}, the C# says {actual}");
        }
    }

    [Fact]
    public void LayoutSkeletonDrivesTheKernel()
    {
        KernelObjects.RequireBpf();
        var report = (string)InProcessCompiler.Call(LayoutAssembly.Value, "Driver", "Run")!;
        Assert.Equal("ok", report);
    }

    [Fact]
    public void EverythingSkeletonDrivesTheKernel()
    {
        KernelObjects.RequireBpf();
        var report = (string)InProcessCompiler.Call(EverythingAssembly.Value, "Driver", "Run")!;
        Assert.Equal("ok", report);
    }

    [Theory]
    [InlineData("layout")]
    [InlineData("everything")]
    public void AttachAllThenDisposeLeavesNothingInTheKernel(string which)
    {
        KernelObjects.RequireBpf();
        var assembly = which == "layout" ? LayoutAssembly.Value : EverythingAssembly.Value;
        var ids = (int[][])InProcessCompiler.Call(assembly, "Driver", "AttachAndDispose")!;
        Assert.NotEmpty(ids[0]);
        Assert.NotEmpty(ids[1]);
        Assert.Single(ids[2]); // one program in each object names its own attach point
        KernelObjects.AssertGone("link", ids[2]);
        KernelObjects.AssertGone("prog", ids[0]);
        KernelObjects.AssertGone("map", ids[1]);
        KernelObjects.AssertGone("btf", ids[3]);
    }

    [Fact]
    public void CliWritesTheFileAndNamesTheObjectInErrors()
    {
        string dir = TestPaths.NewScratchDirectory("skeleton-cli");
        string obj = Path.Combine(dir, "task_parent.bpf.o");
        File.Copy(LayoutObject, obj);
        string outFile = Path.Combine(dir, "Skel.cs");
        var run = GenCSharpCli.Run("gen", "skeleton", obj, "--namespace", "My.Probes", "-o", outFile);
        Assert.True(run.ExitCode == 0, run.Stderr);
        string text = File.ReadAllText(outFile);
        Assert.Contains("namespace My.Probes;", text);
        Assert.Contains("public sealed partial class TaskParentSkeleton", text);
        Assert.Contains("BpfObject.Open(ObjectBytes.ToArray(), \"task_parent.bpf.o\", options)", text);
        // The embedded bytes are the object, byte for byte.
        var bytes = Regex.Match(text, @"ObjectBytes =>\s*\[(.*?)\];", RegexOptions.Singleline).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(byte.Parse).ToArray();
        Assert.Equal(File.ReadAllBytes(obj), bytes);
        // Same run to stdout, with --name.
        var stdout = GenCSharpCli.Run("gen", "skeleton", obj, "--namespace", "My.Probes", "--name", "TaskParentSkeleton");
        Assert.Equal(text, System.Text.Encoding.UTF8.GetString(stdout.Stdout));

        File.WriteAllBytes(Path.Combine(dir, "bad.o"), [1, 2, 3]);
        var bad = GenCSharpCli.Run("gen", "skeleton", Path.Combine(dir, "bad.o"));
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("bad.o", bad.Stderr);
        var badName = GenCSharpCli.Run("gen", "skeleton", obj, "--name", "class");
        Assert.NotEqual(0, badName.ExitCode);
        Assert.Contains("task_parent.bpf.o", badName.Stderr);
    }

    [Fact]
    public void GenCSharpFixedLayoutHasTheBtfLayout()
    {
        // The same printer behind 'gen csharp --fixed-layout': every struct, union and enum of the object's BTF.
        string obj = LayoutObject;
        var run = GenCSharpCli.Run("gen", "csharp", "--btf", obj, "--fixed-layout", "--namespace", "Fixed");
        Assert.True(run.ExitCode == 0, run.Stderr);
        string text = System.Text.Encoding.UTF8.GetString(run.Stdout);
        Assert.DoesNotContain("Relocatable", text);
        Assert.DoesNotContain("BpfSharp", text);
        var assembly = InProcessCompiler.Compile("fixed_layout", text);
        var btf = ObjectSpec.Load(obj).Btf!;
        var checker = new FixedLayoutChecker(btf);
        foreach (var (cName, csName) in new[] { ("key", "Key"), ("value", "Value"), ("packed", "Packed"), ("__sk_buff", "__SkBuff"), ("word", "Word") })
        {
            int id = btf.FindByName(System.Text.Encoding.UTF8.GetBytes(cName), cName == "word" ? BtfKind.Union : BtfKind.Struct);
            checker.Check(assembly.GetType("Fixed." + csName, throwOnError: true)!, id, cName);
        }
        Assert.Empty(checker.Errors);
    }

    [Fact]
    public void NamesThatAreKeywordsOrClashStillCompile()
    {
        // testdata/skeleton/names.c: a map named 'event', a program named 'lock', a global named 'string', globals
        // 'count' and '_count' (the second would be the first's cache field), 'Equals', '_object', and structs
        // named like the class's own members (map_set → MapSet, programs → Programs).
        string obj = LoaderObjects.Compile(Path.Combine(TestPaths.TestData, "skeleton", "names.c"), mustCompile: true)!;
        var assembly = InProcessCompiler.Compile("names_skeleton", GenSkeletonCommand.Generate(obj, null, "NamesSkeleton"), """
            #pragma warning disable CS1591
            public static class Driver
            {
                public static string Run()
                {
                    using var s = NamesSkeleton.OpenAndLoad();
                    s.Globals.count = 2;
                    s.Globals.@string = 3;
                    s.Maps.@event.Update(0, new NamesSkeleton.MapSet_2 { x = 4 });
                    return s.Programs.@lock.TestRun(new byte[64]).ReturnValue.ToString();
                }
            }
            """);
        var skeleton = assembly.GetType("NamesSkeleton", throwOnError: true)!;
        var globals = skeleton.GetNestedType("GlobalVariables")!.GetProperties().Select(p => p.Name).Order().ToArray();
        Assert.Equal(["count", "string"], globals);
        Assert.NotNull(skeleton.GetNestedType("Programs_2"));
        KernelObjects.RequireBpf();
        Assert.Equal("9", InProcessCompiler.Call(assembly, "Driver", "Run"));
    }

    [Fact]
    public void FixedLayoutOfEveryRunningKernelStructMatchesItsBtf()
    {
        // The whole running kernel (about 10,000 structs and unions) through FormatTypes, whose spellings map each
        // BTF id to its C# type exactly. Types of size 0 (empty structs) are 1 byte in .NET whatever the layout says;
        // they are never fields (members of size 0 are left out), so only their own size differs.
        var btf = BtfSpec.Load(TestPaths.Vmlinux);
        var roots = new List<BpfSharp.Btf.Formatting.CSharpTypeRoot>();
        for (int id = 1; id < btf.TypeCount; id++)
        {
            var t = btf[id];
            if (t.Kind is BtfKind.Struct or BtfKind.Union && !t.IsAnonymous) roots.Add(new(id, t.Name));
        }
        var types = BpfSharp.Btf.Formatting.BtfCSharpFormatter.FormatTypes(btf, roots);
        string source = "#pragma warning disable CS1591\n" + string.Concat(BpfSharp.Btf.Formatting.CSharpTypeDeclarations.Usings.Select(u => "using " + u + ";\n")) +
                        "namespace K;\n" + types.Source;
        var assembly = InProcessCompiler.Compile("kernel_fixed", source);
        var checker = new FixedLayoutChecker(btf);
        int emptyTypes = 0;
        foreach (var root in roots)
        {
            if (btf.ResolveSize(root.TypeId) == 0) { emptyTypes++; continue; }
            checker.Check(assembly.GetType("K." + types.Spellings[root.TypeId], throwOnError: true)!, root.TypeId, btf[root.TypeId].Name);
        }
        Assert.Empty(checker.Errors);
        Assert.True(checker.Compared > 5000, $"only {checker.Compared} types compared ({emptyTypes} empty)");
        Assert.True(checker.MarshalCompared > 2000, $"only {checker.MarshalCompared} structs compared with Marshal.SizeOf");
    }

    // Runs inside the compiled assembly, against the generated API (so a wrong member name or type fails to compile).
    private const string LayoutDriver = """
        #pragma warning disable CS1591
        using System;
        using System.Linq;
        using System.Runtime.InteropServices;
        using Skel;

        public static unsafe class Driver
        {
            [DllImport("libc", SetLastError = true)]
            private static extern int getppid();

            private static void Check(bool condition, string what)
            {
                if (!condition) throw new Exception("check failed: " + what);
            }

            private static LayoutSkeleton.Key MakeKey(uint id, string name, ushort port)
            {
                var k = new LayoutSkeleton.Key { id = id, port = port };
                for (int i = 0; i < name.Length; i++) k.name[i] = (byte)name[i];
                return k;
            }

            public static string Run()
            {
                using var s = LayoutSkeleton.Open();
                var key = MakeKey(42, "mine", 8080);
                // .rodata and map sizes before load.
                s.Globals.rodata_mult = 3;
                s.Globals.rodata_key = key;
                s.MaxEntries.values = 32;
                Check(s.Globals.data_counter == 5, "data_counter initial value from the object");
                Check(s.Globals.data_packed.b == 0x0102030405060708UL && s.Globals.data_packed.c == 3, "data_packed initial value");
                Check(s.Globals.anon_cfg.a == 11 && s.Globals.anon_cfg.b == 22, "anonymous-struct global");
                var bits = s.Globals.data_bits;
                Check(bits.a == 0x1234 && (bits.lo & 0xf) == 5 && (bits.hi >> 4) == 9, "bitfields of a packed struct");
                s.Load();
                Check(s.Maps.values.Map.MaxEntries == 32, "max entries set before load");

                // A typed value written from C#: the program reads it back through the map.
                var v = new LayoutSkeleton.Value { kind = 1, count = 10, color = LayoutSkeleton.Color.GREEN, tiny = LayoutSkeleton.Tiny.TINY_A };
                v.nested.y = 100;
                v.many[1].y = 1000;
                v.ids[2] = 4;
                v.anon_named.b = 7;
                v.matrix[1][2] = -20;
                v.wide = LayoutSkeleton.Wide.WIDE_BIG;
                v.@lock = 12345;
                s.Maps.values.Update(key, v);
                s.Globals.@params = 0;
                s.Programs.copy_prog.TestRun(new byte[64]);
                Check(s.Globals.bss_seen == 10 * 3 + 100 + 1000 + 4 + 7 - 20, "the program's sum of the value's fields: " + s.Globals.bss_seen);
                var copied = s.Globals.bss_value;
                Check(MemoryMarshal.AsBytes(new ReadOnlySpan<LayoutSkeleton.Value>(in copied)).SequenceEqual(
                      MemoryMarshal.AsBytes(new ReadOnlySpan<LayoutSkeleton.Value>(in v))), "the program copied the whole value into .bss");
                Check(s.Globals.data_counter == 6, ".data written by the program");
                var text = s.Globals.bss_text;
                Check(text[0] == (byte)'o' && text[1] == (byte)'k' && text[2] == 0, "char array global");
                Check(s.Globals.bss_sign == LayoutSkeleton.Sign.MINUS, "signed enum global");

                // .data written from C# after load: the program sees it.
                var packed = s.Globals.data_packed;
                packed.b = 1000;
                s.Globals.data_packed = packed;
                s.Globals.@params = 1;
                s.Programs.copy_prog.TestRun(new byte[64]);
                Check(s.Globals.bss_sign == LayoutSkeleton.Sign.PLUS, ".bss written from C# seen by the program");
                Check(s.Maps.packs.TryLookup(0, out var p) && p.a == 1 && p.b == 1022 && p.c == 4, "packed struct through an array map");
                var pair = s.Globals.packed_pair;
                Check(pair[1].b == 1000 && pair[1].c == 9 && pair[0].c == 0, "array of packed structs: " + pair[1].b + " " + pair[1].c);

                // A value the program wrote: every field where C put it.
                Check(s.Maps.values.TryLookup(MakeKey(99, "bpf", 7), out var w), "the program's entry");
                Check(w.kind == 7 && w.count == 3000, "kind, count");
                Check(w.nested.x == 3 && w.nested.tag == 4 && w.nested.y == 5, "nested struct");
                Check(w.u.halves.lo == 0x1111 && w.u.halves.hi == 0x2222 && w.u.word == 0x22221111 && w.u.bytes[3] == 0x22, "union");
                Check(w.color == LayoutSkeleton.Color.BLUE && w.tiny == LayoutSkeleton.Tiny.TINY_B && w.sign == LayoutSkeleton.Sign.MINUS, "enums");
                Check((w.flags & 7) == 5, "bitfield flags");
                Check(((w.level >> 3) & 31) == 17, "bitfield level");
                Check(((int)(w.delta << 12) >> 20) == -3, "signed bitfield delta");
                Check(((w.on >> 4) & 1) == 1, "bool bitfield");
                Check(w.after == 0xab, "field after the bitfields");
                Check(w.many[1].y == 77 && w.ids[2] == 33 && w.matrix[1][2] == -2, "arrays");
                Check(w.wide == LayoutSkeleton.Wide.WIDE_BIG && w.anon_named.b == 9, "64-bit enum, anonymous struct");
                Check(w.anon1.as_int == 0x3f800000 && w.anon1.as_float == 1.0f, "anonymous union member");
                Check(w.@lock == -1 && w.@string == (byte)'s', "C# keywords as names");

                // .rodata is read-only once loaded.
                try { s.Globals.rodata_mult = 4; Check(false, "writing .rodata after load throws"); }
                catch (InvalidOperationException) { }
                Check(s.Globals.rodata_mult == 3, ".rodata readable after load");
                Check(s.Maps.per_cpu.IsPerCpu, "per-CPU map typed view");
                Check(s.Maps.events.Type.ToString() == "RingBuf", "ring buffer as a raw map");
                Check(LayoutSkeleton.ProgramNames.SequenceEqual(new[] { "copy_prog", "count_syscalls" }), "program names");
                return "ok";
            }

            public static int[][] AttachAndDispose()
            {
                int[] progs, maps, links, btf;
                using (var s = LayoutSkeleton.OpenAndLoad())
                {
                    progs = s.Object.Collection.Programs.Values.Select(p => p.Id).ToArray();
                    maps = s.Object.Collection.Maps.Values.Select(m => m.Id).ToArray();
                    btf = s.Object.Collection.Btf is { } b ? new[] { b.Id } : Array.Empty<int>();
                    using var group = s.AttachAll();
                    links = group.Links.Select(l => l.Id).ToArray();
                    for (int i = 0; i < 5; i++) getppid();
                    Check(s.Globals.bss_hits >= 5, "the raw tracepoint program counted system calls: " + s.Globals.bss_hits);
                }
                return new[] { progs, maps, links, btf };
            }
        }
        """;

    private const string EverythingDriver = """
        #pragma warning disable CS1591
        using System;
        using System.Linq;
        using Skel.Everything;

        public static class Driver
        {
            private static void Check(bool condition, string what)
            {
                if (!condition) throw new Exception("check failed: " + what);
            }

            public static string Run()
            {
                using var s = EverythingBpf.Open();
                Check(s.Globals.rodata_scale == 1 && s.Globals.data_counter == 7 && s.Globals.custom_data == 42, "initial values");
                s.Globals.rodata_scale = 3;
                s.Load();
                var run = s.Programs.socket_prog.TestRun(new byte[64]);
                // twice_static(3) + global_mul(skb->len, 3): a socket filter's skb starts after the 14-byte Ethernet header.
                Check(s.Globals.bss_result == 6 + 50 * 3, "bss_result " + s.Globals.bss_result);
                Check(s.Maps.array.TryLookup(0, out var a) && a == 156, "typed array map");
                Check(s.Maps.hash.TryLookup(0, out var pair) && pair.a == 42 && pair.b == 43, "struct pair from .data.custom/.rodata.custom");
                Check(s.Globals.data_counter == 8 && s.Globals.data_last == 0x1122334455667788UL && s.Globals.bss_sum == 10, "globals");
                var text = s.Globals.rodata_text;
                Check(System.Text.Encoding.ASCII.GetString(((ReadOnlySpan<byte>)text).ToArray()) == "loader\0", "const char[] global");
                s.Globals.data_counter = 100;
                s.Programs.socket_prog.TestRun(new byte[64]);
                Check(s.Globals.data_counter == 101, ".data written from C# after load");
                var lpmKey = new EverythingBpf.LpmKey { prefixlen = 32, addr = 0x0100007f };
                s.Maps.lpm.Update(lpmKey, 5u);
                Check(s.Maps.lpm.TryLookup(lpmKey, out var lv) && lv == 5, "LPM trie with a struct key");
                Check(s.Maps.queue.Type.ToString() == "Queue" && s.Maps.jump.Type.ToString() == "ProgArray", "raw maps");
                Check(s.Maps.percpu_hash.IsPerCpu, "per-CPU hash");
                Check(EverythingBpf.ProgramNames.Length == 5, "entry programs only: " + string.Join(",", EverythingBpf.ProgramNames));
                return "ok";
            }

            public static int[][] AttachAndDispose()
            {
                int[] progs, maps, links, btf;
                using (var s = EverythingBpf.OpenAndLoad())
                {
                    progs = s.Object.Collection.Programs.Values.Select(p => p.Id).ToArray();
                    maps = s.Object.Collection.Maps.Values.Select(m => m.Id).ToArray();
                    btf = s.Object.Collection.Btf is { } b ? new[] { b.Id } : Array.Empty<int>();
                    using var group = s.AttachAll();
                    links = group.Links.Select(l => l.Id).ToArray();
                    System.Threading.Thread.Sleep(10);
                    Check(s.Maps.array.TryLookup(2, out var v) && v == 42, "raw_tp/sys_enter ran: " + v);
                }
                return new[] { progs, maps, links, btf };
            }
        }
        """;
}
