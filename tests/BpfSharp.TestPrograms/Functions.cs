using System.Runtime.CompilerServices;
using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms;

/// <summary>BPF-to-BPF functions: [BpfFunction] (static and global), [MethodImpl(NoInlining)], and a large method
/// called twice that the compiler makes a function on its own. Each program also runs on .NET (the oracle).
/// testdata/compiler/functions.bpf.c is the C twin of the requested functions.</summary>
public static unsafe class Functions
{
    public struct Pair
    {
        public long A;
        public long B;
    }

    public struct Counter
    {
        public long Total;

        [BpfFunction]
        public void Add(long value) => Total += value * 2;
    }

    [BpfFunction]
    private static long Mix(long x, long y) => (x * 31) + y;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Fill(Pair* p, long v)
    {
        p->A = v;
        p->B = v + 1;
    }

    [BpfFunction(Global = true)]
    public static int SumPair(Pair* p)
    {
        if (p == null)
        {
            return -1;
        }

        return (int)(p->A + p->B);
    }

    [BpfFunction]
    private static int Scale(int x, short s, byte b) => (x * s) - b;

    [BpfFunction]
    private static void MinMax(in long a, in long b, out long min, out long max)
    {
        min = a < b ? a : b;
        max = a < b ? b : a;
    }

    [BpfFunction]
    private static long Twice(long x) => Mix(x, x) + Mix(x, 1);

    [BpfFunction]
    private static bool IsOdd(long x) => (x & 1) != 0;

    [BpfFunction(Global = true)]
    public static int Classify(int value, Pair* scratch)
    {
        if (scratch == null)
        {
            return 0;
        }

        scratch->A = value;
        return IsOdd(value) ? 1 : 2;
    }

    /// <summary>Large enough, and called twice by AutoFunction, to become a function without being asked.</summary>
    private static uint Checksum(uint seed, ulong value)
    {
        var h = seed ^ 0x811c9dc5u;
        h = (h ^ (uint)(value & 0xff)) * 16777619u;
        h = (h ^ (uint)((value >> 8) & 0xff)) * 16777619u;
        h = (h ^ (uint)((value >> 16) & 0xff)) * 16777619u;
        h = (h ^ (uint)((value >> 24) & 0xff)) * 16777619u;
        h = (h ^ (uint)((value >> 32) & 0xff)) * 16777619u;
        h = (h ^ (uint)((value >> 40) & 0xff)) * 16777619u;
        h = (h ^ (uint)((value >> 48) & 0xff)) * 16777619u;
        h = (h ^ (uint)(value >> 56)) * 16777619u;
        if ((h & 1) != 0)
        {
            h ^= h >> 13;
        }
        else
        {
            h ^= h << 7;
        }

        return h;
    }

    [Xdp]
    public static int CallStatic(void* ctx) => (int)(Mix(3, 4) + Mix(-5, 6));

    [Xdp]
    public static int CallWithStackPointer(void* ctx)
    {
        Pair p;
        Fill(&p, 20);
        Fill(&p, p.B);
        return (int)((p.A * 100) + p.B);
    }

    [Xdp]
    public static int CallGlobal(void* ctx)
    {
        Pair p;
        p.A = 40;
        p.B = 2;
        return (SumPair(&p) * 10) + SumPair(null) + (Classify(7, &p) * 1000) + (int)p.A;
    }

    [Xdp]
    public static int CallNarrowArguments(void* ctx) => Scale(-7, -3, 200) + Scale(1000, 2, 1);

    [Xdp]
    public static int CallWithReferences(void* ctx)
    {
        long a = 17, b = -4;
        MinMax(in a, in b, out var min, out var max);
        MinMax(in max, in min, out var min2, out var max2);
        return (int)((min * 1000) + max + (min2 * 100) + max2);
    }

    [Xdp]
    public static int CallNested(void* ctx) => (int)(Twice(5) - Twice(-2) + (IsOdd(9) ? 1 : 0));

    [Xdp]
    public static int CallInstanceMethod(void* ctx)
    {
        var counter = default(Counter);
        counter.Add(20);
        counter.Add(1);
        return (int)counter.Total;
    }

    [Xdp]
    public static int AutoFunction(void* ctx) => (int)(Checksum(1, 0x0102030405060708) ^ Checksum(7, 0xfffefdfc));
}
