using System.Text.Json;
using BpfSharp.Btf;
using BpfSharp.Compiler;
using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Objects;

namespace BpfSharp.Tests.Runtime;

/// <summary>
/// struct_ops written in C#: a <c>[StructOps("tcp_congestion_ops")]</c> class is the C twin
/// testdata/runtime/struct_ops/cc.c (same variable, member layout, programs and data). Its object's struct_ops
/// section, symbol, relocations and BTF are compared with clang-19's for the twin; then the C# congestion control
/// registers on the running kernel (by map update and by link, and through <see cref="BpfObject.AttachAll"/>), is
/// listed in tcp_available_congestion_control, carries a loopback transfer selected with TCP_CONGESTION (its
/// cong_avoid reads the socket's congestion window through its typed BTF context) and is gone once disposed.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class CSharpStructOpsTests(ITestOutputHelper output)
{
    /// <summary>The C# twin of cc.c; <paramref name="name"/> is the congestion control's name.</summary>
    internal static string Source(string name, bool link) => $$"""
        using System.Threading;
        using BpfSharp.Kernel;

        [assembly: License("GPL")]

        [Relocatable("tcp_sock")]
        public struct CcTcpSock
        {
            public uint snd_cwnd;
        }

        [StructOps("tcp_congestion_ops", Link = {{(link ? "true" : "false")}})]
        [BtfName("bpfsharp_cc")]
        public static unsafe class BpfsharpCc
        {
            [StructOpsMember("flags")] const uint Flags = 0;
            [StructOpsMember("name", Length = 16)] const string Name = "{{name}}";

            static ulong cong_avoid_calls;
            static ulong cc_last_cwnd;

            [StructOpsMethod("ssthresh")]
            public static uint bpfsharp_ssthresh(ulong* ctx) => 2;

            // The kernel promotes the 'struct sock *' argument to a tcp_sock BTF pointer: a direct, relocated load.
            [StructOpsMethod("cong_avoid")]
            public static void bpfsharp_cong_avoid(ulong* ctx)
            {
                Interlocked.Increment(ref cong_avoid_calls);
                cc_last_cwnd = ((CcTcpSock*)ctx[0])->snd_cwnd;
            }

            [StructOpsMethod("undo_cwnd")]
            public static uint bpfsharp_undo_cwnd(ulong* ctx) => 10;
        }
        """;

    private static string UniqueName(string tag) => $"bpfs{Environment.ProcessId % 100000}{tag}";

    /// <summary>Compiles the C# twin; returns the object written to a scratch file.</summary>
    internal static string CompileCSharp(string name, bool link, string tag)
    {
        var compilation = BpfSourceCompiler.Compile("CSharpCc" + tag, Source(name, link));
        Assert.True(compilation.Success, string.Join("\n", compilation.Diagnostics));
        var path = Path.Combine(TestPaths.NewScratchDirectory("cs_struct_ops"), $"cs_cc_{tag}.o");
        File.WriteAllBytes(path, compilation.Object!);
        return path;
    }

    private static string CompileC(bool link)
    {
        var dir = TestPaths.NewScratchDirectory("cs_struct_ops_c");
        var o = Path.Combine(dir, link ? "cc_link.o" : "cc.o");
        var args = new List<string> { "-O2", "-g", "-target", "bpf", "-I" + ExternalTool.MultiarchIncludeDirectory };
        if (link) args.Add("-DSTRUCT_OPS_SECTION=\".struct_ops.link\"");
        args.AddRange(["-c", Path.Combine(TestPaths.TestData, "runtime", "struct_ops", "cc.c"), "-o", o]);
        var r = ExternalTool.Run("clang-19", [.. args]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return o;
    }

    /// <summary>The relocation records llvm-objdump prints for one section (without the header).</summary>
    private static string[] Relocations(string obj, string section)
    {
        var text = ExternalTool.RunText("llvm-objdump-19", "-r", obj);
        var lines = text.Split('\n');
        var start = Array.FindIndex(lines, l => l.Trim() == $"RELOCATION RECORDS FOR [{section}]:");
        Assert.True(start >= 0, $"llvm-objdump -r shows no relocations for {section} in {obj}:\n{text}");
        return [.. lines.Skip(start + 2).TakeWhile(l => l.Trim().Length > 0).Select(l => l.Trim())];
    }

    /// <summary>llvm-objdump -t's line for a symbol.</summary>
    private static string Symbol(string obj, string name)
    {
        var text = ExternalTool.RunText("llvm-objdump-19", "-t", obj);
        return text.Split('\n').Single(l => l.EndsWith(" " + name, StringComparison.Ordinal)).Trim();
    }

    /// <summary>The struct_ops variable's BTF: VAR linkage, DATASEC entry, struct size, members (name, offset, kind).</summary>
    private static string DescribeBtf(ObjectSpec spec, StructOpsSpec so)
    {
        var btf = spec.Btf!;
        var dataSec = btf[btf.FindByName(so.SectionName, BtfKind.DataSec)];
        var lines = new List<string>();
        for (var i = 0; i < dataSec.Vlen; i++)
        {
            var v = dataSec.GetDataSecVar(i);
            var variable = btf[v.TypeId];
            lines.Add($"datasec {so.SectionName}: VAR {variable.Name} linkage {variable.Linkage} at {v.Offset} size {v.Size}");
        }

        var type = btf[so.TypeId];
        lines.Add($"struct {type.Name} size {type.Size}");
        foreach (var m in type.Members)
        {
            var mt = btf.SkipModifiersAndTypedefs(m.TypeId);
            var kind = mt.Kind switch
            {
                BtfKind.Pointer => "pointer to " + btf.SkipModifiersAndTypedefs(mt.ReferencedTypeId).Kind,
                BtfKind.Array => $"array of {mt.ArrayLength} {btf.SkipModifiersAndTypedefs(mt.ArrayElementType).Size}-byte",
                _ => $"{mt.Kind} of {mt.Size} bytes",
            };
            lines.Add($"  {m.Name} at bit {m.BitOffset}: {kind}");
        }

        return string.Join("\n", lines);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheStructOpsSectionIsClangsForTheCTwin(bool link)
    {
        var section = link ? ObjectSpec.StructOpsLinkSection : ObjectSpec.StructOpsSection;
        var ours = CompileCSharp("bpfsharp_cc", link, link ? "diffl" : "diffm");
        var theirs = CompileC(link);
        var a = ObjectSpec.Load(ours);
        var b = ObjectSpec.Load(theirs);
        var x = Assert.Single(a.StructOps);
        var y = Assert.Single(b.StructOps);

        // What the loader reads: name, section, kernel struct, which member holds which program, the bytes.
        Assert.Equal((y.Name, y.SectionName, y.IsLink, y.TypeName, y.SectionOffset), (x.Name, x.SectionName, x.IsLink, x.TypeName, x.SectionOffset));
        Assert.Equal(y.Programs, x.Programs);
        Assert.Equal(y.Data.ToArray(), x.Data.ToArray());
        foreach (var slot in x.Programs)
        {
            var program = a.Programs.Single(p => p.Name == slot.ProgramName);
            Assert.Equal(BpfProgramType.StructOps, BpfSharp.Objects.ProgramSectionDefinition.Find(program.SectionName)?.ProgramType);
        }

        // What llvm-objdump reads: the R_BPF_64_ABS64 relocations of the function pointer slots and the symbol.
        var relocations = Relocations(ours, section);
        output.WriteLine(string.Join("\n", relocations));
        Assert.Equal(Relocations(theirs, section), relocations);
        Assert.Equal(Symbol(theirs, "bpfsharp_cc"), Symbol(ours, "bpfsharp_cc"));

        // The BTF: a global VAR of the named struct in the section's DATASEC, members at clang's offsets.
        var btf = DescribeBtf(a, x);
        output.WriteLine(btf);
        Assert.Equal(DescribeBtf(b, y), btf);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CSharpCongestionControlRegistersCarriesATransferAndUnregisters(bool link)
    {
        KernelObjects.RequireBpf();
        var name = UniqueName(link ? "csl" : "csm");
        var spec = ObjectSpec.Load(CompileCSharp(name, link, link ? "regl" : "regm"));
        using var c = new BpfObjectLoader(spec).Load();
        var ops = c.StructOps["bpfsharp_cc"];
        Assert.Equal(BpfMapType.StructOps, ops.Map.Type);
        Assert.Equal(link, (ops.Map.Flags & BpfMapFlags.Link) != 0);
        Assert.DoesNotContain(name, StructOpsTests.AvailableNames());

        int linkId;
        using (var registration = ops.Register())
        {
            linkId = registration.Id;
            Assert.Contains(name, StructOpsTests.AvailableNames());
            var shown = KernelObjects.Bpftool("struct_ops", "show", "id", ops.Map.Id.ToString());
            output.WriteLine(shown.Trim());
            Assert.StartsWith($"{ops.Map.Id}: bpfsharp_cc ", shown);
            Assert.Equal("tcp_congestion_ops", shown.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]);
            if (link)
            {
                using var json = JsonDocument.Parse(KernelObjects.Bpftool("link", "show", "id", linkId.ToString(), "-j"));
                Assert.Equal("struct_ops", json.RootElement.GetProperty("type").GetString());
            }

            var before = c.ReadVariable<ulong>("cong_avoid_calls");
            Assert.Equal(name, StructOpsTests.Transfer(name, 8 << 20));
            var calls = c.ReadVariable<ulong>("cong_avoid_calls") - before;
            var cwnd = c.ReadVariable<ulong>("cc_last_cwnd");
            output.WriteLine($"{name} (C#, {(link ? ".struct_ops.link" : ".struct_ops")}): cong_avoid ran {calls} times during an 8 MiB loopback transfer, last snd_cwnd {cwnd}");
            Assert.True(calls > 0, "the C# congestion control's cong_avoid never ran");
            // The initial window is 10 and this control never lets it drop below 2 (ssthresh): a real tcp_sock read.
            Assert.InRange(cwnd, 2UL, 1UL << 20);
        }

        Assert.DoesNotContain(name, StructOpsTests.AvailableNames());
        if (link) KernelObjects.AssertGone("link", linkId);
    }

    [Fact]
    public void AttachAllRegistersTheStructOpsAndItsDisposalUnregisters()
    {
        KernelObjects.RequireBpf();
        var name = UniqueName("all");
        using var obj = BpfObject.Open(File.ReadAllBytes(CompileCSharp(name, link: true, "all")), "cs_cc_all.o");
        obj.Load();
        Assert.DoesNotContain(name, StructOpsTests.AvailableNames());
        int linkId;
        using (var links = obj.AttachAll())
        {
            var link = Assert.Single(links.Links);
            linkId = link.Id;
            Assert.Contains(name, StructOpsTests.AvailableNames());
            using var json = JsonDocument.Parse(KernelObjects.Bpftool("link", "show", "id", linkId.ToString(), "-j"));
            Assert.Equal("struct_ops", json.RootElement.GetProperty("type").GetString());
            // bpftool 7.1 does not print a struct_ops link's map; the kernel's link info names it.
            Assert.Equal(obj.Map("bpfsharp_cc").Id, BpfSharp.Linux.Inspection.BpfLinkInfo.Read(link.FileDescriptor!).MapId);
        }

        Assert.DoesNotContain(name, StructOpsTests.AvailableNames());
        KernelObjects.AssertGone("link", linkId);
    }

    [Fact]
    public void SleepableMethodsEnumsAndBoolsLandWhereLibbpfLooks()
    {
        var compilation = BpfSourceCompiler.Compile("SleepyOps", """
            using BpfSharp.Kernel;
            public enum SleepyMode : ushort { Off = 0, On = 0x1234 }
            [StructOps("bpfsharp_sleepy_ops")]
            [BtfName("sleepy")]
            public static unsafe class SleepyOps
            {
                [StructOpsMember("enabled")] const bool Enabled = true;
                [StructOpsMember("mode")] const SleepyMode Mode = SleepyMode.On;
                [StructOpsMember("cookie")] const ulong Cookie = 0x1122334455667788;
                [StructOpsMethod("init", Sleepable = true)]
                public static int SleepyInit(ulong* ctx) => 0;
            }
            """);
        Assert.True(compilation.Success, string.Join("\n", compilation.Diagnostics));
        var spec = ObjectSpec.Read(compilation.Object!, "sleepy.bpf.o");
        var so = Assert.Single(spec.StructOps);
        Assert.Equal(("sleepy", "bpfsharp_sleepy_ops", false), (so.Name, so.TypeName, so.IsLink));
        Assert.Equal("struct_ops.s/init", spec.Programs.Single(p => p.Name == "SleepyInit").SectionName);
        Assert.Equal([new StructOpsSlot("init", 0, 0, "SleepyInit")], so.Programs);
        // C layout: the pointer at 0, bool at 8, the u16 at 10, the u64 at 16; 24 bytes.
        byte[] expected = [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0x34, 0x12, 0, 0, 0, 0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11];
        Assert.Equal(expected, so.Data.ToArray());
    }

    [Fact]
    public void AStructOpsMethodOutsideAStructOpsClassIsBPFS2005()
    {
        var compilation = BpfSourceCompiler.Compile("StrayStructOps", """
            using BpfSharp.Kernel;
            public static unsafe class Stray
            {
                [StructOpsMethod("ssthresh")]
                public static uint StraySsthresh(ulong* ctx) => 2;
            }
            """);
        var e = Assert.Single(compilation.Diagnostics, d => d.IsError);
        Assert.Equal(DiagnosticIds.StructOps, e.Id);
        Assert.Contains("'Stray.StraySsthresh' is a [StructOpsMethod] in a class without [StructOps(\"type\")]", e.Message);
    }

    [Fact]
    public void AnInstanceStructOpsMethodIsBPFS2005()
    {
        var compilation = BpfSourceCompiler.Compile("InstanceOps", """
            using BpfSharp.Kernel;
            [StructOps("tcp_congestion_ops")]
            public unsafe class InstanceOps
            {
                [StructOpsMethod("ssthresh")]
                public uint InstanceSsthresh(ulong* ctx) => 2;
                [BpfProgram("xdp")] public static int InstanceOpsKeepsAProgram(void* ctx) => 2;
            }
            """);
        var e = Assert.Single(compilation.Diagnostics, d => d.IsError);
        Assert.Equal(DiagnosticIds.StructOps, e.Id);
        Assert.Contains("struct_ops 'InstanceOps': [StructOpsMethod(\"ssthresh\")] 'InstanceSsthresh' must be static (a BPF program)", e.Message);
    }

    [Fact]
    public void AStringLongerThanItsMemberIsBPFS2005()
    {
        var compilation = BpfSourceCompiler.Compile("LongName", """
            using BpfSharp.Kernel;
            [StructOps("tcp_congestion_ops")]
            public static unsafe class LongName
            {
                [StructOpsMember("name", Length = 16)] const string Name = "seventeen_chars_x";
                [StructOpsMethod("ssthresh")]
                public static uint LongSsthresh(ulong* ctx) => 2;
            }
            """);
        var e = Assert.Single(compilation.Diagnostics, d => d.IsError);
        Assert.Equal(DiagnosticIds.StructOps, e.Id);
        Assert.Contains("struct_ops 'LongName': member 'name' ('Name'): \"seventeen_chars_x\" is 17 bytes, longer than Length = 16", e.Message);
    }
}
