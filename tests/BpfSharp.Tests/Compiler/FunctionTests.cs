using System.Reflection;
using System.Text.RegularExpressions;
using BpfSharp.Compiler;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.TestPrograms;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Compiler;

/// <summary>
/// BPF-to-BPF functions (<see cref="Functions"/>): the object calls them as clang calls the C twin's
/// (testdata/compiler/functions.bpf.c; llvm-objdump-19 -dr relocations, bpftool's BTF FUNC linkage), the kernel's
/// verifier accepts them (global ones verified on their own), and under BPF_PROG_TEST_RUN each program returns what
/// the same C# returns on .NET.
/// </summary>
public sealed unsafe partial class FunctionTests(FunctionTests.Loaded loaded) : IClassFixture<FunctionTests.Loaded>
{
    /// <summary>The <see cref="Functions"/> programs alone, compiled and (for kernel tests) loaded once.</summary>
    public sealed class Loaded : IDisposable
    {
        private BpfCollection? _collection;

        public Loaded()
        {
            var compilation = BpfCompiler.Compile(CompiledTestPrograms.AssemblyPath, new BpfCompilerOptions
            {
                ProgramFilter = name => name.StartsWith(typeof(Functions).FullName + ".", StringComparison.Ordinal),
            });
            Assert.True(compilation.Success, string.Join("\n", compilation.Diagnostics));
            ObjectPath = Path.Combine(TestPaths.NewScratchDirectory("functions"), "functions.bpf.o");
            File.WriteAllBytes(ObjectPath, compilation.Object!);
            ClangObjectPath = Path.Combine(Path.GetDirectoryName(ObjectPath)!, "functions.clang.o");
            ExternalTool.RunChecked("clang-19", "-O2", "-g", "-target", "bpf", "-I", ExternalTool.MultiarchIncludeDirectory,
                "-c", Path.Combine(TestPaths.TestData, "compiler", "functions.bpf.c"), "-o", ClangObjectPath);
        }

        public string ObjectPath { get; }

        public string ClangObjectPath { get; }

        public BpfCollection Collection
        {
            get
            {
                KernelObjects.RequireBpf();
                return _collection ??= BpfCollection.Load(ObjectSpec.Load(ObjectPath));
            }
        }

        public void Dispose() => _collection?.Dispose();
    }

    public static TheoryData<string> Programs()
    {
        var data = new TheoryData<string>();
        foreach (var m in typeof(Functions).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (m.GetCustomAttributes().Any(a => a.GetType().Name == "XdpAttribute"))
            {
                data.Add(m.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void BpfResultEqualsDotNetResult(string name)
    {
        KernelObjects.RequireBpf();
        var expected = (int)typeof(Functions).GetMethod(name)!.Invoke(null, [null])!;
        var result = loaded.Collection.Programs[name].TestRun(new byte[64]);
        Assert.Equal((uint)expected, result.ReturnValue);
    }

    /// <summary>Calls (caller → callee, and whether the relocation names the .text section or the callee's own
    /// symbol) as llvm-objdump-19 -dr prints them, one entry per call instruction, sorted.</summary>
    private static List<string> Calls(string objectPath)
    {
        var lines = ExternalTool.RunText("llvm-objdump-19", "-dr", objectPath).Split('\n');
        var textFunctions = new Dictionary<int, string>();
        var staticCalls = new List<(string Caller, int Immediate)>();
        var relativeCalls = new List<(string Caller, int Target)>();
        var calls = new List<string>();
        string? section = null, function = null;
        for (var i = 0; i < lines.Length; i++)
        {
            if (SectionLine().Match(lines[i]) is { Success: true } s)
            {
                section = s.Groups[1].Value;
            }
            else if (FunctionLine().Match(lines[i]) is { Success: true } f)
            {
                function = f.Groups[2].Value;
                if (section == ".text")
                {
                    textFunctions[Convert.ToInt32(f.Groups[1].Value, 16) / 8] = function;
                }
            }
            else if (CallLine().Match(lines[i]) is { Success: true } c)
            {
                var r = i + 1 < lines.Length ? RelocationLine().Match(lines[i + 1]) : Match.Empty;
                var immediate = c.Groups[2].Value;
                var value = immediate.StartsWith('-') ? -Convert.ToInt32(immediate[3..], 16) : Convert.ToInt32(immediate[2..], 16);
                if (!r.Success)
                {
                    // Resolved by the compiler within the section: relative to the next instruction.
                    Assert.Equal(".text", section);
                    relativeCalls.Add((function!, int.Parse(c.Groups[1].Value) + value + 1));
                }
                else if (r.Groups[2].Value == ".text")
                {
                    staticCalls.Add((function!, value));
                }
                else
                {
                    calls.Add($"{function} -> {r.Groups[2].Value} via its own symbol, {r.Groups[1].Value}, imm {value}");
                }
            }
        }

        foreach (var (caller, immediate) in staticCalls)
        {
            // A static callee: the .text section symbol, the callee's instruction index - 1 in the immediate.
            Assert.True(textFunctions.TryGetValue(immediate + 1, out var callee), $"{caller}: no .text function at instruction {immediate + 1}");
            calls.Add($"{caller} -> {callee} via .text");
        }

        foreach (var (caller, target) in relativeCalls)
        {
            Assert.True(textFunctions.TryGetValue(target, out var callee), $"{caller}: no .text function at instruction {target}");
            calls.Add($"{caller} -> {callee} relative, no relocation");
        }

        calls.Sort(StringComparer.Ordinal);
        return calls;
    }

    [GeneratedRegex(@"^Disassembly of section (\S+):")]
    private static partial Regex SectionLine();

    [GeneratedRegex(@"^([0-9a-f]{16}) <([^>]+)>:")]
    private static partial Regex FunctionLine();

    [GeneratedRegex(@"^\s*(\d+):\s+85 10 .*\bcall (-?0x[0-9a-f]+)")]
    private static partial Regex CallLine();

    [GeneratedRegex(@"^\s+[0-9a-f]+:\s+(R_BPF_\S+)\s+(\S+)")]
    private static partial Regex RelocationLine();

    [Fact]
    public void CallsAreRelocatedAsClangRelocatesThem()
    {
        var clang = Calls(loaded.ClangObjectPath);
        var ours = Calls(loaded.ObjectPath);
        Assert.NotEmpty(clang);
        // Checksum (a function the compiler chose on its own) and AutoFunction have no C twin.
        ours.RemoveAll(c => c.StartsWith("AutoFunction ", StringComparison.Ordinal));
        Assert.Equal(clang, ours);
    }

    /// <summary>FUNC records with their linkage, as bpftool prints them.</summary>
    private static SortedSet<string> Funcs(string objectPath) =>
        new(ExternalTool.RunText("bpftool", "btf", "dump", "file", objectPath).Split('\n')
            .Select(l => FuncLine().Match(l)).Where(m => m.Success).Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value}"), StringComparer.Ordinal);

    [GeneratedRegex(@"^\[\d+\] FUNC '([^']+)' type_id=\d+ linkage=(\w+)")]
    private static partial Regex FuncLine();

    [Fact]
    public void FunctionLinkageIsClangs()
    {
        var ours = Funcs(loaded.ObjectPath);
        Assert.Contains("Checksum static", ours);
        ours.Remove("Checksum static");
        ours.Remove("AutoFunction global");
        Assert.Equal(Funcs(loaded.ClangObjectPath), ours);
    }

    [Fact]
    public void LargeMethodCalledTwiceBecomesAStaticFunction()
    {
        var checksum = ObjectSpec.Load(loaded.ObjectPath).Programs.Single(p => p.Name == "Checksum");
        Assert.True(checksum.IsSubprogram);
        Assert.True(checksum.IsStatic);
        Assert.Equal(["AutoFunction -> Checksum via .text", "AutoFunction -> Checksum via .text"],
            Calls(loaded.ObjectPath).Where(c => c.StartsWith("AutoFunction ", StringComparison.Ordinal)));
    }

    [Fact]
    public void GlobalFunctionsAreVerifiedOnTheirOwnAndStaticOnesWithTheirCaller()
    {
        KernelObjects.RequireBpf();
        var spec = ObjectSpec.Load(loaded.ObjectPath);
        Assert.All(new[] { "SumPair", "Classify" }, name => Assert.False(spec.Programs.Single(p => p.Name == name).IsStatic));
        using var collection = BpfCollection.Load(spec, new BpfLoaderOptions { LogLevel = 2 });
        var global = collection.Programs["CallGlobal"].VerifierLog ?? "";
        // The verifier's words for a global call it does not walk into (older kernels: "is global and assumed valid").
        Assert.Matches(@"\('SumPair'\) is (safe for any args that match its prototype|global and assumed valid)", global);
        Assert.Matches(@"\('Classify'\) is (safe for any args that match its prototype|global and assumed valid)", global);
        var nested = collection.Programs["CallNested"].VerifierLog ?? "";
        Assert.DoesNotMatch("is (safe for any args|global and assumed valid)", nested);
        Assert.Contains("caller:", nested); // the verifier walked into the static callee with the caller's state
    }
}
