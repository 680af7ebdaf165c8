namespace BpfSharp.Linux;

/// <summary>How <see cref="BpfMap.Update(ReadOnlySpan{byte}, ReadOnlySpan{byte}, BpfMapUpdateFlags)"/> treats existing keys (<c>BPF_ANY</c>, <c>BPF_NOEXIST</c>, <c>BPF_EXIST</c>, <c>BPF_F_LOCK</c>).</summary>
[Flags]
public enum BpfMapUpdateFlags : ulong
{
    /// <summary><c>BPF_ANY</c>: create or update.</summary>
    Any = 0,
    /// <summary><c>BPF_NOEXIST</c>: create only; fails with <c>EEXIST</c> if the key is present.</summary>
    NoExist = 1,
    /// <summary><c>BPF_EXIST</c>: update only; fails with <c>ENOENT</c> if the key is absent.</summary>
    Exist = 2,
    /// <summary><c>BPF_F_LOCK</c>: take the value's <c>bpf_spin_lock</c>.</summary>
    Lock = 4,
}
