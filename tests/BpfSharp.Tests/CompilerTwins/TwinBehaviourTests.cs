using System.Runtime.InteropServices;
using BpfSharp.Tests.Infrastructure;
using System.Text;
using BpfSharp.Linux;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.Loading;
using BpfSharp.Linux.RingBuffer;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.CompilerTwins;

/// <summary>
/// Each twin runs in the kernel twice, as clang compiled its C and as BpfSharp compiled its C#, over the same
/// input; return values, output packets and contexts, map contents, globals and emitted records must be equal.
/// </summary>
public sealed partial class TwinBehaviourTests
{
    /// <summary>Size of <c>struct __sk_buff</c> (the context the kernel accepts and returns for skb test runs).</summary>
    private const int SkBuffSize = 192;

    public static TheoryData<string> PacketTwins() => Twin.Names(TwinDriver.Xdp, TwinDriver.SkBuff);

    [Theory]
    [MemberData(nameof(PacketTwins))]
    public void PacketTwinBehavesLikeItsCTwin(string name)
    {
        KernelObjects.RequireBpf();
        var twin = Twin.Get(name);
        using var c = twin.LoadC();
        using var cs = Twin.LoadCSharp();
        var cRecords = new List<string>();
        var csRecords = new List<string>();
        var readers = new List<IDisposable>();
        // Per-CPU maps hold one value per CPU: run both twins on the same CPU so their layouts compare.
        using var pin = CpuPin.ToCurrentCpu();
        try
        {
            var cRings = (twin.RingBuffers ?? []).Select(m => Track(readers, new RingBufferReader(c.Maps[m]))).ToArray();
            var csRings = (twin.RingBuffers ?? []).Select(m => Track(readers, new RingBufferReader(cs.Maps[m]))).ToArray();
            var cPerf = (twin.PerfArrays ?? []).Select(m => Track(readers, new PerfBufferReader(c.Maps[m], 8))).ToArray();
            var csPerf = (twin.PerfArrays ?? []).Select(m => Track(readers, new PerfBufferReader(cs.Maps[m], 8))).ToArray();

            var cProgram = c.Programs[name];
            var csProgram = cs.Programs[name];
            foreach (var (packetName, packet) in TwinPackets.All)
            {
                var expected = Run(cProgram, twin.Driver, packet);
                var actual = Run(csProgram, twin.Driver, packet);
                Assert.True(expected == actual, $"{name} on '{packetName}': clang {expected}, C# {actual}");
            }

            foreach (var map in twin.Maps)
            {
                var expected = TwinState.Dump(c.Maps[map]);
                Assert.True(TwinState.HasNonZeroValue(expected), $"the C twin left {map} all zero: the packets do not exercise it");
                Assert.Equal(expected, TwinState.Dump(cs.Maps[map]));
            }

            foreach (var global in twin.Globals ?? [])
                Assert.Equal(TwinState.Global(c, global), TwinState.Global(cs, global));

            foreach (var r in cRings) r.Consume(record => cRecords.Add(Convert.ToHexString(record)));
            foreach (var r in csRings) r.Consume(record => csRecords.Add(Convert.ToHexString(record)));
            // Perf samples land in the ring of the CPU that ran the program: compare as multisets.
            foreach (var r in cPerf) r.Consume((_, record) => cRecords.Add(Convert.ToHexString(record)));
            foreach (var r in csPerf) r.Consume((_, record) => csRecords.Add(Convert.ToHexString(record)));
            if (cPerf.Length > 0)
            {
                cRecords.Sort(StringComparer.Ordinal);
                csRecords.Sort(StringComparer.Ordinal);
            }

            if (cRings.Length + cPerf.Length > 0)
                Assert.NotEmpty(cRecords);
            Assert.Equal(cRecords, csRecords);
        }
        finally
        {
            foreach (var r in readers) r.Dispose();
        }
    }

    private static T Track<T>(List<IDisposable> list, T reader) where T : IDisposable
    {
        list.Add(reader);
        return reader;
    }

    /// <summary>One test run: return value, output packet and (skb programs) output context, as text.</summary>
    private static string Run(BpfProgram program, TwinDriver driver, byte[] packet)
    {
        var dataOut = new byte[packet.Length + 256];
        BpfTestRunResult result;
        string context = "";
        if (driver == TwinDriver.SkBuff)
        {
            var contextOut = new byte[SkBuffSize];
            try
            {
                result = program.TestRun(packet, dataOut, contextIn: new byte[SkBuffSize], contextOut: contextOut);
            }
            catch (BpfSyscallException e)
            {
                // The kernel validates skb input before running the program (it refuses an IPv4 packet shorter
                // than an IP header): both twins must then see the same refusal.
                return $"refused: {e.Message}";
            }

            context = " ctx " + Convert.ToHexString(contextOut.AsSpan(0, result.ContextOutLength));
        }
        else
        {
            result = program.TestRun(packet, dataOut);
        }

        return $"ret {result.ReturnValue} data {Convert.ToHexString(dataOut.AsSpan(0, result.DataOutLength))}{context}";
    }

    [LibraryImport("libc", EntryPoint = "getpid")]
    private static partial int GetPid();


    [Fact]
    public void TracingTwinRecordsTheSameGetpidCalls()
    {
        KernelObjects.RequireBpf();
        const int Calls = 5;
        var twin = Twin.Get("PidComm");
        using var c = twin.LoadC();
        using var cs = Twin.LoadCSharp();
        ulong target = ((ulong)(uint)GetPid() << 32) | (uint)NativeThread.Id();
        c.WriteVariable("TargetPidTgid", target);
        cs.WriteVariable("TargetPidTgid", target);
        using (RawTracepointLink.Attach(c.Programs["PidComm"], "sys_enter"))
        using (RawTracepointLink.Attach(cs.Programs["PidComm"], "sys_enter"))
        {
            for (int i = 0; i < Calls; i++) GetPid();
        }

        var expected = TwinState.Dump(c.Maps["GetpidRecord"]);
        Assert.Equal(expected, TwinState.Dump(cs.Maps["GetpidRecord"]));

        // The record itself against what user space knows: pid_tgid, the number of calls and the thread's comm.
        var value = Convert.FromHexString(expected.Single().Split(" = ")[1]);
        Assert.Equal(target, BitConverter.ToUInt64(value, 0));
        Assert.Equal((ulong)Calls, BitConverter.ToUInt64(value, 8));
        var comm = Encoding.ASCII.GetString(value, 16, 16).TrimEnd('\0');
        Assert.Equal(File.ReadAllText($"/proc/self/task/{NativeThread.Id()}/comm").TrimEnd('\n'), comm);
    }
}
