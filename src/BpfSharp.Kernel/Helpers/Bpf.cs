namespace BpfSharp.Kernel;

/// <summary>
/// The kernel's BPF helpers (<c>enum bpf_func_id</c>) and small conveniences built on them: the C# counterpart of
/// libbpf's <c>bpf_helper_defs.h</c>. Each stub is named after its C helper without the <c>bpf_</c> prefix, in
/// .NET casing (<c>bpf_get_current_pid_tgid</c> → <see cref="GetCurrentPidTgid"/>), carries
/// <see cref="BpfHelperAttribute"/> with the helper's id and mirrors the C prototype: kernel object pointers are
/// <c>void*</c>, maps are <see cref="KernelMap"/>, <c>char*</c> is <c>byte*</c>. Inside a BPF program a call becomes
/// <c>call id</c>; on .NET every stub throws <see cref="BpfOnlyException"/>.
/// </summary>
/// <remarks>
/// Whether a helper is available depends on the program type and the kernel version; the verifier rejects a
/// program that calls a helper its type may not use. Parameters that the helper treats as a length are the size
/// in bytes of the memory the neighbouring pointer refers to.
/// </remarks>
public static unsafe partial class Bpf
{
}
