using BpfSharp.Compiler.Ir;

namespace BpfSharp.Compiler.Backend;

/// <summary>Backward data-flow liveness over virtual registers.</summary>
internal static class Liveness
{
    /// <summary>Live-out sets, indexed by block id.</summary>
    public static HashSet<int>[] Compute(IrFunction fn)
    {
        var maxId = fn.Blocks.Count == 0 ? 0 : fn.Blocks.Max(b => b.Id) + 1;
        var gen = new HashSet<int>[maxId];
        var kill = new HashSet<int>[maxId];
        var liveIn = new HashSet<int>[maxId];
        var liveOut = new HashSet<int>[maxId];
        var uses = new List<int>();
        var defs = new List<int>();
        foreach (var b in fn.Blocks)
        {
            var g = new HashSet<int>();
            var k = new HashSet<int>();
            foreach (var i in b.Instructions)
            {
                RegisterAllocator.Uses(i, uses);
                foreach (var u in uses)
                {
                    if (!k.Contains(u))
                    {
                        g.Add(u);
                    }
                }

                RegisterAllocator.Defs(i, defs);
                foreach (var d in defs)
                {
                    k.Add(d);
                }
            }

            RegisterAllocator.TerminatorUses(b, uses);
            foreach (var u in uses)
            {
                if (!k.Contains(u))
                {
                    g.Add(u);
                }
            }

            gen[b.Id] = g;
            kill[b.Id] = k;
            liveIn[b.Id] = [.. g];
            liveOut[b.Id] = [];
        }

        for (var i = 0; i < maxId; i++)
        {
            liveOut[i] ??= [];
            liveIn[i] ??= [];
        }

        var changed = true;
        while (changed)
        {
            changed = false;
            for (var idx = fn.Blocks.Count - 1; idx >= 0; idx--)
            {
                var b = fn.Blocks[idx];
                var o = liveOut[b.Id];
                foreach (var s in b.Successors)
                {
                    foreach (var v in liveIn[s.Id])
                    {
                        if (o.Add(v))
                        {
                            changed = true;
                        }
                    }
                }

                foreach (var v in o)
                {
                    if (!kill[b.Id].Contains(v) && liveIn[b.Id].Add(v))
                    {
                        changed = true;
                    }
                }
            }
        }

        return liveOut;
    }
}
