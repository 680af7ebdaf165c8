using System.Runtime.InteropServices;
using BpfSharp.Compiler;
using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Linux.RingBuffer;
using BpfSharp.Objects;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.CompilerIntegration;

/// <summary>
/// The user ring buffer (#14 F2): records produced from C# with <see cref="UserRingBufferWriter"/> are drained by a
/// C#-compiled program (<c>UserRingBuffer.Drain</c> with a callback reading each record through its dynptr), run with
/// BPF_PROG_TEST_RUN; the program's count and sums, read back from a map, are what was written, discarded records
/// skipped.
/// </summary>
public sealed class UserRingBufferTests
{
    private const string Source = """
        using BpfSharp.Kernel;

        [assembly: License("GPL")]

        public struct UrbOrder
        {
            public uint Id;
            public uint Amount;
        }

        public struct UrbTotals
        {
            public ulong Amount;
            public ulong IdBits;
        }

        public static unsafe class UserRingPrograms
        {
            static readonly UserRingBuffer UrbOrders = new(size: 4096);
            static readonly ArrayMap<long> UrbResults = new(maxEntries: 3);

            static long TakeOrder(void* dynptr, void* context)
            {
                UrbOrder order;
                if (Bpf.DynptrRead(&order, (uint)sizeof(UrbOrder), dynptr, 0, 0) != 0)
                    return 1;
                UrbTotals* totals = (UrbTotals*)context;
                totals->Amount += order.Amount;
                totals->IdBits |= 1UL << (int)(order.Id & 63);
                return 0;
            }

            [Xdp]
            public static int DrainOrders(XdpMd* ctx)
            {
                UrbTotals totals = default;
                long drained = UrbOrders.Drain(&TakeOrder, &totals);
                UrbResults.Update(0, drained);
                UrbResults.Update(1, (long)totals.Amount);
                UrbResults.Update(2, (long)totals.IdBits);
                return 2;
            }
        }
        """;

    [StructLayout(LayoutKind.Sequential)]
    private struct Order
    {
        public uint Id;
        public uint Amount;
    }

    [Fact]
    public void RecordsWrittenFromCSharpAreDrainedByTheProgram()
    {
        var compilation = BpfSourceCompiler.Compile("UserRingPrograms", Source);
        Assert.True(compilation.Success, string.Join("\n", compilation.Diagnostics));
        var spec = ObjectSpec.Read(compilation.Object!, "userring.bpf.o");
        var declared = spec.Maps.Single(m => m.Name == "UrbOrders");
        Assert.Equal((BpfMapType.UserRingBuf, 0u, 0u, 4096u), (declared.Type, declared.KeySize, declared.ValueSize, declared.MaxEntries));

        KernelObjects.RequireBpf();
        using var collection = BpfCollection.Load(spec);
        using var writer = new UserRingBufferWriter(collection.Maps["UrbOrders"]);
        Assert.Equal(4096, writer.Size);
        Assert.Equal(4096, writer.AvailableBytes);

        var orders = new[] { new Order { Id = 3, Amount = 100 }, new Order { Id = 7, Amount = 20 }, new Order { Id = 40, Amount = 5 } };
        foreach (var order in orders) Assert.True(writer.TryWrite(order));
        // A discarded record is skipped by the kernel.
        Assert.True(writer.TryReserve(8, out var dropped));
        MemoryMarshal.Write(dropped, new Order { Id = 9, Amount = 1000 });
        writer.Discard(dropped);
        Assert.Equal(4096 - 4 * 16, writer.AvailableBytes);

        var results = collection.Maps["UrbResults"];
        long Result(uint slot) => results.TryLookup(slot, out long v) ? v : -1;
        Assert.Equal(2u, collection.Programs["DrainOrders"].TestRun(new byte[64]).ReturnValue);
        Assert.Equal(orders.Length, Result(0));
        Assert.Equal(orders.Sum(o => (long)o.Amount), Result(1));
        Assert.Equal(orders.Aggregate(0L, (bits, o) => bits | (1L << (int)(o.Id & 63))), Result(2));
        Assert.Equal(4096, writer.AvailableBytes); // the kernel consumed all four

        // Nothing new: the next run drains nothing.
        collection.Programs["DrainOrders"].TestRun(new byte[64]);
        Assert.Equal(0, Result(0));

        // A full ring refuses a reservation instead of overwriting what the program has not drained.
        var written = 0;
        while (writer.TryWrite(new Order { Id = 1, Amount = 1 })) written++;
        Assert.Equal(4096 / 16, written);
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.TryReserve(4096, out _));
        collection.Programs["DrainOrders"].TestRun(new byte[64]);
        Assert.Equal(written, Result(0));
    }
}
