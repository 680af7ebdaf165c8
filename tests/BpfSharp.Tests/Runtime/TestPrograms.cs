using BpfSharp.Instructions;
using BpfSharp.Linux;

namespace BpfSharp.Tests.Runtime;

/// <summary>Small programs assembled by hand with the instruction factories, for attach and buffer tests.</summary>
internal static class TestPrograms
{
    private const byte R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5, R6 = 6, R10 = 10;
    private const int MapLookupElem = 1, GetCurrentPidTgid = 14, PerfEventOutput = 25, RingbufOutput = 130;

    /// <summary>An array map with one u64 counter slot per index.</summary>
    public static BpfMap Counters(int slots = 1, string name = "bpfsharp_t_cnt") =>
        BpfMap.Create(BpfMapType.Array, 4, 8, slots, name: name);

    /// <summary>Reads counter slot <paramref name="slot"/>.</summary>
    public static ulong Read(BpfMap counters, uint slot = 0) =>
        counters.TryLookup(slot, out ulong value) ? value : throw new InvalidOperationException("counter slot missing");

    /// <summary>
    /// Adds 1 to counters[0] when the current thread is <paramref name="threadId"/> (0 = any) and, if
    /// <paramref name="syscallArgOffset"/> is set, when the u64 at that context offset equals
    /// <paramref name="syscallNumber"/>. Returns <paramref name="returnValue"/>.
    /// </summary>
    public static Instruction[] Counter(BpfMap counters, int threadId = 0, int returnValue = 0, short syscallArgOffset = -1, int syscallNumber = 0)
    {
        var code = new List<Instruction>();
        var exitJumps = new List<int>();
        code.Add(Instruction.MoveRegister(R6, R1));
        if (syscallArgOffset >= 0)
        {
            code.Add(Instruction.LoadMemory(MemorySize.DoubleWord, R1, R6, syscallArgOffset));
            exitJumps.Add(code.Count);
            code.Add(Instruction.Jump(JumpOperation.Jne, R1, syscallNumber, 0));
        }
        if (threadId != 0)
        {
            code.Add(Instruction.CallHelper(GetCurrentPidTgid));
            exitJumps.Add(code.Count);
            code.Add(Instruction.Jump(JumpOperation.Jne, R0, threadId, 0, is64: false)); // low 32 bits = thread id
        }
        AppendIncrement(code, counters, 0, exitJumps);
        return Finish(code, exitJumps, returnValue);
    }

    /// <summary>
    /// For the buffer load tests: counters[0] += 1 (sent); writes a 16-byte record {sequence, magic} with
    /// bpf_ringbuf_output (or bpf_perf_event_output when <paramref name="perf"/>), and counters[1] += 1 when that
    /// fails (lost). Runs as XDP through test_run, returns XDP_PASS.
    /// </summary>
    public static Instruction[] Producer(BpfMap counters, BpfMap output, bool perf)
    {
        var code = new List<Instruction>();
        var exitJumps = new List<int>();
        code.Add(Instruction.MoveRegister(R6, R1));
        // sequence = atomic fetch-add on counters[0]
        code.Add(Instruction.StoreImmediate(MemorySize.Word, R10, -4, 0));
        code.Add(Instruction.MoveRegister(R2, R10));
        code.Add(Instruction.Alu(AluOperation.Add, R2, -4));
        AppendMap(code, R1, counters);
        code.Add(Instruction.CallHelper(MapLookupElem));
        exitJumps.Add(code.Count);
        code.Add(Instruction.Jump(JumpOperation.Jeq, R0, 0, 0));
        code.Add(Instruction.Move(R1, 1));
        code.Add(Instruction.Atomic(AtomicOperation.FetchAdd, MemorySize.DoubleWord, R0, 0, R1)); // r1 = old value
        code.Add(Instruction.StoreMemory(MemorySize.DoubleWord, R10, -24, R1));
        var (m1, m2) = Instruction.LoadImm64(R1, 0x0B5E55ED_C0FFEE00);
        code.Add(m1);
        code.Add(m2);
        code.Add(Instruction.StoreMemory(MemorySize.DoubleWord, R10, -16, R1));
        if (perf)
        {
            // bpf_perf_event_output(ctx, map, BPF_F_CURRENT_CPU, data, 16)
            code.Add(Instruction.MoveRegister(R1, R6));
            AppendMap(code, R2, output);
            var (f1, f2) = Instruction.LoadImm64(R3, 0xffffffff);
            code.Add(f1);
            code.Add(f2);
            code.Add(Instruction.MoveRegister(R4, R10));
            code.Add(Instruction.Alu(AluOperation.Add, R4, -24));
            code.Add(Instruction.Move(R5, 16));
            code.Add(Instruction.CallHelper(PerfEventOutput));
        }
        else
        {
            // bpf_ringbuf_output(map, data, 16, 0)
            AppendMap(code, R1, output);
            code.Add(Instruction.MoveRegister(R2, R10));
            code.Add(Instruction.Alu(AluOperation.Add, R2, -24));
            code.Add(Instruction.Move(R3, 16));
            code.Add(Instruction.Move(R4, 0));
            code.Add(Instruction.CallHelper(RingbufOutput));
        }
        exitJumps.Add(code.Count);
        code.Add(Instruction.Jump(JumpOperation.Jeq, R0, 0, 0)); // success: done
        AppendIncrement(code, counters, 1, exitJumps);
        return Finish(code, exitJumps, 2);
    }

    /// <summary>
    /// Adds 1 to counters[slot], where slot is what helper <paramref name="slotHelper"/> returns when called with
    /// the context in r1 (bpf_get_attach_cookie: 174, bpf_get_smp_processor_id: 8). A slot past the array is
    /// dropped by the lookup.
    /// </summary>
    public static Instruction[] SlotCounter(BpfMap counters, int slotHelper)
    {
        var code = new List<Instruction>();
        var exitJumps = new List<int>();
        code.Add(Instruction.CallHelper(slotHelper));
        code.Add(Instruction.StoreMemory(MemorySize.Word, R10, -4, R0));
        code.Add(Instruction.MoveRegister(R2, R10));
        code.Add(Instruction.Alu(AluOperation.Add, R2, -4));
        AppendMap(code, R1, counters);
        code.Add(Instruction.CallHelper(MapLookupElem));
        exitJumps.Add(code.Count);
        code.Add(Instruction.Jump(JumpOperation.Jeq, R0, 0, 0));
        code.Add(Instruction.Move(R1, 1));
        code.Add(Instruction.Atomic(AtomicOperation.Add, MemorySize.DoubleWord, R0, 0, R1));
        return Finish(code, exitJumps, 0);
    }

    /// <summary>The record magic <see cref="Producer"/> writes after the sequence number.</summary>
    public const ulong RecordMagic = 0x0B5E55ED_C0FFEE00;

    private static void AppendIncrement(List<Instruction> code, BpfMap counters, int slot, List<int> exitJumps)
    {
        code.Add(Instruction.StoreImmediate(MemorySize.Word, R10, -4, slot));
        code.Add(Instruction.MoveRegister(R2, R10));
        code.Add(Instruction.Alu(AluOperation.Add, R2, -4));
        AppendMap(code, R1, counters);
        code.Add(Instruction.CallHelper(MapLookupElem));
        exitJumps.Add(code.Count);
        code.Add(Instruction.Jump(JumpOperation.Jeq, R0, 0, 0));
        code.Add(Instruction.Move(R1, 1));
        code.Add(Instruction.Atomic(AtomicOperation.Add, MemorySize.DoubleWord, R0, 0, R1));
    }

    private static void AppendMap(List<Instruction> code, byte register, BpfMap map)
    {
        var (first, second) = Instruction.LoadImm64(register, map.FileDescriptor.RawFd, LoadImm64Source.MapFd);
        code.Add(first);
        code.Add(second);
    }

    /// <summary>Appends "r0 = ret; exit" and points every recorded jump at it.</summary>
    private static Instruction[] Finish(List<Instruction> code, List<int> exitJumps, int returnValue)
    {
        var exit = code.Count;
        code.Add(Instruction.Move(R0, returnValue));
        code.Add(Instruction.Exit());
        foreach (var at in exitJumps)
        {
            var j = code[at];
            code[at] = new Instruction(j.Opcode, j.Destination, j.Source, (short)(exit - at - 1), j.Immediate);
        }
        return code.ToArray();
    }
}
