namespace BpfSharp.Instructions;

/// <summary>Jump operations: the high 4 bits of a <c>BPF_JMP</c>/<c>BPF_JMP32</c> opcode.</summary>
public enum JumpOperation : byte
{
    /// <summary><c>BPF_JA</c>: <c>goto</c> (<c>gotol</c> with a 32-bit <c>imm</c> in <c>BPF_JMP32</c>).</summary>
    Ja = 0x00,
    /// <summary><c>BPF_JEQ</c>: <c>==</c>.</summary>
    Jeq = 0x10,
    /// <summary><c>BPF_JGT</c>: unsigned <c>&gt;</c>.</summary>
    Jgt = 0x20,
    /// <summary><c>BPF_JGE</c>: unsigned <c>&gt;=</c>.</summary>
    Jge = 0x30,
    /// <summary><c>BPF_JSET</c>: <c>&amp;</c> (jump if any bit is set).</summary>
    Jset = 0x40,
    /// <summary><c>BPF_JNE</c>: <c>!=</c>.</summary>
    Jne = 0x50,
    /// <summary><c>BPF_JSGT</c>: signed <c>&gt;</c>.</summary>
    Jsgt = 0x60,
    /// <summary><c>BPF_JSGE</c>: signed <c>&gt;=</c>.</summary>
    Jsge = 0x70,
    /// <summary><c>BPF_CALL</c>: helper, BPF-to-BPF or kfunc call (see <see cref="CallSource"/>).</summary>
    Call = 0x80,
    /// <summary><c>BPF_EXIT</c>: return from the function.</summary>
    Exit = 0x90,
    /// <summary><c>BPF_JLT</c>: unsigned <c>&lt;</c>.</summary>
    Jlt = 0xa0,
    /// <summary><c>BPF_JLE</c>: unsigned <c>&lt;=</c>.</summary>
    Jle = 0xb0,
    /// <summary><c>BPF_JSLT</c>: signed <c>&lt;</c>.</summary>
    Jslt = 0xc0,
    /// <summary><c>BPF_JSLE</c>: signed <c>&lt;=</c>.</summary>
    Jsle = 0xd0,
    /// <summary><c>BPF_JCOND</c>: <c>may_goto</c> (src 0, <c>BPF_MAY_GOTO</c>).</summary>
    Jcond = 0xe0,
}
