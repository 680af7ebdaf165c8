using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Tests.Compiler;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Loading;

namespace BpfSharp.Tests.CompilerTwins;

/// <summary>How a twin is driven.</summary>
internal enum TwinDriver
{
    /// <summary>XDP: BPF_PROG_TEST_RUN over packets.</summary>
    Xdp,

    /// <summary>Socket filter or tc: BPF_PROG_TEST_RUN over packets with a <c>struct __sk_buff</c> context in and out.</summary>
    SkBuff,

    /// <summary>Attached to a tracepoint and triggered by a syscall.</summary>
    Tracing,
}

/// <summary>
/// One program written twice: in C (testdata/twins/FILE.bpf.c, compiled with clang-19 at test time) and in C#
/// (tests/BpfSharp.TestPrograms/Twins). Both define the program under the same name, and the maps and global
/// variables the tests compare under the same names too.
/// </summary>
/// <param name="Program">The program (function / method) name on both sides.</param>
/// <param name="CFile">The C source's base name in testdata/twins.</param>
/// <param name="Driver">How the tests run it.</param>
/// <param name="Maps">Maps whose contents must be equal afterwards.</param>
/// <param name="Globals">Global variables (.data/.bss) whose values must be equal afterwards.</param>
/// <param name="RingBuffers">Ring buffers whose records must be equal.</param>
/// <param name="PerfArrays">Perf event arrays whose samples must be equal.</param>
internal sealed record Twin(
    string Program,
    string CFile,
    TwinDriver Driver,
    string[] Maps,
    string[]? Globals = null,
    string[]? RingBuffers = null,
    string[]? PerfArrays = null)
{
    /// <summary>Every twin.</summary>
    public static readonly Twin[] All =
    [
        new("HashCounter", "hash_counter", TwinDriver.Xdp, ["CountsByLength"]),
        new("ArrayStats", "array_stats", TwinDriver.Xdp, ["PacketTotals"]),
        new("PerCpuStats", "percpu_stats", TwinDriver.Xdp, ["CpuTraffic"]),
        new("XdpParser", "xdp_parser", TwinDriver.Xdp, ["FlowCounts"]),
        new("SocketFilter", "socket_filter", TwinDriver.SkBuff, ["KeptPackets"]),
        new("TcClassifier", "tc_classifier", TwinDriver.SkBuff, ["DscpCounts"]),
        new("RingbufReserve", "ringbuf_reserve", TwinDriver.Xdp, [], RingBuffers: ["PacketEvents"]),
        new("RingbufOutput", "ringbuf_output", TwinDriver.Xdp, [], Globals: ["SizeSequence"], RingBuffers: ["SizeEvents"]),
        new("PerfOutput", "perf_output", TwinDriver.Xdp, [], PerfArrays: ["PerfSamples"]),
        new("BoundedLoop", "bounded_loop", TwinDriver.Xdp, ["LastHash"]),
        new("GlobalCounters", "global_counters", TwinDriver.Xdp, [], Globals: ["GlobalPackets", "GlobalBytes", "GlobalLargest", "GlobalGeneration"]),
        new("SwitchProtocol", "switch_protocol", TwinDriver.Xdp, ["ProtocolSlots"]),
        new("PidComm", "pid_comm", TwinDriver.Tracing, ["GetpidRecord"]),
        new("OpenSnoopEnter", "opensnoop_enter", TwinDriver.Tracing, ["OpenStart"]),
    ];

    /// <summary>Finds a twin by program name.</summary>
    public static Twin Get(string program) => All.Single(t => t.Program == program);

    /// <summary>Program names of the twins a driver runs, for theories.</summary>
    public static TheoryData<string> Names(params TwinDriver[] drivers)
    {
        var data = new TheoryData<string>();
        foreach (var t in All)
            if (drivers.Length == 0 || drivers.Contains(t.Driver))
                data.Add(t.Program);
        return data;
    }

    /// <summary>The C source.</summary>
    public string CSourcePath => Path.Combine(TestPaths.TestData, "twins", CFile + ".bpf.c");

    /// <summary>The C twin compiled with clang-19 -O2 -g -target bpf (once per test run).</summary>
    public string CObjectPath => LoaderObjects.Compile(CSourcePath, mustCompile: true)!;

    /// <summary>The C twin's object as parsed by our reader.</summary>
    public ProgramSpec CProgramSpec => ObjectSpec.Load(CObjectPath).FindProgram(Program)
        ?? throw new InvalidOperationException($"{CObjectPath} has no program {Program}");

    /// <summary>The C# twin in the compiled TestPrograms object.</summary>
    public ProgramSpec CSharpProgramSpec => ObjectSpec.Load(CompiledTestPrograms.ObjectPath).FindProgram(Program)
        ?? throw new InvalidOperationException($"the compiled test programs have no program {Program}");

    /// <summary>Loads the C object with our loader.</summary>
    public BpfCollection LoadC() => BpfCollection.Load(CObjectPath);

    /// <summary>Loads the compiled TestPrograms object (every C# test program, twins included) with our loader.</summary>
    public static BpfCollection LoadCSharp() => BpfCollection.Load(CompiledTestPrograms.ObjectPath);

    /// <inheritdoc />
    public override string ToString() => Program;
}
