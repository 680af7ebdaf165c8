using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms;

/// <summary>
/// The C# twin of testdata/usdt/usdt_args.bpf.c: records the argument count, USDT cookie and every argument of
/// each (probe, round) with <see cref="Usdt"/>, attached from user space (<c>BpfObject.AttachUsdt</c>).
/// </summary>
public static unsafe class UsdtReader
{
    public struct UsdtRecord
    {
        public long Count;
        public long Cookie;
        public long Hits;
        public fixed long Args[12];
        public fixed int Errors[12];
    }

    public static readonly ArrayMap<UsdtRecord> CsUsdtRecords = new(maxEntries: 32);

    [Usdt]
    public static int CsUsdtPlain(PtRegs* ctx) => Record(ctx, 0, 0);

    [Usdt]
    public static int CsUsdtPlainMem(PtRegs* ctx) => Record(ctx, 1, 3);

    [Usdt]
    public static int CsUsdtGated(PtRegs* ctx) => Record(ctx, 2, 0);

    [Usdt]
    public static int CsUsdtLib(PtRegs* ctx) => Record(ctx, 3, 0);

    private static int Record(PtRegs* ctx, uint probe, ulong roundArg)
    {
        long round = 0;
        Usdt.Arg(ctx, roundArg, &round);
        UsdtRecord* r = CsUsdtRecords.Lookup(probe * 8 + (uint)(round & 7));
        if (r == null) return 0;
        r->Count = Usdt.ArgCount(ctx);
        r->Cookie = Usdt.Cookie(ctx);
        r->Hits += 1;
        for (int i = 0; i < 12; i++)
        {
            r->Errors[i] = Usdt.Arg(ctx, (ulong)i, &r->Args[i]);
        }
        return 0;
    }
}
