using BpfSharp.Compiler.Ir;
using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Backend;

/// <summary>
/// Value-range analysis: the interval of signed 64-bit values each register can hold at each point, from constants,
/// zero-extending loads and 32-bit operations, masks, shifts and the comparisons that guard a block (a loop index
/// tested against a constant, an unsigned bound check). Loops are handled by widening a growing bound to the next of
/// 2³¹−1, 2³²−1 and 2⁶³−1 (and 0, −2³¹, −2⁶³ below), so <c>for (int i = 0; i &lt; 20; i++)</c> gives
/// <c>i</c> ∈ [0, 19] in the body. Used to drop the sign extension of an <c>int</c> whose value already is its own
/// sign extension (<c>i</c> ∈ [−2³¹, 2³¹−1] as a 64-bit value): the extension becomes a move, which the register
/// allocator usually removes, and an index scaled to a byte offset is one shift instead of three instructions.
/// </summary>
internal static class ValueRanges
{
    private readonly record struct Range(long Lo, long Hi)
    {
        public static readonly Range Full = new(long.MinValue, long.MaxValue);
        public static readonly Range U32 = new(0, uint.MaxValue);

        public bool Within(long lo, long hi) => Lo >= lo && Hi <= hi;

        public Range Union(Range o) => new(Math.Min(Lo, o.Lo), Math.Max(Hi, o.Hi));
    }

    // A loop whose entry test was threaded away (BranchThreading: the index starts at a known constant) is tested
    // only where it closes, and a widened index plus one no longer fits an int there, so the bound is lost. Letting
    // a loop head grow one step per visit for a while first settles loops of up to this many iterations exactly.
    private const int WidenAfter = 40;
    private const int MaxRounds = 200;

    public static void Run(IrFunction fn)
    {
        if (fn.Blocks.Count == 0)
        {
            return;
        }

        var order = GlobalAddressReuse.ReversePostOrder(fn);
        var entryState = new Dictionary<IrBlock, Dictionary<int, Range>>();
        var visits = new Dictionary<IrBlock, int>();
        var edgeOut = new Dictionary<(IrBlock From, IrBlock To), Dictionary<int, Range>>();
        var predecessors = new Dictionary<IrBlock, List<IrBlock>>();
        foreach (var block in order)
        {
            foreach (var s in block.Successors)
            {
                if (!predecessors.TryGetValue(s, out var list))
                {
                    predecessors[s] = list = [];
                }

                if (!list.Contains(block))
                {
                    list.Add(block);
                }
            }
        }

        // Widening only where a loop closes (a block entered by a back edge): elsewhere the bounds a branch
        // proved (the index below 20 in the loop body) must survive.
        var position = new Dictionary<IrBlock, int>();
        for (var k = 0; k < order.Count; k++)
        {
            position[order[k]] = k;
        }

        var loopHeads = order.Where(b => predecessors.GetValueOrDefault(b)?.Any(p => position[p] >= position[b]) == true).ToHashSet();

        var changed = true;
        for (var round = 0; changed && round < MaxRounds; round++)
        {
            changed = false;
            foreach (var block in order)
            {
                var state = Join(block, fn.Blocks[0], predecessors, edgeOut);
                if (state is null)
                {
                    continue; // no predecessor reached yet
                }

                if (entryState.TryGetValue(block, out var old))
                {
                    visits[block] = visits.GetValueOrDefault(block) + 1;
                    if (visits[block] >= WidenAfter && loopHeads.Contains(block))
                    {
                        state = Widen(old, state);
                    }

                    if (Same(old, state))
                    {
                        continue;
                    }
                }

                entryState[block] = state;
                changed = true;
                var current = new Dictionary<int, Range>(state);
                foreach (var i in block.Instructions)
                {
                    Transfer(i, current);
                }

                foreach (var s in block.Successors)
                {
                    edgeOut[(block, s)] = Refine(block, s, current);
                }
            }
        }

        if (changed)
        {
            return; // did not settle: change nothing
        }

        foreach (var block in order)
        {
            if (!entryState.TryGetValue(block, out var state))
            {
                continue;
            }

            var current = new Dictionary<int, Range>(state);
            foreach (var i in block.Instructions)
            {
                if (i.Op == IrOp.SignExtend32 && i.A >= 0 && Get(current, i.A).Within(int.MinValue, int.MaxValue))
                {
                    i.Op = IrOp.Mov; // the 64-bit value already is the extension of its low half
                }

                Transfer(i, current);
            }
        }
    }

    private static Range Get(Dictionary<int, Range> state, int r) => state.TryGetValue(r, out var v) ? v : Range.Full;

    private static void Set(Dictionary<int, Range> state, int r, Range v)
    {
        if (v == Range.Full)
        {
            state.Remove(r);
        }
        else
        {
            state[r] = v;
        }
    }

    // The state on entry to a block: the union over the edges into it (a register unknown on one is unknown).
    private static Dictionary<int, Range>? Join(IrBlock block, IrBlock entry, Dictionary<IrBlock, List<IrBlock>> predecessors,
        Dictionary<(IrBlock, IrBlock), Dictionary<int, Range>> edgeOut)
    {
        if (block == entry)
        {
            return [];
        }

        Dictionary<int, Range>? result = null;
        foreach (var p in predecessors.GetValueOrDefault(block) ?? [])
        {
            if (!edgeOut.TryGetValue((p, block), out var incoming))
            {
                continue;
            }

            if (result is null)
            {
                result = new(incoming);
                continue;
            }

            foreach (var r in result.Keys.ToList())
            {
                if (incoming.TryGetValue(r, out var v))
                {
                    Set(result, r, result[r].Union(v));
                }
                else
                {
                    result.Remove(r);
                }
            }
        }

        return result;
    }

    private static Dictionary<int, Range> Widen(Dictionary<int, Range> old, Dictionary<int, Range> next)
    {
        var result = new Dictionary<int, Range>();
        foreach (var (r, v) in next)
        {
            if (!old.TryGetValue(r, out var o))
            {
                continue; // was unknown: stays unknown
            }

            var lo = v.Lo < o.Lo ? (v.Lo >= 0 ? 0 : v.Lo >= int.MinValue ? int.MinValue : long.MinValue) : v.Lo;
            var hi = v.Hi > o.Hi ? (v.Hi <= int.MaxValue ? int.MaxValue : v.Hi <= uint.MaxValue ? uint.MaxValue : long.MaxValue) : v.Hi;
            Set(result, r, new Range(Math.Min(lo, o.Lo), Math.Max(hi, o.Hi)));
        }

        return result;
    }

    private static bool Same(Dictionary<int, Range> a, Dictionary<int, Range> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static void Transfer(IrInstruction i, Dictionary<int, Range> state)
    {
        var defs = new List<int>();
        RegisterAllocator.Defs(i, defs);
        var result = i.CoRe is null ? Evaluate(i, state) : Range.Full; // the loader may patch CO-RE immediates and sizes
        foreach (var d in defs)
        {
            Set(state, d, d == i.Dst ? result : Range.Full);
        }
    }

    private static Range Evaluate(IrInstruction i, Dictionary<int, Range> state)
    {
        switch (i.Op)
        {
            case IrOp.Mov:
                return i.HasImmediate ? new Range(i.Immediate, i.Immediate) : i.A >= 0 ? Get(state, i.A) : Range.Full;
            case IrOp.Mov32:
            {
                var a = i.HasImmediate ? new Range((uint)i.Immediate, (uint)i.Immediate) : i.A >= 0 ? Get(state, i.A) : Range.Full;
                return a.Within(0, uint.MaxValue) ? a : Range.U32;
            }

            case IrOp.SignExtend32:
            {
                var a = i.A >= 0 ? Get(state, i.A) : Range.Full;
                return a.Within(int.MinValue, int.MaxValue) ? a : new Range(int.MinValue, int.MaxValue);
            }

            case IrOp.Load or IrOp.KernelLoad when !i.Signed:
                return i.Size switch
                {
                    MemorySize.Byte => new Range(0, byte.MaxValue),
                    MemorySize.HalfWord => new Range(0, ushort.MaxValue),
                    MemorySize.Word => Range.U32,
                    _ => Range.Full,
                };
            case IrOp.SetCondition:
                return new Range(0, 1);
            case IrOp.Binary:
            {
                var a = i.A >= 0 ? Get(state, i.A) : Range.Full;
                var b = i.HasImmediate ? new Range(i.Immediate, i.Immediate) : i.B >= 0 ? Get(state, i.B) : Range.Full;
                if (i.Is64)
                {
                    return Binary(i.Alu, a, b);
                }

                // 32-bit: the 64-bit result is exact when both operands are their own low halves and it fits.
                if (!i.HasImmediate || i.Immediate >= 0)
                {
                    if (a.Within(0, uint.MaxValue) && b.Within(0, uint.MaxValue)
                        && (i.Alu != AluOperation.Arsh || a.Within(0, int.MaxValue)))
                    {
                        var r = Binary(i.Alu == AluOperation.Arsh ? AluOperation.Rsh : i.Alu, a, b);
                        if (r.Within(0, uint.MaxValue))
                        {
                            return r;
                        }
                    }
                }

                return Range.U32;
            }

            default:
                return Range.Full;
        }
    }

    private static Range Binary(AluOperation op, Range a, Range b)
    {
        switch (op)
        {
            case AluOperation.Add:
                return Exact((Int128)a.Lo + b.Lo, (Int128)a.Hi + b.Hi);
            case AluOperation.Sub:
                return Exact((Int128)a.Lo - b.Hi, (Int128)a.Hi - b.Lo);
            case AluOperation.Mul when a.Lo >= 0 && b.Lo >= 0:
                return Exact((Int128)a.Lo * b.Lo, (Int128)a.Hi * b.Hi);
            case AluOperation.And when a.Lo >= 0 || b.Lo >= 0:
                // Masking with a non-negative value bounds the result by it.
                return new Range(0, a.Lo >= 0 && b.Lo >= 0 ? Math.Min(a.Hi, b.Hi) : a.Lo >= 0 ? a.Hi : b.Hi);
            case AluOperation.Or when a.Lo >= 0 && b.Lo >= 0:
                return new Range(Math.Max(a.Lo, b.Lo), BitMask(Math.Max(a.Hi, b.Hi)));
            case AluOperation.Rsh when b.Lo == b.Hi && b.Lo is > 0 and < 64:
                return a.Lo >= 0 ? new Range(a.Lo >> (int)b.Lo, a.Hi >> (int)b.Lo) : new Range(0, (long)(ulong.MaxValue >> (int)b.Lo));
            case AluOperation.Arsh when b.Lo == b.Hi && b.Lo is >= 0 and < 64:
                return new Range(a.Lo >> (int)b.Lo, a.Hi >> (int)b.Lo);
            case AluOperation.Lsh when b.Lo == b.Hi && b.Lo is >= 0 and < 63 && a.Lo >= 0:
                return Exact((Int128)a.Lo << (int)b.Lo, (Int128)a.Hi << (int)b.Lo);
            case AluOperation.Div when a.Lo >= 0 && b.Lo > 0:
                return new Range(a.Lo / b.Hi, a.Hi / b.Lo);
            case AluOperation.Mod when a.Lo >= 0 && b.Lo > 0:
                return new Range(0, Math.Min(a.Hi, b.Hi - 1));
            default:
                return Range.Full;
        }
    }

    private static Range Exact(Int128 lo, Int128 hi) =>
        lo >= long.MinValue && hi <= long.MaxValue ? new Range((long)lo, (long)hi) : Range.Full;

    // The smallest all-ones value at least v (v >= 0).
    private static long BitMask(long v)
    {
        var m = 0L;
        while (m < v)
        {
            m = (m << 1) | 1;
        }

        return m;
    }

    // The state along the edge from a branch block to one of its targets: what the comparison proves there.
    private static Dictionary<int, Range> Refine(IrBlock block, IrBlock target, Dictionary<int, Range> state)
    {
        var result = new Dictionary<int, Range>(state);
        if (block.Terminator != TerminatorKind.Branch || block.Target == block.FalseTarget || block.CompareA < 0)
        {
            return result;
        }

        long c;
        if (block.CompareImmediate)
        {
            c = block.CompareValue;
        }
        else
        {
            var b = Get(state, block.CompareB);
            if (b.Lo != b.Hi)
            {
                return result;
            }

            c = b.Lo;
        }

        var a = Get(state, block.CompareA);
        var condition = target == block.Target ? block.Condition : SafeInvert(block.Condition);
        if (condition is null)
        {
            return result;
        }

        // A 32-bit comparison says what the 64-bit one would when both sides are their own low halves: read as
        // unsigned (zero-extended) for the unsigned conditions, as signed (sign-extended) for the signed ones.
        var signedCondition = condition.Value is JumpOperation.Jslt or JumpOperation.Jsle or JumpOperation.Jsgt or JumpOperation.Jsge;
        if (block.Compare32 && !(signedCondition
                ? a.Within(int.MinValue, int.MaxValue) && c is >= int.MinValue and <= int.MaxValue
                : a.Within(0, uint.MaxValue) && c is >= 0 and <= uint.MaxValue))
        {
            return result;
        }

        var unsignedKnown = a.Lo >= 0 && c >= 0;
        var refined = condition.Value switch
        {
            JumpOperation.Jeq => new Range(c, c),
            JumpOperation.Jslt when c > long.MinValue => new Range(a.Lo, Math.Min(a.Hi, c - 1)),
            JumpOperation.Jsle => new Range(a.Lo, Math.Min(a.Hi, c)),
            JumpOperation.Jsgt when c < long.MaxValue => new Range(Math.Max(a.Lo, c + 1), a.Hi),
            JumpOperation.Jsge => new Range(Math.Max(a.Lo, c), a.Hi),
            // Unsigned: below a non-negative bound means within [0, bound) whatever the sign was.
            JumpOperation.Jlt when c > 0 => new Range(Math.Max(a.Lo, 0), Math.Min(a.Lo >= 0 ? a.Hi : long.MaxValue, c - 1)),
            JumpOperation.Jle when c >= 0 => new Range(Math.Max(a.Lo, 0), Math.Min(a.Lo >= 0 ? a.Hi : long.MaxValue, c)),
            JumpOperation.Jgt when unsignedKnown && c < long.MaxValue => new Range(Math.Max(a.Lo, c + 1), a.Hi),
            JumpOperation.Jge when unsignedKnown => new Range(Math.Max(a.Lo, c), a.Hi),
            _ => a,
        };

        if (refined.Lo <= refined.Hi)
        {
            Set(result, block.CompareA, refined);
        }

        return result;
    }

    private static JumpOperation? SafeInvert(JumpOperation c) => c is JumpOperation.Jeq or JumpOperation.Jne or JumpOperation.Jgt
        or JumpOperation.Jge or JumpOperation.Jlt or JumpOperation.Jle or JumpOperation.Jsgt or JumpOperation.Jsge
        or JumpOperation.Jslt or JumpOperation.Jsle ? JumpConditions.Invert(c) : null;
}
