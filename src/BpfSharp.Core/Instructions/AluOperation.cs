namespace BpfSharp.Instructions;

/// <summary>Arithmetic operations: the high 4 bits of an <c>BPF_ALU</c>/<c>BPF_ALU64</c> opcode.</summary>
public enum AluOperation : byte
{
    /// <summary><c>BPF_ADD</c>: <c>dst += src</c>.</summary>
    Add = 0x00,
    /// <summary><c>BPF_SUB</c>: <c>dst -= src</c>.</summary>
    Sub = 0x10,
    /// <summary><c>BPF_MUL</c>: <c>dst *= src</c>.</summary>
    Mul = 0x20,
    /// <summary><c>BPF_DIV</c>: unsigned <c>dst /= src</c>; signed when <c>off</c> is 1 (cpu v4).</summary>
    Div = 0x30,
    /// <summary><c>BPF_OR</c>: <c>dst |= src</c>.</summary>
    Or = 0x40,
    /// <summary><c>BPF_AND</c>: <c>dst &amp;= src</c>.</summary>
    And = 0x50,
    /// <summary><c>BPF_LSH</c>: <c>dst &lt;&lt;= src</c>.</summary>
    Lsh = 0x60,
    /// <summary><c>BPF_RSH</c>: logical <c>dst &gt;&gt;= src</c>.</summary>
    Rsh = 0x70,
    /// <summary><c>BPF_NEG</c>: <c>dst = -dst</c>.</summary>
    Neg = 0x80,
    /// <summary><c>BPF_MOD</c>: unsigned <c>dst %= src</c>; signed when <c>off</c> is 1 (cpu v4).</summary>
    Mod = 0x90,
    /// <summary><c>BPF_XOR</c>: <c>dst ^= src</c>.</summary>
    Xor = 0xa0,
    /// <summary><c>BPF_MOV</c>: <c>dst = src</c>; sign-extending when <c>off</c> is 8, 16 or 32 (cpu v4 <c>movsx</c>).</summary>
    Mov = 0xb0,
    /// <summary><c>BPF_ARSH</c>: arithmetic <c>dst s&gt;&gt;= src</c>.</summary>
    Arsh = 0xc0,
    /// <summary><c>BPF_END</c>: byte swap; <c>imm</c> is the width (16, 32 or 64).</summary>
    End = 0xd0,
}
