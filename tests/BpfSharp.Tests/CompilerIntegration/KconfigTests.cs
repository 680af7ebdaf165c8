using System.IO.Compression;
using System.Text.RegularExpressions;
using BpfSharp.Btf;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Loading;

namespace BpfSharp.Tests.CompilerIntegration;

/// <summary>
/// <c>[Kconfig]</c> fields, C's <c>extern … __kconfig</c>: the object declares them as clang does for
/// testdata/twins/kconfig.bpf.c (undefined symbols, extern VARs in the <c>.kconfig</c> DATASEC, ld_imm64 relocated
/// against the symbol), libbpf (bpftool) loads it, and in the kernel the values are the running kernel's: its
/// version from uname, options from its configuration (<c>/proc/config.gz</c>), 0 for a weak option it lacks.
/// </summary>
public sealed class KconfigTests(ITestOutputHelper output)
{
    private const string Source = """
        using BpfSharp.Kernel;

        [assembly: License("GPL")]

        public static unsafe class KconfigValues
        {
            [Kconfig] static readonly uint LINUX_KERNEL_VERSION;
            [Kconfig(Weak = true)] static readonly bool CONFIG_BPF_JIT;
            [Kconfig(Weak = true)] static readonly bool CONFIG_BPFSHARP_ABSENT;
            [Kconfig("CONFIG_HZ")] static readonly int Hz;

            static ulong out_version;
            static ulong out_jit;
            static ulong out_absent;
            static ulong out_hz;

            [SyscallProgram]
            public static int read_kconfig(void* ctx)
            {
                out_version = LINUX_KERNEL_VERSION;
                out_jit = CONFIG_BPF_JIT ? 1ul : 0;
                out_absent = CONFIG_BPFSHARP_ABSENT ? 1ul : 0;
                out_hz = (ulong)Hz;
                return 0;
            }
        }
        """;

    private static readonly Lazy<byte[]> CSharpObject = new(() => BpfSourceCompiler.Compile("KconfigValues", Source).GetObjectOrThrow());

    private static string CObjectPath => LoaderObjects.Compile(Path.Combine(TestPaths.TestData, "twins", "kconfig.bpf.c"), mustCompile: true)!;

    private static string CSharpObjectPath() => ExternObjects.WriteScratch(CSharpObject.Value, "kconfig", "kconfig_cs.bpf.o");

    [Fact]
    public void KconfigExternsAreDeclaredAsClangDeclaresThem()
    {
        var ours = CSharpObjectPath();
        Assert.Equal(Declarations(CObjectPath), Declarations(ours));
        Assert.Equal(Relocations(CObjectPath), Relocations(ours));
        // The loader's reader sees them as libbpf does: externs of the .kconfig section.
        static IEnumerable<string> Externs(string path) => ObjectSpec.Load(path).Externs
            .Select(e => $"{e.Name} {e.Kind} weak {e.IsWeak} function {e.IsFunction} at {e.Offset} size {e.Size}").Order(StringComparer.Ordinal);
        Assert.Equal(Externs(CObjectPath), Externs(ours));
    }

    [Fact]
    public void TheLoaderFillsInTheRunningKernelsValues()
    {
        KernelObjects.RequireBpf();
        var fromC = Run(ObjectSpec.Load(CObjectPath));
        var fromCSharp = Run(ObjectSpec.Read(CSharpObject.Value, "kconfig_cs.bpf.o"));
        Assert.Equal(fromC, fromCSharp);

        var release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        var numbers = Regex.Match(release, @"^(\d+)\.(\d+)(?:\.(\d+))?").Groups;
        var patch = numbers[3].Success ? Math.Min(255, int.Parse(numbers[3].Value)) : 0;
        var version = (ulong)((int.Parse(numbers[1].Value) << 16) + (int.Parse(numbers[2].Value) << 8) + patch);
        var config = KernelConfig();
        var expected = (version,
            config.GetValueOrDefault("CONFIG_BPF_JIT") == "y" ? 1ul : 0,
            0ul,
            ulong.Parse(config["CONFIG_HZ"]));
        Assert.Equal(expected, fromCSharp);
        output.WriteLine($"kernel {release}: LINUX_KERNEL_VERSION 0x{version:x}, CONFIG_BPF_JIT {expected.Item2}, CONFIG_HZ {expected.Item4}");
    }

    [Fact]
    public void BpftoolLoadsTheCSharpObject()
    {
        KernelObjects.RequireBpf();
        ExternObjects.BpftoolLoadAll(CSharpObjectPath(), "kconfig", "read_kconfig");
    }

    [Theory]
    [InlineData("[Kconfig] static readonly uint LINUX_KERNEL_VERSION;", "[Kconfig] static uint LINUX_KERNEL_VERSION;", "must be 'static readonly'")]
    [InlineData("[Kconfig] static readonly uint LINUX_KERNEL_VERSION;", "[Kconfig] static readonly uint LINUX_KERNEL_VERSION = 3;", "has an initial value")]
    public void KconfigFieldsThatCannotWorkAreCompileErrors(string replace, string with, string expected)
    {
        Assert.Contains(replace, Source);
        var compiled = BpfSourceCompiler.Compile("BadKconfig", Source.Replace(replace, with));
        Assert.False(compiled.Success);
        Assert.Contains(compiled.Diagnostics, d => d.IsError && d.Message.Contains(expected, StringComparison.Ordinal) && d.Message.Contains("LINUX_KERNEL_VERSION", StringComparison.Ordinal));
    }

    /// <summary>Runs read_kconfig with our loader; the four values it stored.</summary>
    private static (ulong Version, ulong Jit, ulong Absent, ulong Hz) Run(ObjectSpec spec)
    {
        using var c = new BpfObjectLoader(spec).Load();
        Assert.Equal(0u, c.Programs["read_kconfig"].TestRun([]).ReturnValue);
        return (c.ReadVariable<ulong>("out_version"), c.ReadVariable<ulong>("out_jit"), c.ReadVariable<ulong>("out_absent"), c.ReadVariable<ulong>("out_hz"));
    }

    /// <summary>The running kernel's configuration, read by the test itself.</summary>
    private static Dictionary<string, string> KernelConfig()
    {
        using var file = File.OpenRead("/proc/config.gz");
        using var reader = new StreamReader(new GZipStream(file, CompressionMode.Decompress));
        var config = new Dictionary<string, string>();
        while (reader.ReadLine() is { } line)
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (!line.StartsWith('#') && eq > 0)
            {
                config[line[..eq]] = line[(eq + 1)..];
            }
        }

        return config;
    }

    /// <summary>The externs as the ELF symbol table and BTF show them: undefined symbols with type and binding, the
    /// .kconfig DATASEC's VARs (linkage, resolved type, entry size).</summary>
    private static List<string> Declarations(string path) => ExternObjects.Declarations(path, ".kconfig", (btf, entry) =>
    {
        var variable = btf[entry.TypeId];
        return $"kconfig +{entry.Offset} size {entry.Size}: {variable.Kind} {variable.Name} {variable.Linkage} {MapOfMapsTests.Shape(btf, variable.ReferencedTypeId, 0)}";
    });

    private static List<string> Relocations(string path) =>
        ExternObjects.CodeRelocations(path, name => name.StartsWith("CONFIG_", StringComparison.Ordinal) || name == "LINUX_KERNEL_VERSION");
}
