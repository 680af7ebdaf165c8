namespace BpfSharp.Kernel;

/// <summary>
/// Compiles a method as a BPF-to-BPF function (a <c>.text</c> subprogram called with <c>call</c>) instead of
/// inlining it at every call site. Arguments travel in r1–r5 (at most five; integers, pointers and
/// <c>ref</c>/<c>in</c>/<c>out</c>), the result in r0. <c>[MethodImpl(MethodImplOptions.NoInlining)]</c> has the
/// same effect for a static function.
/// </summary>
/// <remarks>
/// A static function (the default, clang's <c>static __noinline</c>) is verified at each call with the caller's
/// argument types, so it may receive pointers into the caller's stack, map values or packets. A global function
/// (<see cref="Global"/>, clang's <c>__noinline</c> without <c>static</c>) is verified once, on its own, from its
/// BTF signature: its parameters must be integers, pointers to sized types (which may be null: check before use)
/// or the program's context pointer, and it must return an integer.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class BpfFunctionAttribute : Attribute
{
    /// <summary>True for a global function (<c>BTF_FUNC_GLOBAL</c>, verified independently of its callers).</summary>
    public bool Global { get; set; }
}
