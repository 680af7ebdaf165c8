using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms;

/// <summary>
/// Pure computations that run both on .NET (the oracle) and as XDP programs under BPF_PROG_TEST_RUN:
/// their return values must agree bit for bit. Each exercises one part of C# semantics.
/// </summary>
public static unsafe class Semantics
{
    private static readonly int Seven = 7;
    private static readonly long Big = 0x1234_5678_9abc_def0;
    private static int s_counter;
    private static int s_shapeZero; // never written: a run-time 0
    private static long s_initialised = 41;

    public struct Point
    {
        public int X;
        public int Y;
        public long Z;
    }

    public struct WithBuffer
    {
        public int Length;
        public fixed byte Data[12];
    }

    [Xdp] public static int Int32Arithmetic(void* ctx) { int a = -17, b = 5; return a * b + a / b - a % b + (a << 3) + (a >> 2) + (int)((uint)a >> 5); }
    [Xdp] public static int UInt32Arithmetic(void* ctx) { uint a = 0xfffffff0, b = 7; return (int)(a / b + a % b + (a >> 3) + a * b); }
    [Xdp] public static int Int64Arithmetic(void* ctx) { long a = -123456789012, b = 97; long r = a / b + a % b + (a >> 7) + (a << 9) + a * b; return (int)(r ^ (r >> 32)); }
    [Xdp] public static int UInt64Arithmetic(void* ctx) { ulong a = 0xfedc_ba98_7654_3210, b = 1_000_003; ulong r = a / b + a % b + (a >> 13) + a * b; return (int)(r ^ (r >> 32)); }
    [Xdp] public static int Narrowing(void* ctx) { int x = 0x1234_56ff; sbyte s = (sbyte)x; byte u = (byte)x; short h = (short)(x >> 4); ushort uh = (ushort)(x >> 4); return s + u * 3 + h + uh; }
    [Xdp] public static int Widening(void* ctx) { int n = -5; uint m = 0xffff_fff0; long a = n; ulong b = m; long c = (long)(ulong)(uint)n; return (int)((a + (long)b + c) >> 3); }
    [Xdp] public static int SignedCompares(void* ctx) { int r = 0; int a = -1, b = 1; if (a < b) r |= 1; if ((uint)a > (uint)b) r |= 2; long la = -1, lb = 1; if (la < lb) r |= 4; if ((ulong)la > (ulong)lb) r |= 8; if (a <= -1) r |= 16; if (a >= 0) r |= 32; return r; }
    [Xdp] public static int Booleans(void* ctx) { int a = 3, b = 9; bool lt = a < b; bool eq = a == b; bool both = lt & !eq; int r = (lt ? 1 : 0) + (eq ? 10 : 0) + (both ? 100 : 0); return r + (a > b == false ? 1000 : 0); }
    [Xdp] public static int Ternaries(void* ctx) { int x = 12; int y = x > 10 ? x * 2 : x - 2; int z = (x & 1) == 0 ? (y > 20 ? 1 : 2) : 3; return y * 10 + z; }
    [Xdp] public static int Loops(void* ctx) { int sum = 0; for (int i = 0; i < 20; i++) { if (i % 3 == 0) continue; if (i > 17) break; sum += i * i; } int j = 100; while (j > 3) j /= 2; do { sum += j; j--; } while (j > 0); return sum; }
    [Xdp] public static int NestedLoops(void* ctx) { int acc = 0; for (int i = 0; i < 6; i++) for (int k = i; k < 6; k++) acc += i ^ k; return acc; }
    [Xdp]
    public static int Switch(void* ctx)
    {
        int total = 0;
        for (int i = 0; i < 8; i++)
        {
            switch (i)
            {
                case 0: total += 1; break;
                case 1: total += 10; break;
                case 2: case 3: total += 100; break;
                case 5: total += 1000; break;
                default: total += 7; break;
            }
        }

        return total;
    }

    [Xdp] public static int StructLocals(void* ctx) { Point p; p.X = 3; p.Y = -4; p.Z = 1L << 40; Point q = p; q.X += 10; return q.X * 100 + p.X * 10 + q.Y + (int)(q.Z >> 38); }
    [Xdp] public static int StructDefault(void* ctx) { var p = new Point(); p.Y = 9; var q = default(Point); return p.X + p.Y + (int)p.Z + q.X + q.Y; }
    [Xdp] public static int FixedBuffer(void* ctx) { WithBuffer w = default; for (int i = 0; i < 12; i++) w.Data[i] = (byte)(i * 7); w.Length = 12; int sum = 0; for (int i = 0; i < w.Length; i++) sum += w.Data[i]; return sum; }
    [Xdp] public static int StackAlloc(void* ctx) { byte* buf = stackalloc byte[16]; for (int i = 0; i < 16; i++) buf[i] = (byte)(255 - i); uint* words = (uint*)buf; return (int)(words[0] ^ words[3]); }
    [Xdp] public static int Pointers(void* ctx) { long v = 5; long* p = &v; *p += 37; int* halves = (int*)p; halves[1] = 1; return (int)(v >> 32) * 1000 + (int)v; }
    [Xdp] public static int Inlining(void* ctx) => Add3(1, 2, 3) * Square(4) + Clamp(-50) + Clamp(500);
    [Xdp] public static int RefOutParams(void* ctx) { int a = 1; Bump(ref a); Bump(ref a); MakePair(a, out int lo, out int hi); return a * 100 + lo * 10 + hi; }
    [Xdp] public static int StructParam(void* ctx) { Point p = new() { X = 6, Y = 7 }; return Manhattan(p) + Manhattan(in p, 2); }
    [Xdp] public static int MultipleReturns(void* ctx) => Sign(-9) * 100 + Sign(0) * 10 + Sign(9) + Classify(3) + Classify(30);
    [Xdp] public static int ReadOnlyGlobals(void* ctx) => Seven * 3 + (int)(Big >> 40);
    [Xdp] public static int MutableGlobals(void* ctx) { s_counter = 5; s_counter += 2; s_initialised++; return s_counter * 100 + (int)s_initialised; }
    [Xdp] public static int ByteSwap(void* ctx) => (int)System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(0x11223344u) + System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((ushort)0xaabb);
    [Xdp] public static int Atomics(void* ctx) { long v = 10; long r1 = System.Threading.Interlocked.Add(ref v, 5); long r2 = System.Threading.Interlocked.Exchange(ref v, 100); long r3 = System.Threading.Interlocked.CompareExchange(ref v, 7, 100); return (int)(r1 * 1000 + r2 * 10 + r3 + v); }
    [Xdp] public static int ManyLiveValues(void* ctx) { int a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8, i = 9, j = 10, k = 11, l = 12; for (int n = 0; n < 3; n++) { a += b; b += c; c += d; d += e; e += f; f += g; g += h; h += i; i += j; j += k; k += l; l += a; } return a ^ b ^ c ^ d ^ e ^ f ^ g ^ h ^ i ^ j ^ k ^ l; }
    // Code-shape passes: a stack slot written through a pointer after a store is not forwarded from the stored
    // register; a 4-byte slot read back is zero-extended; a sign-extended index scaled by a shift stays signed.
    [Xdp] public static int SlotWrittenThroughPointer(void* ctx) { long k = 5 + s_shapeZero; long* p = &k; long before = k; *p = 9; return (int)(before * 100 + k); }
    [Xdp] public static int NarrowSlotReadBack(void* ctx) { ulong big = (ulong)Big; uint key = (uint)big; uint* pk = &key; if (pk == null) return -1; ulong back = key; return (int)(back >> 16) ^ (int)(back >> 40); }
    [Xdp] public static int NegativeScaledIndex(void* ctx) { int i = s_shapeZero - 3; long o = (long)i * 8; return (int)(o >> 1) ^ (int)(o >> 40); }

    private static int Add3(int a, int b, int c) => a + b + c;
    private static int Square(int x) => x * x;
    private static int Clamp(int x) => x < 0 ? 0 : x > 100 ? 100 : x;
    private static void Bump(ref int x) => x += 3;
    private static void MakePair(int x, out int lo, out int hi) { lo = x % 10; hi = x / 10; }
    private static int Manhattan(Point p) => (p.X < 0 ? -p.X : p.X) + (p.Y < 0 ? -p.Y : p.Y);
    private static int Manhattan(in Point p, int scale) => (p.X + p.Y) * scale;
    private static int Sign(int x) { if (x < 0) return -1; if (x == 0) return 0; return 1; }
    private static int Classify(int x) { switch (x) { case 3: return 5000; case 30: return 70000; default: return 0; } }
}
