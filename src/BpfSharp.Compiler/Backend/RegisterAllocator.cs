using BpfSharp.Compiler.Ir;
using BpfSharp.Instructions;

namespace BpfSharp.Compiler.Backend;

/// <summary>
/// Graph-colouring register allocation (Chaitin–Briggs with optimistic colouring and move-biased colour
/// choice) onto r0–r9. Values live across helper calls end up in r6–r9 because calls clobber r0–r5;
/// what does not fit is spilled to 8-byte frame slots, which the verifier tracks like registers.
/// </summary>
internal sealed class RegisterAllocator
{
    private const int Colors = 10;
    private readonly IrFunction _fn;
    private HashSet<int>[] _adjacent = [];
    private List<int>[] _moves = [];
    private int[] _useCount = [];
    private readonly HashSet<int> _noSpill = [];

    public RegisterAllocator(IrFunction fn) => _fn = fn;

    /// <summary>The physical register of every virtual register.</summary>
    public int[] Allocate()
    {
        for (var round = 0; round < 64; round++)
        {
            Build();
            while (Coalesce())
            {
                Build();
            }

            var (colors, spilled) = Color();
            if (spilled.Count == 0)
            {
                return colors;
            }

            foreach (var v in spilled)
            {
                Spill(v);
            }
        }

        throw new CompileErrorException(DiagnosticIds.StackTooLarge, "register allocation did not converge");
    }

    // ---- uses and defs ----

    internal static void Uses(IrInstruction i, List<int> uses)
    {
        uses.Clear();
        switch (i.Op)
        {
            case IrOp.Call:
                for (var r = 1; r <= i.ArgumentCount; r++)
                {
                    uses.Add(r);
                }

                return;
            case IrOp.LoadPacket:
                uses.Add(6);
                if (i.A >= 0)
                {
                    uses.Add(i.A);
                }

                return;
            case IrOp.Load or IrOp.Mov or IrOp.Mov32 or IrOp.SignExtend32 or IrOp.Negate or IrOp.ByteSwap or IrOp.AddressSpaceCast:
                if (i.A >= 0)
                {
                    uses.Add(i.A);
                }

                return;
            case IrOp.Binary or IrOp.SetCondition or IrOp.Store or IrOp.Atomic:
                if (i.A >= 0)
                {
                    uses.Add(i.A);
                }

                if (!i.HasImmediate && i.B >= 0)
                {
                    uses.Add(i.B);
                }

                if (i.Op == IrOp.Atomic && i.AtomicOp == AtomicOperation.CmpXchg)
                {
                    uses.Add(0);
                }

                return;
        }
    }

    internal static void Defs(IrInstruction i, List<int> defs)
    {
        defs.Clear();
        switch (i.Op)
        {
            case IrOp.Call or IrOp.LoadPacket:
                for (var r = 0; r <= 5; r++)
                {
                    defs.Add(r);
                }

                return;
            case IrOp.Store:
                return;
            case IrOp.Atomic:
                if (i.AtomicOp == AtomicOperation.CmpXchg)
                {
                    defs.Add(0);
                }
                else if ((i.AtomicOp & AtomicOperation.Fetch) != 0)
                {
                    defs.Add(i.B);
                }

                return;
            default:
                if (i.Dst >= 0)
                {
                    defs.Add(i.Dst);
                }

                return;
        }
    }

    internal static void TerminatorUses(IrBlock b, List<int> uses)
    {
        uses.Clear();
        if (b.Terminator == TerminatorKind.Branch)
        {
            uses.Add(b.CompareA);
            if (!b.CompareImmediate)
            {
                uses.Add(b.CompareB);
            }
        }
        else if (b.Terminator == TerminatorKind.Exit)
        {
            uses.Add(0);
        }
    }

    /// <summary>How many times each register is read (instructions and block terminators) and written in <paramref name="fn"/>.</summary>
    internal static (int[] Uses, int[] Defs) CountUsesAndDefs(IrFunction fn)
    {
        var uses = new int[fn.RegisterCount];
        var defs = new int[fn.RegisterCount];
        var scratch = new List<int>();
        foreach (var block in fn.Blocks)
        {
            foreach (var i in block.Instructions)
            {
                Uses(i, scratch);
                foreach (var r in scratch) uses[r]++;
                Defs(i, scratch);
                foreach (var r in scratch) defs[r]++;
            }

            TerminatorUses(block, scratch);
            foreach (var r in scratch) uses[r]++;
        }

        return (uses, defs);
    }

    // ---- liveness and interference ----

    private void Build()
    {
        var n = _fn.RegisterCount;
        _adjacent = new HashSet<int>[n];
        _moves = new List<int>[n];
        _useCount = new int[n];
        for (var v = 0; v < n; v++)
        {
            _adjacent[v] = [];
            _moves[v] = [];
        }

        var liveOut = Liveness.Compute(_fn);
        var uses = new List<int>();
        var defs = new List<int>();
        foreach (var block in _fn.Blocks)
        {
            var live = new HashSet<int>(liveOut[block.Id]);
            TerminatorUses(block, uses);
            foreach (var u in uses)
            {
                live.Add(u);
                _useCount[u]++;
            }

            for (var k = block.Instructions.Count - 1; k >= 0; k--)
            {
                var i = block.Instructions[k];
                Defs(i, defs);
                Uses(i, uses);
                var isMove = i.Op == IrOp.Mov && !i.HasImmediate && i.A >= 0;
                foreach (var d in defs)
                {
                    _useCount[d]++;
                    foreach (var l in live)
                    {
                        if (l != d && !(isMove && l == i.A))
                        {
                            AddEdge(d, l);
                        }
                    }
                }

                // Two-address lowering constraints.
                if (i.Op == IrOp.Binary && !i.HasImmediate && i.B != i.A)
                {
                    AddEdge(i.Dst, i.B);
                }

                if (i.Op == IrOp.SetCondition)
                {
                    AddEdge(i.Dst, i.A);
                    if (!i.HasImmediate)
                    {
                        AddEdge(i.Dst, i.B);
                    }
                }

                if (isMove || (i.Op is IrOp.Binary or IrOp.Mov32 or IrOp.Negate or IrOp.SignExtend32 && i.A >= 0))
                {
                    _moves[i.Dst].Add(i.A);
                    _moves[i.A].Add(i.Dst);
                }

                foreach (var d in defs)
                {
                    live.Remove(d);
                }

                foreach (var u in uses)
                {
                    live.Add(u);
                    _useCount[u]++;
                }
            }
        }
    }

    private void AddEdge(int a, int b)
    {
        if (a == b || a < 0 || b < 0)
        {
            return;
        }

        _adjacent[a].Add(b);
        _adjacent[b].Add(a);
    }

    // ---- coalescing ----

    /// <summary>Merges the two sides of register moves that do not interfere (Briggs' conservative test for two
    /// virtual registers, George's for a physical one), so that the move disappears. Returns true if it merged.</summary>
    private bool Coalesce()
    {
        var n = _fn.RegisterCount;
        var alias = new int[n];
        for (var v = 0; v < n; v++)
        {
            alias[v] = v;
        }

        int Find(int v)
        {
            while (alias[v] != v)
            {
                v = alias[v] = alias[alias[v]];
            }

            return v;
        }

        var merged = false;
        foreach (var block in _fn.Blocks)
        {
            foreach (var i in block.Instructions)
            {
                // A move, or an operation whose first operand dies there (x = x + y then adds in place instead of
                // copying x first): interference already keeps apart the operands that stay live.
                if (!(i.Op == IrOp.Mov && !i.HasImmediate && i.A >= 0) && !IsInPlaceCandidate(i))
                {
                    continue;
                }

                int a = Find(i.Dst), b = Find(i.A);
                if (a == b || _adjacent[a].Contains(b) || a == 10 || b == 10 || _noSpill.Contains(a) || _noSpill.Contains(b))
                {
                    continue;
                }

                if (a < IrFunction.PhysicalRegisters && b < IrFunction.PhysicalRegisters)
                {
                    continue;
                }

                // Keep the physical register (if any) as the representative.
                if (b < IrFunction.PhysicalRegisters)
                {
                    (a, b) = (b, a);
                }

                bool ok;
                if (a < IrFunction.PhysicalRegisters)
                {
                    // George: every neighbour of b already interferes with a, or has few neighbours.
                    ok = _adjacent[b].All(t => _adjacent[t].Count < Colors || _adjacent[a].Contains(t) || t == a);
                }
                else
                {
                    // Briggs: the merged node has fewer than K neighbours of significant degree.
                    var significant = 0;
                    foreach (var t in _adjacent[a].Union(_adjacent[b]))
                    {
                        if (_adjacent[t].Count >= Colors || t < IrFunction.PhysicalRegisters)
                        {
                            significant++;
                        }
                    }

                    ok = significant < Colors;
                }

                if (!ok)
                {
                    continue;
                }

                alias[b] = a;
                foreach (var t in _adjacent[b])
                {
                    _adjacent[t].Remove(b);
                    if (t != a)
                    {
                        _adjacent[t].Add(a);
                        _adjacent[a].Add(t);
                    }
                }

                _adjacent[b].Clear();
                merged = true;
            }
        }

        if (!merged)
        {
            return false;
        }

        foreach (var block in _fn.Blocks)
        {
            var list = block.Instructions;
            for (var k = 0; k < list.Count; k++)
            {
                var i = list[k];
                if (i.Dst >= 0)
                {
                    i.Dst = Find(i.Dst);
                }

                if (i.A >= 0)
                {
                    i.A = Find(i.A);
                }

                if (i.B >= 0 && !i.HasImmediate)
                {
                    i.B = Find(i.B);
                }

                if (i.Op == IrOp.Mov && !i.HasImmediate && i.Dst == i.A)
                {
                    list.RemoveAt(k--);
                }
            }

            if (block.CompareA >= 0)
            {
                block.CompareA = Find(block.CompareA);
            }

            if (block.CompareB >= 0 && !block.CompareImmediate)
            {
                block.CompareB = Find(block.CompareB);
            }
        }

        return true;
    }

    // The two-address lowering of Binary copies A into Dst first; sharing their register drops the copy.
    private static bool IsInPlaceCandidate(IrInstruction i) =>
        i.Op == IrOp.Binary && i.A >= 0 && i.Dst >= 0 && i.CoRe is null;

    // ---- colouring ----

    private (int[] Colors, List<int> Spilled) Color()
    {
        var n = _fn.RegisterCount;
        var colors = new int[n];
        Array.Fill(colors, -1);
        for (var r = 0; r < IrFunction.PhysicalRegisters; r++)
        {
            colors[r] = r;
        }

        var degree = new int[n];
        var removed = new bool[n];
        var stack = new Stack<int>();
        var remaining = new List<int>();
        for (var v = IrFunction.PhysicalRegisters; v < n; v++)
        {
            if (_useCount[v] == 0 && _adjacent[v].Count == 0)
            {
                colors[v] = 0; // never used
                continue;
            }

            degree[v] = _adjacent[v].Count;
            remaining.Add(v);
        }

        while (remaining.Count > 0)
        {
            var pick = -1;
            foreach (var v in remaining)
            {
                if (degree[v] < Colors)
                {
                    pick = v;
                    break;
                }
            }

            if (pick < 0)
            {
                // Optimistic: push the cheapest node to spill; it may still get a colour.
                var best = double.MaxValue;
                foreach (var v in remaining)
                {
                    var cost = _noSpill.Contains(v) ? double.MaxValue / 2 : (double)_useCount[v] / (degree[v] + 1);
                    if (cost < best)
                    {
                        best = cost;
                        pick = v;
                    }
                }
            }

            remaining.Remove(pick);
            removed[pick] = true;
            stack.Push(pick);
            foreach (var w in _adjacent[pick])
            {
                if (w >= IrFunction.PhysicalRegisters && !removed[w])
                {
                    degree[w]--;
                }
            }
        }

        var spilled = new List<int>();
        Span<bool> used = stackalloc bool[IrFunction.PhysicalRegisters];
        while (stack.Count > 0)
        {
            var v = stack.Pop();
            used.Clear();
            used[10] = true;
            foreach (var w in _adjacent[v])
            {
                if (colors[w] >= 0)
                {
                    used[colors[w]] = true;
                }
            }

            var chosen = -1;
            foreach (var partner in _moves[v])
            {
                if (colors[partner] >= 0 && !used[colors[partner]])
                {
                    chosen = colors[partner];
                    break;
                }
            }

            if (chosen < 0)
            {
                // Second-order bias: a colour a partner's partner already has.
                foreach (var partner in _moves[v])
                {
                    foreach (var p2 in _moves[partner])
                    {
                        if (colors[p2] >= 0 && !used[colors[p2]])
                        {
                            chosen = colors[p2];
                            break;
                        }
                    }

                    if (chosen >= 0)
                    {
                        break;
                    }
                }
            }

            if (chosen < 0)
            {
                for (var c = 0; c < Colors; c++)
                {
                    if (!used[c])
                    {
                        chosen = c;
                        break;
                    }
                }
            }

            if (chosen < 0)
            {
                spilled.Add(v);
            }
            else
            {
                colors[v] = chosen;
            }
        }

        return (colors, spilled);
    }

    // ---- spilling ----

    private void Spill(int v)
    {
        var slot = _fn.NewSlot(8, 8, "spill.v" + v);
        var uses = new List<int>();
        var defs = new List<int>();
        foreach (var block in _fn.Blocks)
        {
            var list = block.Instructions;
            for (var k = 0; k < list.Count; k++)
            {
                var i = list[k];
                Uses(i, uses);
                Defs(i, defs);
                if (uses.Contains(v))
                {
                    var t = NewTemp();
                    list.Insert(k, new IrInstruction { Op = IrOp.Load, Dst = t, Slot = slot, Size = MemorySize.DoubleWord, Line = i.Line });
                    k++;
                    Replace(i, v, t, uses: true);
                    if (defs.Contains(v))
                    {
                        i.Dst = i.Dst == v ? t : i.Dst;
                        list.Insert(k + 1, new IrInstruction { Op = IrOp.Store, Slot = slot, B = t, Size = MemorySize.DoubleWord, Line = i.Line });
                        k++;
                    }
                }
                else if (defs.Contains(v))
                {
                    var t = NewTemp();
                    if (i.Dst == v)
                    {
                        i.Dst = t;
                    }

                    if (i.Op == IrOp.Atomic && i.B == v)
                    {
                        i.B = t;
                    }

                    list.Insert(k + 1, new IrInstruction { Op = IrOp.Store, Slot = slot, B = t, Size = MemorySize.DoubleWord, Line = i.Line });
                    k++;
                }
            }

            if (block.CompareA == v || (!block.CompareImmediate && block.CompareB == v))
            {
                var t = NewTemp();
                list.Add(new IrInstruction { Op = IrOp.Load, Dst = t, Slot = slot, Size = MemorySize.DoubleWord, Line = block.TerminatorLine });
                if (block.CompareA == v)
                {
                    block.CompareA = t;
                }

                if (!block.CompareImmediate && block.CompareB == v)
                {
                    block.CompareB = t;
                }
            }
        }
    }

    private int NewTemp()
    {
        var t = _fn.NewRegister();
        _noSpill.Add(t);
        return t;
    }

    private static void Replace(IrInstruction i, int from, int to, bool uses)
    {
        if (i.A == from)
        {
            i.A = to;
        }

        if (i.B == from && !i.HasImmediate)
        {
            i.B = to;
        }

        if (i.Dst == from)
        {
            i.Dst = to;
        }
    }
}
