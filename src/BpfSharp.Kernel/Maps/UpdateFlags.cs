namespace BpfSharp.Kernel;

/// <summary>The <c>flags</c> of a map update (<c>BPF_ANY</c>, <c>BPF_NOEXIST</c>, <c>BPF_EXIST</c>, <c>BPF_F_LOCK</c>).</summary>
[Flags]
public enum UpdateFlags : ulong
{
    /// <summary><c>BPF_ANY</c>: create or replace.</summary>
    [BtfName("BPF_ANY")] Any = 0,
    /// <summary><c>BPF_NOEXIST</c>: create only; fail with <c>-EEXIST</c> if the key exists.</summary>
    [BtfName("BPF_NOEXIST")] NoExist = 1,
    /// <summary><c>BPF_EXIST</c>: replace only; fail with <c>-ENOENT</c> if the key is absent.</summary>
    [BtfName("BPF_EXIST")] Exist = 2,
    /// <summary><c>BPF_F_LOCK</c>: update under the value's <c>bpf_spin_lock</c>.</summary>
    [BtfName("BPF_F_LOCK")] Lock = 4,
}
