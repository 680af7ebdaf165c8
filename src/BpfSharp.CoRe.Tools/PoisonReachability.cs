using BpfSharp.Instructions;

namespace BpfSharp.CoRe.Tools;

/// <summary>
/// Decides which instructions of a relocated function the verifier may reach, by conditional constant propagation
/// over the function's control-flow graph: registers hold "unknown" or a known 64-bit constant; a conditional jump
/// whose operands are both known follows only the edge it takes. CO-RE existence checks become such constants once
/// patched (<c>r1 = 0</c> followed by <c>if r1 == 0 goto</c>), so a poisoned instruction behind a failed existence
/// check is found unreachable.
/// </summary>
/// <remarks>
/// The analysis over-approximates what the verifier explores: the verifier tracks each path with exact values, this
/// merges paths (a register known on one incoming edge and different on another becomes unknown) and treats every
/// function argument, memory load, call result and ALU operation it does not fold as unknown. So "unreachable" here
/// implies the verifier never visits the instruction (it skips dead branches on known scalars); "reachable" may be a
/// false alarm. Each function is analysed from its own entry, without the caller's argument values.
/// </remarks>
internal static class PoisonReachability
{
    private const byte Unreached = 0, Known = 1, Unknown = 2;

    /// <summary>Returns, per instruction slot, whether it may be executed starting from slot 0.</summary>
    public static bool[] Reachable(ReadOnlySpan<Instruction> insns)
    {
        int n = insns.Length;
        var reached = new bool[n];
        if (n == 0) return reached;
        // Per slot entry state: 11 registers, each (kind, value).
        var kinds = new byte[n * 11];
        var values = new long[n * 11];
        var work = new Stack<int>();
        var k = new byte[11];
        var v = new long[11];
        for (int r = 0; r < 11; r++) kinds[r] = Unknown;
        reached[0] = true;
        work.Push(0);
        int budget = n * 64 + 1024; // each slot's state only moves up the lattice: a safe bound
        while (work.Count > 0 && budget-- > 0)
        {
            int pc = work.Pop();
            kinds.AsSpan(pc * 11, 11).CopyTo(k);
            values.AsSpan(pc * 11, 11).CopyTo(v);
            var insn = insns[pc];
            byte op = insn.Opcode;
            int cls = op & 0x07;
            int dst = insn.Destination, src = insn.Source;
            if (dst > 10 || src > 10) continue; // malformed: the verifier rejects it anyway; do not follow
            switch (cls)
            {
                case 0x04 or 0x07: // ALU / ALU64
                {
                    Alu(insn, cls == 0x07, k, v);
                    Flow(pc + 1);
                    break;
                }
                case 0x00: // LD: imm64, or legacy packet access
                {
                    if (op == 0x18)
                    {
                        if (pc + 1 < n && src == 0) { k[dst] = Known; v[dst] = (long)((uint)insn.Immediate | ((ulong)(uint)insns[pc + 1].Immediate << 32)); }
                        else k[dst] = Unknown;
                        Flow(pc + 2);
                    }
                    else
                    {
                        for (int r = 0; r <= 5; r++) k[r] = Unknown;
                        Flow(pc + 1);
                    }
                    break;
                }
                case 0x01: // LDX
                    k[dst] = Unknown;
                    Flow(pc + 1);
                    break;
                case 0x03 when (op & 0xe0) == 0xc0: // atomic: fetch forms write src / r0
                    k[src] = Unknown;
                    k[0] = Unknown;
                    Flow(pc + 1);
                    break;
                case 0x02 or 0x03: // ST / STX
                    Flow(pc + 1);
                    break;
                case 0x05 or 0x06: // JMP / JMP32
                {
                    int jop = op & 0xf0;
                    bool jmp32 = cls == 0x06;
                    if (jop == 0x90) break; // exit
                    if (jop == 0x80) // call
                    {
                        for (int r = 0; r <= 5; r++) k[r] = Unknown;
                        Flow(pc + 1);
                        break;
                    }
                    if (jop == 0x00) // ja (JMP32 ja = gotol with a 32-bit offset in imm)
                    {
                        Flow(pc + 1 + (jmp32 ? insn.Immediate : insn.Offset));
                        break;
                    }
                    int taken = pc + 1 + insn.Offset;
                    bool srcKnown = (op & 0x08) == 0 || k[src] == Known;
                    if (k[dst] == Known && srcKnown)
                    {
                        long a = v[dst];
                        long b = (op & 0x08) == 0 ? insn.Immediate : v[src];
                        bool? result = Compare(jop, a, b, jmp32);
                        if (result is bool t) { Flow(t ? taken : pc + 1); break; }
                    }
                    Flow(taken);
                    Flow(pc + 1);
                    break;
                }
            }
        }
        // Out of budget (cannot happen for well-formed lattices): everything unexplored counts as reachable.
        if (work.Count > 0) Array.Fill(reached, true);
        return reached;

        void Flow(int target)
        {
            if ((uint)target >= (uint)n) return;
            var tk = kinds.AsSpan(target * 11, 11);
            var tv = values.AsSpan(target * 11, 11);
            bool changed = !reached[target];
            if (!reached[target])
            {
                reached[target] = true;
                for (int r = 0; r < 11; r++) { tk[r] = k[r] == Unreached ? Unknown : k[r]; tv[r] = v[r]; }
            }
            else
            {
                for (int r = 0; r < 11; r++)
                {
                    if (tk[r] == Unknown) continue;
                    if (k[r] != Known || tv[r] != v[r]) { tk[r] = Unknown; changed = true; }
                }
            }
            if (changed) work.Push(target);
        }
    }

    private static void Alu(Instruction insn, bool is64, Span<byte> k, Span<long> v)
    {
        int dst = insn.Destination, src = insn.Source;
        int op = insn.Opcode & 0xf0;
        bool useImm = (insn.Opcode & 0x08) == 0;
        if (op == 0xd0) { k[dst] = Unknown; return; } // byte swap: rare in guards
        if (op == 0xb0 && insn.Offset == 0) // mov
        {
            if (useImm) { k[dst] = Known; v[dst] = is64 ? insn.Immediate : (uint)insn.Immediate; }
            else if (k[src] == Known) { k[dst] = Known; v[dst] = is64 ? v[src] : (uint)v[src]; }
            else k[dst] = Unknown;
            return;
        }
        if (k[dst] != Known || (!useImm && k[src] != Known) || insn.Offset != 0) { k[dst] = Unknown; return; }
        long a = v[dst], b = useImm ? insn.Immediate : v[src];
        long r;
        switch (op)
        {
            case 0x00: r = a + b; break;
            case 0x10: r = a - b; break;
            case 0x20: r = a * b; break;
            case 0x40: r = a | b; break;
            case 0x50: r = a & b; break;
            case 0x60: r = is64 ? a << (int)(b & 63) : (long)((uint)a << (int)(b & 31)); break;
            case 0x70: r = is64 ? (long)((ulong)a >> (int)(b & 63)) : (long)((uint)a >> (int)(b & 31)); break;
            case 0x80: r = -a; break;
            case 0xa0: r = a ^ b; break;
            default: k[dst] = Unknown; return;
        }
        v[dst] = is64 ? r : (uint)r;
    }

    private static bool? Compare(int jop, long a, long b, bool jmp32)
    {
        if (jmp32) { a = (int)a; b = (int)b; }
        ulong ua = jmp32 ? (uint)a : (ulong)a, ub = jmp32 ? (uint)b : (ulong)b;
        return jop switch
        {
            0x10 => ua == ub,
            0x50 => ua != ub,
            0x20 => ua > ub,
            0x30 => ua >= ub,
            0xa0 => ua < ub,
            0xb0 => ua <= ub,
            0x40 => (ua & ub) != 0,
            0x60 => a > b,
            0x70 => a >= b,
            0xc0 => a < b,
            0xd0 => a <= b,
            _ => null,
        };
    }
}
