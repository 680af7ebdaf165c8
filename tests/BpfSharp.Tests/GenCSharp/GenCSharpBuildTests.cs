using System.Reflection;
using System.Text.RegularExpressions;
using BpfSharp.Btf;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.GenCSharp;

/// <summary>
/// The generated C# compiles (running kernel: all types and a type set; every shared kernel blob; the edge cases),
/// and the compiled types have exactly the shape of the BTF they came from.
/// </summary>
public class GenCSharpBuildTests(GenCSharpFixture fixture) : IClassFixture<GenCSharpFixture>
{
    [Fact]
    public void GeneratedProjectBuildsWithoutWarnings()
    {
        Assert.True(fixture.BuildExitCode == 0, "dotnet build failed:\n" + Tail(fixture.BuildOutput));
        // The project treats warnings as errors; also no warning from the generated files may be printed at all.
        var generatedWarnings = fixture.BuildOutput.Split('\n')
            .Where(l => l.Contains(fixture.Directory, StringComparison.Ordinal) && Regex.IsMatch(l, @"\b(warning|error) [A-Z]+\d+"))
            .ToList();
        Assert.True(generatedWarnings.Count == 0, string.Join('\n', generatedWarnings.Take(20)));
        Assert.NotNull(fixture.Assembly);
    }

    /// <summary>The bindings are ready for the compiler: a program using them (testdata/compiler/
    /// GeneratedBindingsProbe.cs) compiles to BPF, relocates against this kernel and reads the calling thread.</summary>
    [Fact]
    public void GeneratedTypes_CompileToBpf_AndReadTheCallingTask()
    {
        Assert.True(fixture.AssemblyPath is not null, "dotnet build failed:\n" + Tail(fixture.BuildOutput));
        var compilation = BpfSharp.Compiler.BpfCompiler.Compile(fixture.AssemblyPath!);
        Assert.True(compilation.Success, string.Join("\n", compilation.Diagnostics));
        BpfSharp.Tests.Linux.KernelObjects.RequireBpf();
        using var collection = BpfSharp.Linux.Loading.BpfCollection.Load(BpfSharp.Objects.ObjectSpec.Read(compilation.Object!));
        int tid = 0;
        var thread = new Thread(() =>
        {
            tid = BpfSharp.Tests.Infrastructure.NativeThread.Id();
            collection.Programs["ReadWithGeneratedTypes"].TestRun(default, repeat: 0, contextIn: new byte[16]);
        });
        thread.Start();
        thread.Join();
        var value = new byte[24];
        Assert.True(collection.Maps["Results"].TryLookup(BitConverter.GetBytes(0u), value));
        Assert.Equal(tid, BitConverter.ToInt32(value, 0));
        Assert.Equal(Environment.ProcessId, BitConverter.ToInt32(value, 4));
        Assert.Equal(1, BitConverter.ToInt32(value, 12));
        Assert.NotEqual(0UL, BitConverter.ToUInt64(value, 16));
    }

    /// <summary>C's spelling of members of anonymous unions and structs (<c>sk->__sk_common.skc_dport</c>) on the
    /// generated types compiles to the CO-RE records clang-19 emits for the same C against bpftool's vmlinux.h.</summary>
    [Fact]
    public void AnonymousMembers_ByTheirCNames_RelocateLikeClang()
    {
        string ours = CompileScratchObject();
        string clang = Path.Combine(fixture.Directory, "anonymous_members.o");
        ExternalTool.WriteVmlinuxHeader(fixture.Directory);
        ExternalTool.RunChecked("clang-19", "-O2", "-g", "-target", "bpf", "-I", fixture.Directory, "-I", ExternalTool.MultiarchIncludeDirectory,
            "-c", Path.Combine(TestPaths.TestData, "compiler", "anonymous_members.bpf.c"), "-o", clang);
        var expected = BpfSharp.Tests.Compiler.CoReCompilerTests.Records(clang, "ReadSocketPorts");
        var actual = BpfSharp.Tests.Compiler.CoReCompilerTests.Records(ours, "ReadSocketPorts");
        Assert.Contains(actual, r => r.Contains(" sock 0:0:2:1:0 ", StringComparison.Ordinal)); // skc_dport through two anonymous members
        Assert.Equal(string.Join("\n", expected), string.Join("\n", actual));
    }

    /// <summary>In the kernel: tp_btf/inet_sock_set_state reads the ports and address of a socket this test
    /// connects, through the anonymous members of <c>struct sock_common</c>.</summary>
    [Fact]
    public void AnonymousMembers_ReadTheConnectingSocket()
    {
        string path = CompileScratchObject();
        BpfSharp.Tests.Linux.KernelObjects.RequireBpf();
        var spec = BpfSharp.Objects.ObjectSpec.Load(path);
        using var collection = BpfSharp.Linux.Loading.BpfCollection.Load(spec);
        var program = spec.Programs.Single(p => p.Name == "ReadSocketPorts");
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        listener.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        client.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        int serverPort = ((System.Net.IPEndPoint)listener.LocalEndPoint!).Port, clientPort = ((System.Net.IPEndPoint)client.LocalEndPoint!).Port;
        using (BpfSharp.Linux.Links.SectionAttach.Attach(collection.Programs["ReadSocketPorts"], program.SectionName))
        {
            client.Connect(listener.LocalEndPoint!);
        }

        var value = new byte[16];
        Assert.True(collection.Maps["Ports"].TryLookup(BitConverter.GetBytes((ushort)clientPort), value), $"no record for local port {clientPort}");
        Assert.Equal((ushort)System.Net.IPAddress.HostToNetworkOrder((short)serverPort), BitConverter.ToUInt16(value, 0)); // skc_dport: network order
        Assert.Equal(clientPort, BitConverter.ToUInt16(value, 2));                                                      // skc_num: host order
        Assert.Equal(new byte[] { 127, 0, 0, 1 }, value[4..8]);                                                         // skc_daddr
        Assert.Equal(2, BitConverter.ToUInt16(value, 8));                                                               // AF_INET
        Assert.Equal(BitConverter.ToUInt32(value, 0), BitConverter.ToUInt32(value, 12));                                // skc_portpair overlays both
    }

    private string CompileScratchObject()
    {
        Assert.True(fixture.AssemblyPath is not null, "dotnet build failed:\n" + Tail(fixture.BuildOutput));
        var compilation = BpfSharp.Compiler.BpfCompiler.Compile(fixture.AssemblyPath!);
        Assert.True(compilation.Success, string.Join("\n", compilation.Diagnostics));
        string path = Path.Combine(fixture.Directory, "scratch.bpf.o");
        File.WriteAllBytes(path, compilation.Object!);
        return path;
    }

    [Theory]
    [MemberData(nameof(GenCSharpFixture.Namespaces), MemberType = typeof(GenCSharpFixture))]
    public void CompiledTypesHaveTheShapeOfTheBtf(string key)
    {
        var types = fixture.TypesOf(key);
        Assert.NotEmpty(types);
        var checker = new BtfShapeChecker(fixture.Specs[key], shallow: key == "Shallow");
        foreach (var type in types) checker.CheckTopLevel(type);
        Assert.True(checker.Problems.Count == 0, $"{key}: {checker.Problems.Count} problems:\n" + string.Join('\n', checker.Problems));
        Assert.True(checker.CheckedComposites > 0);
    }

    [Fact]
    public void FullRunDeclaresEveryNamedStructUnionAndEnumThatBpftoolLists()
    {
        // bpftool's raw dump is the oracle for which named types the BTF has.
        string raw = ExternalTool.RunText("bpftool", "btf", "dump", "file", TestPaths.Vmlinux, "format", "raw");
        var expected = new HashSet<string>(StringComparer.Ordinal);
        var forwards = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Regex.Matches(raw, @"^\[\d+\] (STRUCT|UNION|ENUM|ENUM64|FWD) '([^']+)'", RegexOptions.Multiline))
            if (m.Groups[2].Value != "(anon)") (m.Groups[1].Value == "FWD" ? forwards : expected).Add(m.Groups[2].Value);
        forwards.ExceptWith(expected); // a FWD with a definition is written as that definition
        expected.UnionWith(forwards);
        var generated = fixture.TypesOf("Full")
            .Select(BtfShapeChecker.RelocatableName)
            .Where(n => !string.IsNullOrEmpty(n)).Select(n => n!).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(expected.Except(generated).Take(20));
        Assert.Empty(generated.Except(expected).Take(20));
    }

    [Fact]
    public void TypeSetPullsInWhatTaskStructNeedsAndKeepsPointersTyped()
    {
        var types = fixture.TypesOf("Running").ToDictionary(t => t.Name);
        var task = types["TaskStruct"];
        Assert.Equal("task_struct", BtfShapeChecker.RelocatableName(task));
        var se = task.GetField("se")!;
        Assert.Equal("sched_entity", BtfShapeChecker.RelocatableName(se.FieldType));
        Assert.Equal("System.UInt64", se.FieldType.GetField("vruntime")!.FieldType.FullName);
        var realParent = task.GetField("real_parent")!.FieldType;
        Assert.True(realParent.IsPointer && realParent.GetElementType() == task, $"real_parent is {realParent}");
        // Followed through the pointer: mm_struct has its fields.
        var mm = task.GetField("mm")!.FieldType;
        Assert.True(mm.IsPointer);
        Assert.Equal("mm_struct", BtfShapeChecker.RelocatableName(mm.GetElementType()!));
        Assert.NotEmpty(mm.GetElementType()!.GetFields());
        // Every named type the closure needs, and nothing else (an independent walk over the BTF).
        var expected = Closure(fixture.Specs["Running"], GenCSharpFixture.TypeSet, followPointers: true);
        var generated = types.Values.Select(BtfShapeChecker.RelocatableName).Where(n => !string.IsNullOrEmpty(n)).Select(n => n!).ToHashSet();
        Assert.Equal(expected.Order(StringComparer.Ordinal), generated.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ShallowTypeSetDeclaresPointerOnlyTypesEmpty()
    {
        var types = fixture.TypesOf("Shallow").ToDictionary(t => t.Name);
        var task = types["TaskStruct"];
        Assert.True(task.GetField("real_parent")!.FieldType.GetElementType() == task);
        Assert.NotNull(task.GetField("se")!.FieldType.GetField("vruntime"));
        var mm = task.GetField("mm")!.FieldType.GetElementType()!;
        Assert.Equal("mm_struct", BtfShapeChecker.RelocatableName(mm));
        Assert.Empty(mm.GetFields(BindingFlags.Instance | BindingFlags.Public));
        var expected = Closure(fixture.Specs["Shallow"], ["task_struct"], followPointers: false);
        var full = types.Values.Where(t => t.IsEnum || t.GetFields(BindingFlags.Instance | BindingFlags.Public).Length > 0)
            .Select(BtfShapeChecker.RelocatableName).Where(n => !string.IsNullOrEmpty(n)).Select(n => n!).ToHashSet();
        // Types with members that the by-value closure needs are complete (empty BTF structs may be either).
        Assert.Empty(full.Except(expected));
        Assert.True(types.Count < fixture.TypesOf("Running").Length);
    }

    [Fact]
    public void EveryKernelBlobGeneratesItsTypeSet()
    {
        foreach (var (file, baseFile, _) in KernelBlobs.All)
        {
            if (baseFile is not null || file.EndsWith(".base.gz", StringComparison.Ordinal)) continue;
            var names = fixture.TypesOf(GenCSharpFixture.NamespaceOf(file))
                .Select(BtfShapeChecker.RelocatableName).ToHashSet();
            foreach (var root in GenCSharpFixture.TypeSet) Assert.Contains(root, names);
        }
    }

    /// <summary>Named struct/union/enum names reachable from the roots: members, arrays, typedefs, anonymous types, and pointers if asked.</summary>
    private static HashSet<string> Closure(BtfSpec spec, IEnumerable<string> roots, bool followPointers)
    {
        var seen = new HashSet<int>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var work = new Stack<int>();
        foreach (var root in roots)
            foreach (var kind in new[] { BtfKind.Struct, BtfKind.Union, BtfKind.Enum, BtfKind.Enum64 })
                if (spec.FindByName(root, kind) is int id and > 0) work.Push(id);
        while (work.Count > 0)
        {
            int id = work.Pop();
            if (!seen.Add(id)) continue;
            var t = spec[id];
            switch (t.Kind)
            {
                case BtfKind.Typedef or BtfKind.Const or BtfKind.Volatile or BtfKind.Restrict or BtfKind.TypeTag:
                    work.Push(t.ReferencedTypeId);
                    break;
                case BtfKind.Pointer:
                    // Not following pointers still writes enums and anonymous structs in full (a superset is fine here).
                    var target = spec.SkipModifiersAndTypedefs(t.ReferencedTypeId);
                    if (followPointers || target.Kind is BtfKind.Enum or BtfKind.Enum64 || (target.Kind is BtfKind.Struct or BtfKind.Union && target.IsAnonymous))
                        work.Push(target.Id);
                    break;
                case BtfKind.Array:
                    work.Push(t.ArrayElementType);
                    break;
                case BtfKind.Enum or BtfKind.Enum64:
                    if (!t.IsAnonymous) names.Add(t.Name);
                    break;
                case BtfKind.Forward:
                    int def = spec.FindByName(t.Name, t.KindFlag ? BtfKind.Union : BtfKind.Struct);
                    if (def > 0) work.Push(def); else names.Add(t.Name);
                    break;
                case BtfKind.Struct or BtfKind.Union:
                    if (!t.IsAnonymous) names.Add(t.Name);
                    foreach (var m in t.Members) work.Push(m.TypeId);
                    break;
            }
        }
        return names;
    }

    private static string Tail(string text) => text.Length <= 6000 ? text : text[^6000..];
}
