using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using BpfSharp.Btf;
using BpfSharp.Btf.Formatting;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Btf;

/// <summary>
/// The C header printer against its oracle, <c>bpftool btf dump file X format c</c> (bpftool 7.1): whole outputs
/// must be byte-identical for kernel BTF (plain and split) and for clang-built objects.
/// </summary>
public sealed class BtfCFormatterTests : IDisposable
{
    private readonly ITestOutputHelper _log;
    private readonly List<string> _scratch = [];

    public BtfCFormatterTests(ITestOutputHelper log) => _log = log;

    /// <summary>Removes this test's scratch directories (decompressed blobs and headers are megabytes each).</summary>
    public void Dispose()
    {
        foreach (var dir in _scratch)
        {
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private string Scratch(string name)
    {
        var dir = TestPaths.NewScratchDirectory(name);
        _scratch.Add(dir);
        return dir;
    }

    [Theory]
    [MemberData(nameof(KernelBlobs.Names), MemberType = typeof(KernelBlobs))]
    public void MatchesBpftoolOnKernelBlobs(string file)
    {
        var entry = KernelBlobs.All.Single(b => b.File == file);
        var scratch = Scratch("btfc-blob");
        string raw = Decompress(TestPaths.Kernel(file), scratch);
        string? rawBase = entry.Base is null ? null : Decompress(TestPaths.Kernel(entry.Base), scratch);

        var spec = KernelBlobs.Load(file);
        byte[] mine = Format(spec, out double ms);
        byte[] expected = Bpftool(raw, rawBase);
        _log.WriteLine($"{file}: {mine.Length} bytes in {ms:F1} ms{BuildNote}");
        AssertSameOutput(expected, mine, file);
    }

    [Fact]
    public void MatchesBpftoolOnRunningKernel()
    {
        var spec = BtfSpec.Load(TestPaths.Vmlinux);
        byte[] mine = Format(spec, out double first);
        Format(spec, out double second);
        var sw = Stopwatch.StartNew();
        byte[] expected = Bpftool(TestPaths.Vmlinux, null);
        double bpftoolMs = sw.Elapsed.TotalMilliseconds;
        _log.WriteLine($"vmlinux: {spec.OwnTypeCount} types, {mine.Length} bytes; formatter {first:F1} ms (first), " +
                       $"{second:F1} ms (second){BuildNote}; bpftool process (parse + dump) {bpftoolMs:F1} ms");
        AssertSameOutput(expected, mine, TestPaths.Vmlinux);
    }

    public static TheoryData<string> CSources()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(TestPaths.TestData, "btfc"), "*.c").Order())
            data.Add(Path.GetFileName(path));
        return data;
    }

    [Theory]
    [MemberData(nameof(CSources))]
    public void MatchesBpftoolOnClangObjects(string source)
    {
        var scratch = Scratch("btfc-obj");
        string obj = CompileBpf(Path.Combine(TestPaths.TestData, "btfc", source), scratch);
        var spec = BtfSpec.Load(obj);
        byte[] mine = Format(spec, out _);
        AssertSameOutput(Bpftool(obj, null), mine, source);
    }

    [Fact]
    public void ObjectLinkedFromTwoFilesGetsSuffixedNames()
    {
        // Two translation units with clashing struct, union, typedef and enumerator names, linked by bpftool: the
        // linker keeps both definitions, and the printer must rename the later ones exactly as libbpf does.
        var scratch = Scratch("btfc-link");
        string a = CompileBpf(Path.Combine(TestPaths.TestData, "btfc", "names.c"), scratch);
        string bSource = Path.Combine(scratch, "names_other.c");
        File.WriteAllText(bSource, """
            #define SEC(name) __attribute__((section(name), used))
            typedef unsigned long long myint;
            enum dup_enum { DUP_VAL = 9, THIRD_ONLY = 10 };
            struct dup { myint z; enum dup_enum e; struct dup *next; };
            union dupu { char c[3]; };
            struct ctx_hdr { int different; };
            struct dup g_dup SEC(".data");
            union dupu g_dupu SEC(".data");
            struct ctx_hdr g_ctx SEC(".data");
            SEC("xdp") int other(void *ctx) { return g_dup.z + g_dupu.c[0] + g_ctx.different; }
            """);
        string b = CompileBpf(bSource, scratch);
        string linked = Path.Combine(scratch, "linked.o");
        var (code, _, err) = Run("bpftool", ["gen", "object", linked, a, b]);
        Assert.True(code == 0, "bpftool gen object failed: " + err);

        var spec = BtfSpec.Load(linked);
        byte[] mine = Format(spec, out _);
        AssertSameOutput(Bpftool(linked, null), mine, "linked.o");
        Assert.Contains("struct dup___", Encoding.UTF8.GetString(mine));
    }

    [Fact]
    public void RunningKernelHeaderCompilesWithClang()
    {
        var scratch = Scratch("btfc-compile");
        using (var header = File.Create(Path.Combine(scratch, "vmlinux.h")))
            BtfCFormatter.Write(BtfSpec.Load(TestPaths.Vmlinux), header);
        string source = Path.Combine(scratch, "prog.c");
        File.WriteAllText(source, """
            #include "vmlinux.h"
            #define SEC(name) __attribute__((section(name), used))
            _Static_assert(sizeof(struct list_head) == 16, "list_head");
            SEC("kprobe/do_nanosleep")
            int probe(struct pt_regs *ctx)
            {
                struct task_struct *task = (struct task_struct *)ctx->di;
                return task->pid + (int)sizeof(struct sk_buff) + (int)sizeof(union bpf_attr);
            }
            char _license[] SEC("license") = "GPL";
            """);
        CompileBpf(source, scratch);
    }

    [Fact]
    public void LayoutHeaderReproducesEveryStructSize()
    {
        // The printed header, compiled again, must give every named struct and union the size its BTF records:
        // padding fields, bitfields and packed attributes are what make that true.
        var scratch = Scratch("btfc-sizes");
        string obj = CompileBpf(Path.Combine(TestPaths.TestData, "btfc", "layout.c"), scratch);
        var spec = BtfSpec.Load(obj);
        using (var header = File.Create(Path.Combine(scratch, "layout.h")))
            BtfCFormatter.Write(spec, header);
        var checks = new StringBuilder("#include \"layout.h\"\n");
        int count = 0;
        for (int id = 1; id < spec.TypeCount; id++)
        {
            var t = spec[id];
            if (!t.Kind.IsComposite() || t.IsAnonymous) continue;
            string keyword = t.Kind == BtfKind.Struct ? "struct" : "union";
            // libbpf 1.1 only ever marks structs packed, never unions: a packed union whose size is not a multiple
            // of its alignment comes out padded. bpftool prints it that way, so we do too.
            uint size = t.Name == "u_packed" ? 8 : t.Size;
            checks.Append($"_Static_assert(sizeof({keyword} {t.Name}) == {size}, \"{t.Name}\");\n");
            count++;
        }
        checks.Append("int main_size_checks;\n");
        string source = Path.Combine(scratch, "sizes.c");
        File.WriteAllText(source, checks.ToString());
        CompileBpf(source, scratch);
        Assert.True(count > 20, $"only {count} structs checked");
    }

    [Fact]
    public void RootTypesPrintOnlyWhatTheyNeed()
    {
        var scratch = Scratch("btfc-root");
        string obj = CompileBpf(Path.Combine(TestPaths.TestData, "btfc", "types.c"), scratch);
        var spec = BtfSpec.Load(obj);
        int mutual = spec.FindByName("mutual_b", BtfKind.Struct);
        Assert.True(mutual > 0);

        using var ms = new MemoryStream();
        BtfCFormatter.Write(spec, ms, [mutual]);
        string text = Encoding.UTF8.GetString(ms.ToArray());
        Assert.Contains("struct mutual_b;\n\nstruct mutual_a {", text);
        Assert.Contains("struct mutual_b {\n\tstruct mutual_a a;", text);
        Assert.DoesNotContain("kitchen_sink", text);

        // All ids as roots, in order, is exactly the full dump.
        using var all = new MemoryStream();
        BtfCFormatter.Write(spec, all, Enumerable.Range(1, spec.TypeCount - 1).ToArray());
        Assert.Equal(Format(spec, out _), all.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => BtfCFormatter.Write(spec, Stream.Null, [spec.TypeCount]));
    }

    /// <summary>Hand-built BTF for corners no compiler output reaches; bpftool reads the same raw file.</summary>
    private static readonly Dictionary<string, Func<byte[]>> Crafted = new()
    {
        ["pointer-size-4"] = () =>
        {
            var b = new TinyBtf();
            int lng = b.Int("long int", 4);
            int chr = b.Int("char", 1);
            int ptr = b.Pointer(chr);
            b.Struct("small_ptrs", 16, ("c", chr, 0), ("l", lng, 32), ("p", ptr, 64), ("c2", chr, 96));
            b.Struct("gap", 24, ("a", chr, 0), ("b", chr, 160));
            b.BitfieldStruct("bits", 8, ("a", lng, 0, 3), ("b", lng, 40, 20));
            return b.Build();
        },
        ["forward-and-enum-names"] = () =>
        {
            var b = new TinyBtf();
            int i = b.Int("int", 4);
            int fwd = b.Forward("thing");
            b.Struct("thing", 4, ("x", i, 0));
            int fwdUnion = b.Forward("other", union: true);
            int p1 = b.Pointer(fwd);
            int p2 = b.Pointer(fwdUnion);
            b.Struct("holder", 16, ("a", p1, 0), ("b", p2, 64));
            b.Enum("e", 4, false);
            b.Enum("e", 4, false, ("E1", 1));
            b.Enum("e", 4, false, ("E1", 2), ("E2", 3));
            b.Typedef("E2", i);
            b.Struct("thing", 8, ("y", i, 0), ("z", i, 32));
            return b.Build();
        },
        ["va-list-typedefs"] = () =>
        {
            var b = new TinyBtf();
            int gnuc = b.Typedef("__gnuc_va_list", 0);
            int chr = b.Int("char", 1);
            int builtin = b.Typedef("__builtin_va_list", b.Pointer(chr));
            b.Struct("va_holder", 16, ("a", b.Pointer(gnuc), 0), ("b", builtin, 64));
            return b.Build();
        },
        ["long-suffixed-names"] = () =>
        {
            var b = new TinyBtf();
            int i = b.Int("int", 4);
            string longName = new string('n', 300);
            b.Struct(longName, 4, ("x", i, 0));
            b.Struct(longName, 8, ("x", i, 0), ("y", i, 32));
            string almost = new string('m', 250);
            b.Typedef(almost, i);
            b.Typedef(almost, b.Pointer(i));
            return b.Build();
        },
        ["gcc-poly-aliases-and-int-name-clash"] = () =>
        {
            var b = new TinyBtf();
            int p8 = b.Int("__Poly8_t", 1, signed: false);
            int p128 = b.Int("__Poly128_t", 16, signed: false);
            b.Struct("poly", 32, ("a", p8, 0), ("b", p128, 128));
            int foo = b.Int("foo", 4);
            b.Struct("foo", 4, ("x", foo, 0));
            b.Enum("foo", 4, false, ("FOO_A", 0));
            return b.Build();
        },
        ["enum-values"] = () =>
        {
            var b = new TinyBtf();
            int i = b.Int("int", 4);
            b.Enum("signed32", 4, true, ("S_NEG", -5), ("S_MIN", int.MinValue), ("S_MAX", int.MaxValue));
            b.Enum("unsigned32", 4, false, ("U_BIG", -1), ("U_ZERO", 0));
            b.Enum("tiny", 1, false, ("T_A", 1));
            b.Enum("wide", 8, false, ("W_A", 1));
            b.Enum64("signed64", 8, true, ("S64_NEG", long.MinValue), ("S64_ONE", 1));
            b.Enum64("unsigned64", 8, false, ("U64_MAX", -1), ("U64_SMALL", 7));
            b.Enum64("small64", 8, false, ("SMALL_A", 1));
            b.Enum("", 4, false, ("TOP_LEVEL_CONST", 42));
            int anonReferencedByVar = b.Enum("", 4, false, ("ONLY_IN_VAR", 1));
            b.Var("v", anonReferencedByVar);
            int anonTypedef = b.Enum("", 4, false, ("VIA_TYPEDEF", 3));
            b.Typedef("anon_enum_t", anonTypedef);
            b.Typedef("TOP_LEVEL_CONST", i);
            return b.Build();
        },
        ["tags-funcs-and-data"] = () =>
        {
            var b = new TinyBtf();
            int i = b.Int("int", 4);
            int user = b.TypeTag("user", i);
            int rcu = b.TypeTag("address_space(1)", user, attribute: true);
            int s = b.Struct("tagged", 16, ("p", b.Pointer(user), 0), ("q", b.Pointer(rcu), 64));
            b.DeclTag("decl", s, -1);
            b.DeclTag("member_decl", s, 1);
            int proto = b.FuncProto(i, ("arg", b.Pointer(s)));
            int func = b.Func("fn", proto);
            b.DeclTag("fn_tag", func, -1);
            int v = b.Var("global", s);
            b.DataSec(".data", (v, 0, 16));
            return b.Build();
        },
        ["deep-anonymous-nesting"] = () =>
        {
            var b = new TinyBtf();
            int inner = b.Struct("", 4, ("x", b.Int("int", 4), 0));
            for (int level = 0; level < 16; level++)
                inner = level % 2 == 0 ? b.Union("", 4, ("u" + level, inner, 0)) : b.Struct("", 4, ("s" + level, inner, 0));
            b.Struct("deep", 4, ("top", inner, 0));
            return b.Build();
        },
        ["empty-and-padding-only"] = () =>
        {
            var b = new TinyBtf();
            b.Struct("empty", 0);
            b.Struct("pad_only", 8);
            b.Union("empty_union", 4);
            int chr = b.Int("char", 1);
            b.Struct("tail_pad", 64, ("c", chr, 0));
            b.Union("union_no_tail", 16, ("c", chr, 0));
            return b.Build();
        },
        ["function-prototypes"] = () =>
        {
            var b = new TinyBtf();
            int i = b.Int("int", 4);
            int noArgs = b.FuncProto(0);
            int varArgs = b.FuncProto(i, ("fmt", b.Pointer(b.Const(b.Int("char", 1)))), ("", 0));
            int returnsFn = b.FuncProto(b.Pointer(varArgs), ("which", i));
            int fnType = b.Typedef("fn_t", returnsFn);
            int restrictPtr = b.Restrict(b.Pointer(i));
            int volatileFnPtr = b.Volatile(b.Pointer(noArgs));
            int arrOfFn = b.Array(b.Pointer(returnsFn), i, 3);
            b.Struct("fns", 48, ("a", b.Pointer(noArgs), 0), ("b", b.Pointer(fnType), 64), ("c", restrictPtr, 128),
                ("d", volatileFnPtr, 192), ("e", arrOfFn, 256));
            return b.Build();
        },
        ["packed-detection"] = () =>
        {
            var b = new TinyBtf();
            int i = b.Int("int", 4);
            int chr = b.Int("char", 1);
            int packed = b.Struct("packed5", 5, ("c", chr, 0), ("i", i, 8));
            b.Struct("holds_packed", 6, ("c", chr, 0), ("p", packed, 8));
            int odd = b.Struct("odd_size", 6, ("i", i, 0), ("c", chr, 32));
            b.Union("misaligned_union", 5, ("p", packed, 0), ("c", chr, 0));
            b.Struct("aligned_enough", 12, ("o", odd, 0), ("x", i, 64));
            return b.Build();
        },
    };

    public static TheoryData<string> CraftedCases() => new(Crafted.Keys);

    [Theory]
    [MemberData(nameof(CraftedCases))]
    public void MatchesBpftoolOnCraftedBtf(string name)
    {
        byte[] blob = Crafted[name]();
        var scratch = Scratch("btfc-crafted");
        string path = Path.Combine(scratch, name + ".btf");
        File.WriteAllBytes(path, blob);
        byte[] mine = Format(BtfSpec.Parse(blob, null, path), out _);
        AssertSameOutput(Bpftool(path, null), mine, name);
    }

    [Fact]
    public void UnsatisfiableStructCycleIsAFormatError()
    {
        // struct a { struct b x; }; struct b { struct a y; }; — no forward declaration can order these.
        var btf = new TinyBtf();
        int a = btf.Struct("a", 4, ("x", 2, 0));
        btf.Struct("b", 4, ("y", a, 0));
        var spec = BtfSpec.Parse(btf.Build());
        var e = Assert.Throws<BpfFormatException>(() => BtfCFormatter.Write(spec, Stream.Null));
        Assert.Equal(BpfFormatError.BtfInvalidType, e.ErrorCode);
    }

    [Fact]
    public void TypedefCycleIsBoundedNotAStackOverflow()
    {
        // typedef t1 -> t2 -> t1: libbpf would recurse forever; the printer stops at its depth bound.
        var btf = new TinyBtf();
        btf.Typedef("t1", 2);
        btf.Typedef("t2", 1);
        var spec = BtfSpec.Parse(btf.Build());
        var e = Assert.Throws<BpfFormatException>(() => BtfCFormatter.Write(spec, Stream.Null));
        Assert.Equal(BpfFormatError.BtfTypeChainTooDeep, e.ErrorCode);
    }

    [Fact]
    public void ConstCycleIsBoundedNotAStackOverflow()
    {
        // const -> const -> ... cycle reached from a struct member.
        var btf = new TinyBtf();
        btf.Int("int", 4);                         // 1
        btf.Struct("s", 4, ("m", 3, 0));          // 2
        btf.Const(4);                              // 3
        btf.Const(3);                              // 4
        var spec = BtfSpec.Parse(btf.Build());
        var e = Assert.Throws<BpfFormatException>(() => BtfCFormatter.Write(spec, Stream.Null));
        Assert.Equal(BpfFormatError.BtfTypeChainTooDeep, e.ErrorCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void VeryDeepNestingIsAFormatErrorNotAStackOverflow(bool pointers)
    {
        // 20000 levels of anonymous structs (or pointers): far beyond any real BTF; must fail cleanly.
        var btf = new TinyBtf();
        int inner = btf.Int("int", 4);
        for (int i = 0; i < 20000; i++)
            inner = pointers ? btf.Pointer(inner) : btf.Struct("", 4, ("m", inner, 0));
        btf.Struct("top", pointers ? 8u : 4u, ("m", inner, 0));
        var spec = BtfSpec.Parse(btf.Build());
        var e = Assert.Throws<BpfFormatException>(() => BtfCFormatter.Write(spec, Stream.Null));
        Assert.Equal(BpfFormatError.BtfTypeChainTooDeep, e.ErrorCode);
        Assert.Contains("types", e.Message);
    }

    [Fact]
    public void WrappingMemberOffsetsAreAFormatErrorNotAHang()
    {
        // A raw offset of 2^31 bits wraps libbpf's int arithmetic; bpftool then prints hundreds of megabytes of padding.
        var btf = new TinyBtf();
        int chr = btf.Int("char", 1);
        btf.Struct("wraps", 8, ("a", chr, 0x80000000u), ("b", chr, 8));
        var spec = BtfSpec.Parse(btf.Build());
        var e = Assert.Throws<BpfFormatException>(() => BtfCFormatter.Write(spec, Stream.Null));
        Assert.Equal(BpfFormatError.BtfInvalidType, e.ErrorCode);
    }

    [Fact]
    public void PointerCycleThroughNamedStructsGetsForwardDeclarations()
    {
        // struct a { struct b *b; }; struct b { struct a *a; }: resolved by one forward declaration.
        var btf = new TinyBtf();
        int a = btf.Struct("a", 8, ("b", 3, 0)); // 1
        int b = btf.Struct("b", 8, ("a", 4, 0)); // 2
        btf.Pointer(b);                                      // 3
        btf.Pointer(a);                                      // 4
        string text = BtfCFormatter.Format(BtfSpec.Parse(btf.Build()));
        Assert.Contains("struct b;\n\nstruct a {\n\tstruct b *b;\n};\n\nstruct b {\n\tstruct a *a;\n};\n\n", text);
    }

    private static string BuildNote =>
        typeof(BtfSpec).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false) is [DebuggableAttribute { IsJITOptimizerDisabled: true }]
            ? " (Debug build: unoptimised JIT)"
            : "";

    private static byte[] Format(BtfSpec spec, out double milliseconds)
    {
        using var ms = new MemoryStream();
        var sw = Stopwatch.StartNew();
        BtfCFormatter.Write(spec, ms);
        milliseconds = sw.Elapsed.TotalMilliseconds;
        return ms.ToArray();
    }

    /// <summary>Fails with the first differing line (1-based) and both versions of it.</summary>
    private static void AssertSameOutput(byte[] expected, byte[] actual, string what)
    {
        if (expected.AsSpan().SequenceEqual(actual)) return;
        string[] e = Encoding.UTF8.GetString(expected).Split('\n');
        string[] a = Encoding.UTF8.GetString(actual).Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string el = i < e.Length ? e[i] : "<end of output>";
            string al = i < a.Length ? a[i] : "<end of output>";
            if (el != al)
                Assert.Fail($"{what}: output differs from bpftool at line {i + 1}:\n  bpftool: {el}\n  ours:    {al}");
        }
        Assert.Fail($"{what}: output differs from bpftool in bytes that do not decode as UTF-8 ({expected.Length} vs {actual.Length} bytes)");
    }

    private static string Decompress(string gz, string dir)
    {
        string target = Path.Combine(dir, Path.GetFileNameWithoutExtension(gz));
        if (File.Exists(target)) return target;
        using var input = new GZipStream(File.OpenRead(gz), CompressionMode.Decompress);
        using var output = File.Create(target);
        input.CopyTo(output);
        return target;
    }

    private static byte[] Bpftool(string file, string? baseFile)
    {
        var args = new List<string>();
        if (baseFile is not null) args.AddRange(["-B", baseFile]);
        args.AddRange(["btf", "dump", "file", file, "format", "c"]);
        var (code, stdout, stderr) = Run("bpftool", args);
        Assert.True(code == 0, $"bpftool failed ({code}): {stderr}");
        return stdout;
    }

    private static string CompileBpf(string source, string dir)
    {
        string obj = Path.Combine(dir, Path.GetFileNameWithoutExtension(source) + ".o");
        var (code, _, stderr) = Run("clang-19", ["-O2", "-g", "-target", "bpf", "-Wall", "-c", source, "-o", obj]);
        Assert.True(code == 0, $"clang-19 failed on {Path.GetFileName(source)}: {stderr}");
        return obj;
    }

    private static ToolResult Run(string tool, IEnumerable<string> args) => ExternalTool.Run(tool, args);

    /// <summary>Builds small raw BTF blobs (little-endian): crafted corner cases and malformed input.</summary>
    private sealed class TinyBtf
    {
        private readonly MemoryStream _types = new();
        private readonly MemoryStream _strings = new();
        private int _count;

        public TinyBtf() => _strings.WriteByte(0);

        public uint Name(string s)
        {
            if (s.Length == 0) return 0;
            uint off = (uint)_strings.Length;
            _strings.Write(Encoding.UTF8.GetBytes(s));
            _strings.WriteByte(0);
            return off;
        }

        private int Add(string name, BtfKind kind, int vlen, uint third, bool kindFlag = false, params uint[] trailer)
        {
            Word(Name(name));
            Word(((uint)kind << 24) | (uint)vlen | (kindFlag ? 0x80000000u : 0));
            Word(third);
            foreach (var w in trailer) Word(w);
            return ++_count;
        }

        private void Word(uint w)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(b, w);
            _types.Write(b);
        }

        public int Int(string name, uint size, bool signed = true) =>
            Add(name, BtfKind.Int, 0, size, false, ((signed ? 1u : 0u) << 24) | (size * 8));
        public int Float(string name, uint size) => Add(name, BtfKind.Float, 0, size);
        public int Pointer(int target) => Add("", BtfKind.Pointer, 0, (uint)target);
        public int Typedef(string name, int target) => Add(name, BtfKind.Typedef, 0, (uint)target);
        public int Const(int target) => Add("", BtfKind.Const, 0, (uint)target);
        public int Volatile(int target) => Add("", BtfKind.Volatile, 0, (uint)target);
        public int Restrict(int target) => Add("", BtfKind.Restrict, 0, (uint)target);
        public int TypeTag(string name, int target, bool attribute = false) => Add(name, BtfKind.TypeTag, 0, (uint)target, attribute);
        public int Forward(string name, bool union = false) => Add(name, BtfKind.Forward, 0, 0, union);
        public int Array(int element, int index, uint length) => Add("", BtfKind.Array, 0, 0, false, (uint)element, (uint)index, length);
        public int Func(string name, int proto) => Add(name, BtfKind.Func, 1, (uint)proto);
        public int Var(string name, int type) => Add(name, BtfKind.Var, 0, (uint)type, false, 1);
        public int DeclTag(string name, int target, int component) => Add(name, BtfKind.DeclTag, 0, (uint)target, false, (uint)component);

        public int FuncProto(int ret, params (string Name, int Type)[] parameters)
        {
            var words = new List<uint>();
            foreach (var p in parameters) words.AddRange([Name(p.Name), (uint)p.Type]);
            return Add("", BtfKind.FuncProto, parameters.Length, (uint)ret, false, [.. words]);
        }

        public int Struct(string name, uint size, params (string Name, int Type, uint BitOffset)[] members) =>
            Composite(BtfKind.Struct, name, size, false, members);
        public int Union(string name, uint size, params (string Name, int Type, uint BitOffset)[] members) =>
            Composite(BtfKind.Union, name, size, false, members);

        /// <summary>A struct whose members carry bitfield sizes (kind flag set): offset word = size &lt;&lt; 24 | offset.</summary>
        public int BitfieldStruct(string name, uint size, params (string Name, int Type, uint BitOffset, uint BitSize)[] members)
        {
            var words = new List<uint>();
            foreach (var m in members) words.AddRange([Name(m.Name), (uint)m.Type, (m.BitSize << 24) | m.BitOffset]);
            return Add(name, BtfKind.Struct, members.Length, size, true, [.. words]);
        }

        private int Composite(BtfKind kind, string name, uint size, bool kindFlag, (string Name, int Type, uint BitOffset)[] members)
        {
            var words = new List<uint>();
            foreach (var m in members) words.AddRange([Name(m.Name), (uint)m.Type, m.BitOffset]);
            return Add(name, kind, members.Length, size, kindFlag, [.. words]);
        }

        public int Enum(string name, uint size, bool signed, params (string Name, int Value)[] values)
        {
            var words = new List<uint>();
            foreach (var v in values) words.AddRange([Name(v.Name), (uint)v.Value]);
            return Add(name, BtfKind.Enum, values.Length, size, signed, [.. words]);
        }

        public int Enum64(string name, uint size, bool signed, params (string Name, long Value)[] values)
        {
            var words = new List<uint>();
            foreach (var v in values) words.AddRange([Name(v.Name), (uint)v.Value, (uint)((ulong)v.Value >> 32)]);
            return Add(name, BtfKind.Enum64, values.Length, size, signed, [.. words]);
        }

        public int DataSec(string name, params (int Var, uint Offset, uint Size)[] vars)
        {
            var words = new List<uint>();
            foreach (var v in vars) words.AddRange([(uint)v.Var, v.Offset, v.Size]);
            return Add(name, BtfKind.DataSec, vars.Length, 0, false, [.. words]);
        }

        public byte[] Build()
        {
            byte[] types = _types.ToArray(), strings = _strings.ToArray();
            var blob = new byte[24 + types.Length + strings.Length];
            BinaryPrimitives.WriteUInt16LittleEndian(blob, 0xeb9f);
            blob[2] = 1;
            BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(4), 24);
            BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(8), 0);
            BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(12), (uint)types.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(16), (uint)types.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(20), (uint)strings.Length);
            types.CopyTo(blob, 24);
            strings.CopyTo(blob, 24 + types.Length);
            return blob;
        }
    }
}
