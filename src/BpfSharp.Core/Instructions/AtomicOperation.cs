namespace BpfSharp.Instructions;

/// <summary>The <c>imm</c> of a <c>BPF_STX | BPF_ATOMIC</c> instruction.</summary>
public enum AtomicOperation
{
    /// <summary><c>BPF_ADD</c>: <c>lock *(u64 *)(dst + off) += src</c>.</summary>
    Add = 0x00,
    /// <summary><c>BPF_OR</c>: <c>lock *(u64 *)(dst + off) |= src</c>.</summary>
    Or = 0x40,
    /// <summary><c>BPF_AND</c>: <c>lock *(u64 *)(dst + off) &amp;= src</c>.</summary>
    And = 0x50,
    /// <summary><c>BPF_XOR</c>: <c>lock *(u64 *)(dst + off) ^= src</c>.</summary>
    Xor = 0xa0,
    /// <summary><c>BPF_FETCH</c>: the flag that makes an operation return the old value in <c>src</c>.</summary>
    Fetch = 0x01,
    /// <summary><c>BPF_ADD | BPF_FETCH</c>: <c>src = atomic_fetch_add((u64 *)(dst + off), src)</c>.</summary>
    FetchAdd = Add | Fetch,
    /// <summary><c>BPF_OR | BPF_FETCH</c>.</summary>
    FetchOr = Or | Fetch,
    /// <summary><c>BPF_AND | BPF_FETCH</c>.</summary>
    FetchAnd = And | Fetch,
    /// <summary><c>BPF_XOR | BPF_FETCH</c>.</summary>
    FetchXor = Xor | Fetch,
    /// <summary><c>BPF_XCHG</c> (<c>0xe0 | BPF_FETCH</c>): <c>src = xchg_64(dst + off, src)</c>.</summary>
    Xchg = 0xe1,
    /// <summary><c>BPF_CMPXCHG</c> (<c>0xf0 | BPF_FETCH</c>): <c>r0 = cmpxchg_64(dst + off, r0, src)</c>.</summary>
    CmpXchg = 0xf1,
    /// <summary><c>BPF_LOAD_ACQ</c> (0x100): load-acquire (kernel 6.15+).</summary>
    LoadAcquire = 0x100,
    /// <summary><c>BPF_STORE_REL</c> (0x110): store-release (kernel 6.15+).</summary>
    StoreRelease = 0x110,
}
