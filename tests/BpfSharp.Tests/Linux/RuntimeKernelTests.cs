using System.Buffers.Binary;
using System.Text.Json;
using BpfSharp.Instructions;
using BpfSharp.Linux;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Linux;

/// <summary>
/// The runtime against the running kernel: every object is checked through bpftool while open and after dispose.
/// </summary>
public class RuntimeKernelTests
{
    // mov64 r0, 42; exit
    private static readonly Instruction[] Return42 =
    [
        new(0xb7, 0, 0, 0, 42),
        new(0x95, 0, 0, 0, 0),
    ];

    [Fact]
    public void LoadsBtfAndBpftoolSeesIt()
    {
        KernelObjects.RequireBpf();
        int id;
        using (var btf = KernelBtf.Load(TinyBtf.Build()))
        {
            id = btf.Id;
            Assert.True(id > 0);
            Assert.Contains(id, KernelObjects.Ids("btf"));
            // bpftool reads the types back from the kernel by id.
            var dump = KernelObjects.Bpftool("btf", "dump", "id", id.ToString());
            Assert.Contains("[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED", dump);
            Assert.Contains("[2] STRUCT 'pair' size=8 vlen=2", dump);
        }
        KernelObjects.AssertGone("btf", id);
    }

    [Fact]
    public void RejectedBtfCarriesTheKernelLog()
    {
        KernelObjects.RequireBpf();
        var e = Assert.Throws<BpfSyscallException>(() => KernelBtf.Load(TinyBtf.Build(memberTypeId: 99)));
        Assert.Equal(BpfCommand.BtfLoad, e.Command);
        Assert.Equal(22, e.Errno); // EINVAL
        Assert.NotNull(e.Log);
        Assert.Contains("Invalid member", e.Log);
        Assert.StartsWith("BPF_BTF_LOAD failed: EINVAL", e.Message);
    }

    [Fact]
    public void ArrayMapUpdateLookupAgreesWithBpftool()
    {
        KernelObjects.RequireBpf();
        int id;
        using (var map = BpfMap.Create(BpfMapType.Array, sizeof(uint), sizeof(ulong), 8, name: "bpfsharp_arr"))
        {
            id = map.Id;
            map.Update(3u, 0x1122334455667788ul);
            Assert.True(map.TryLookup(3u, out ulong value));
            Assert.Equal(0x1122334455667788ul, value);
            Assert.True(map.TryLookup(0u, out value));
            Assert.Equal(0ul, value); // array slots start zeroed
            Assert.False(map.TryLookup(8u, out value)); // past max_entries: ENOENT
            var e = Assert.Throws<BpfSyscallException>(() => map.Delete(BitConverter.GetBytes(3u)));
            Assert.Equal(22, e.Errno); // arrays cannot delete

            // bpftool reads the element through its own syscalls.
            using var doc = JsonDocument.Parse(KernelObjects.Bpftool("-j", "map", "lookup", "id", id.ToString(), "key", "3", "0", "0", "0"));
            var bytes = doc.RootElement.GetProperty("value").EnumerateArray().Select(v => Convert.ToByte(v.GetString(), 16)).ToArray();
            Assert.Equal(0x1122334455667788ul, BinaryPrimitives.ReadUInt64LittleEndian(bytes));

            using var info = JsonDocument.Parse(KernelObjects.Bpftool("-j", "map", "show", "id", id.ToString()));
            Assert.Equal("array", info.RootElement.GetProperty("type").GetString());
            Assert.Equal("bpfsharp_arr", info.RootElement.GetProperty("name").GetString());
            Assert.Equal(8, info.RootElement.GetProperty("max_entries").GetInt32());
        }
        KernelObjects.AssertGone("map", id);
    }

    [Fact]
    public void HashMapDeleteAndIteration()
    {
        KernelObjects.RequireBpf();
        using var map = BpfMap.Create(BpfMapType.Hash, sizeof(int), sizeof(int), 16);
        for (var k = 1; k <= 5; k++) map.Update(k, k * 10);
        var e = Assert.Throws<BpfSyscallException>(() => map.Update(1, 0, BpfMapUpdateFlags.NoExist));
        Assert.Equal(17, e.Errno); // EEXIST

        var keys = new List<int>();
        Span<byte> key = stackalloc byte[4], next = stackalloc byte[4];
        var hasKey = map.TryGetNextKey(default, next);
        while (hasKey)
        {
            keys.Add(BitConverter.ToInt32(next));
            next.CopyTo(key);
            hasKey = map.TryGetNextKey(key, next);
        }
        Assert.Equal([1, 2, 3, 4, 5], keys.Order());

        Assert.True(map.Delete(BitConverter.GetBytes(3)));
        Assert.False(map.Delete(BitConverter.GetBytes(3)));
        Assert.False(map.TryLookup(3, out int _));
        Assert.True(map.TryLookup(4, out int four));
        Assert.Equal(40, four);
    }

    [Fact]
    public void MapWithBtfKeyAndValueTypes()
    {
        KernelObjects.RequireBpf();
        using var btf = KernelBtf.Load(TinyBtf.Build());
        int id;
        using (var map = BpfMap.Create(BpfMapType.Hash, 4, 8, 4, name: "typed", btf: btf,
                   btfKeyTypeId: TinyBtf.IntTypeId, btfValueTypeId: TinyBtf.PairTypeId))
        {
            id = map.Id;
            map.Update(7, (5L << 32) | 6);
            // With BTF, bpftool prints the value as the struct it is.
            using var doc = JsonDocument.Parse(KernelObjects.Bpftool("-j", "map", "dump", "id", id.ToString()));
            var entry = doc.RootElement.EnumerateArray().Single();
            var formatted = entry.GetProperty("formatted");
            Assert.Equal(7, formatted.GetProperty("key").GetInt32());
            Assert.Equal(6, formatted.GetProperty("value").GetProperty("a").GetInt32());
            Assert.Equal(5, formatted.GetProperty("value").GetProperty("b").GetInt32());
        }
        KernelObjects.AssertGone("map", id);

        // The kernel checks the BTF value size against value_size.
        var e = Assert.Throws<BpfSyscallException>(() => BpfMap.Create(BpfMapType.Hash, 4, 4, 4, btf: btf,
            btfKeyTypeId: TinyBtf.IntTypeId, btfValueTypeId: TinyBtf.PairTypeId));
        Assert.Equal(BpfCommand.MapCreate, e.Command);
    }

    [Fact]
    public void SocketFilterReturns42ThroughTestRun()
    {
        KernelObjects.RequireBpf();
        int id;
        using (var prog = BpfProgram.Load(BpfProgramType.SocketFilter, Return42, "GPL", new BpfProgramLoadOptions { Name = "ret42" }))
        {
            id = prog.Id;
            Assert.Null(prog.VerifierLog);
            var packet = new byte[64];
            for (var i = 0; i < packet.Length; i++) packet[i] = (byte)i;
            var output = new byte[128];
            var result = prog.TestRun(packet, output, repeat: 10);
            Assert.Equal(42u, result.ReturnValue);
            Assert.Equal(packet.Length, result.DataOutLength);
            // The payload comes back; the kernel re-creates the Ethernet header zeroed for non-L2 program types.
            Assert.Equal(packet[14..], output[14..packet.Length]);
            Assert.All(output[..14], b => Assert.Equal(0, b));

            using var info = JsonDocument.Parse(KernelObjects.Bpftool("-j", "prog", "show", "id", id.ToString()));
            Assert.Equal("socket_filter", info.RootElement.GetProperty("type").GetString());
            Assert.Equal("ret42", info.RootElement.GetProperty("name").GetString());
            // bpftool's translated dump shows the instructions the kernel holds.
            var xlated = KernelObjects.Bpftool("prog", "dump", "xlated", "id", id.ToString());
            Assert.Contains("r0 = 42", xlated);
            Assert.Contains("exit", xlated);
        }
        KernelObjects.AssertGone("prog", id);
    }

    [Fact]
    public void FuncInfoAndLineInfoReachTheKernel()
    {
        KernelObjects.RequireBpf();
        using var btf = KernelBtf.Load(TinyBtf.BuildWithFunction(out var fileName, out var line));
        // struct bpf_func_info { u32 insn_off; u32 type_id; }
        var funcInfo = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(funcInfo.AsSpan(4), TinyBtf.FuncTypeId);
        // struct bpf_line_info { u32 insn_off; u32 file_name_off; u32 line_off; u32 line_col; } for both instructions
        var lineInfo = new byte[32];
        for (var i = 0; i < 2; i++)
        {
            var record = lineInfo.AsSpan(i * 16);
            BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)i);
            BinaryPrimitives.WriteUInt32LittleEndian(record[4..], fileName);
            BinaryPrimitives.WriteUInt32LittleEndian(record[8..], line);
            BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (7u << 10) | 2); // line 7, column 2
        }
        using var prog = BpfProgram.Load(BpfProgramType.SocketFilter, Return42, "GPL",
            new BpfProgramLoadOptions { Btf = btf, FuncInfo = funcInfo, LineInfo = lineInfo });
        Assert.Equal(42u, prog.TestRun(new byte[64]).ReturnValue);

        using var info = JsonDocument.Parse(KernelObjects.Bpftool("-j", "prog", "show", "id", prog.Id.ToString()));
        Assert.Equal(btf.Id, info.RootElement.GetProperty("btf_id").GetInt32());
        // bpftool prints the function from func_info and the source line from line_info.
        var xlated = KernelObjects.Bpftool("prog", "dump", "xlated", "id", prog.Id.ToString());
        Assert.Contains("int ret42(void * ctx):", xlated);
        Assert.Contains("; " + TinyBtf.SourceLine, xlated);

        // A func_info pointing at a non-function type is refused, and the log says why.
        BinaryPrimitives.WriteUInt32LittleEndian(funcInfo.AsSpan(4), TinyBtf.IntTypeId);
        var e = Assert.Throws<BpfSyscallException>(() => BpfProgram.Load(BpfProgramType.SocketFilter, Return42, "GPL",
            new BpfProgramLoadOptions { Btf = btf, FuncInfo = funcInfo }));
        Assert.Equal(BpfCommand.ProgLoad, e.Command);
        Assert.NotNull(e.Log);
        Assert.Contains("invalid type id 1 in func info", e.Log);
    }

    [Fact]
    public void RequestedVerifierLogIsKeptOnSuccess()
    {
        KernelObjects.RequireBpf();
        using var prog = BpfProgram.Load(BpfProgramType.SocketFilter, Return42, options: new BpfProgramLoadOptions { LogLevel = 2, LogSize = 4096 });
        Assert.NotNull(prog.VerifierLog);
        Assert.Contains("r0 = 42", prog.VerifierLog); // the verbose log echoes each instruction
    }

    [Fact]
    public void VerifierRejectionCarriesTheVerifierLog()
    {
        KernelObjects.RequireBpf();
        // exit without setting r0
        Instruction[] bad = [new(0x95, 0, 0, 0, 0)];
        var e = Assert.Throws<BpfSyscallException>(() => BpfProgram.Load(BpfProgramType.SocketFilter, bad));
        Assert.Equal(BpfCommand.ProgLoad, e.Command);
        Assert.Equal(13, e.Errno); // EACCES
        Assert.Equal("EACCES", e.ErrnoName);
        Assert.NotNull(e.Log);
        Assert.Contains("R0 !read_ok", e.Log);
        Assert.Contains("R0 !read_ok", e.Message); // the message quotes the log's last lines
    }

    [Fact]
    public void TruncatedLogIsGrownUntilTheWholeLogFits()
    {
        KernelObjects.RequireBpf();
        // 2000 instructions of verbose log overflow a 128-byte buffer many times over.
        var insns = new List<Instruction>();
        for (var i = 0; i < 2000; i++) insns.Add(new(0xb7, 0, 0, 0, i));
        insns.Add(new(0x95, 0, 0, 0, 0));
        using var prog = BpfProgram.Load(BpfProgramType.SocketFilter, insns.ToArray(), options: new BpfProgramLoadOptions { LogLevel = 2, LogSize = 128 });
        Assert.NotNull(prog.VerifierLog);
        Assert.Contains("r0 = 1999", prog.VerifierLog);
        Assert.Contains("processed 2001 insns", prog.VerifierLog);
    }

    [Fact]
    public void DisposedHandlesAreRejected()
    {
        KernelObjects.RequireBpf();
        var map = BpfMap.Create(BpfMapType.Array, 4, 4, 1);
        map.Dispose();
        Assert.Throws<ObjectDisposedException>(() => map.Update(0, 1));
    }

    [Fact]
    public void ArgumentsAreCheckedBeforeTheSyscall()
    {
        KernelObjects.RequireBpf();
        using var map = BpfMap.Create(BpfMapType.Array, 4, 8, 1);
        Assert.Throws<ArgumentException>(() => map.TryLookup(new byte[3], new byte[8]));
        Assert.Throws<ArgumentException>(() => map.TryLookup(new byte[4], new byte[4]));
        Assert.Throws<ArgumentException>(() => BpfMap.Create(BpfMapType.Array, 4, 4, 1, name: "bad name!"));
    }
}
