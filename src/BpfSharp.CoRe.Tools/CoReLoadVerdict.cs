namespace BpfSharp.CoRe.Tools;

/// <summary>Whether an object, program or relocation would load on a kernel.</summary>
public enum CoReLoadVerdict
{
    /// <summary>Every relocation was patched with a target value.</summary>
    Loads,
    /// <summary>Some instructions were poisoned, but none of them is reachable (they sit behind a failed existence check).</summary>
    Guarded,
    /// <summary>A relocation failed (libbpf refuses the object), or a poisoned instruction may be reached (the verifier refuses it).</summary>
    Fails,
}
