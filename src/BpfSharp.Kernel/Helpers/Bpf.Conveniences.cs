using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BpfSharp.Kernel;

// Plain C# on top of the helper stubs: the compiler inlines these bodies, so they stay within the constructs it
// accepts (arguments, locals, integer arithmetic, casts, Unsafe.AsPointer, sizeof, span members, helper calls).
public static unsafe partial class Bpf
{
    /// <summary>The current thread's id (the kernel's <c>pid</c>: the lower half of <see cref="GetCurrentPidTgid"/>).</summary>
    public static uint CurrentPid => (uint)GetCurrentPidTgid();

    /// <summary>The current process id (the kernel's <c>tgid</c>, user space's pid: the upper half of <see cref="GetCurrentPidTgid"/>).</summary>
    public static uint CurrentTgid => (uint)(GetCurrentPidTgid() >> 32);

    /// <summary>The current task's user id (the lower half of <see cref="GetCurrentUidGid"/>).</summary>
    public static uint CurrentUid => (uint)GetCurrentUidGid();

    /// <summary>The current task's group id (the upper half of <see cref="GetCurrentUidGid"/>).</summary>
    public static uint CurrentGid => (uint)(GetCurrentUidGid() >> 32);

    /// <summary>Copies the current task's command name into <paramref name="buffer"/> (any unmanaged type of 16 bytes or more holds it whole).</summary>
    /// <typeparam name="T">The buffer type; its size is the buffer size.</typeparam>
    /// <param name="buffer">The destination, on the stack or in a map value.</param>
    /// <returns>0, or a negative errno.</returns>
    public static long GetCurrentComm<T>(ref T buffer) where T : unmanaged =>
        GetCurrentComm(Unsafe.AsPointer(ref buffer), (uint)sizeof(T));

    /// <summary>Reads a <typeparamref name="T"/> from kernel memory into <paramref name="destination"/>.</summary>
    /// <typeparam name="T">The type to read.</typeparam>
    /// <param name="destination">The destination.</param>
    /// <param name="source">The kernel address.</param>
    /// <returns>0, or a negative errno (the destination is zeroed on failure).</returns>
    public static long ProbeReadKernel<T>(ref T destination, void* source) where T : unmanaged =>
        ProbeReadKernel(Unsafe.AsPointer(ref destination), (uint)sizeof(T), source);

    /// <summary>Reads a <typeparamref name="T"/> from user memory into <paramref name="destination"/>.</summary>
    /// <typeparam name="T">The type to read.</typeparam>
    /// <param name="destination">The destination.</param>
    /// <param name="source">The user-space address.</param>
    /// <returns>0, or a negative errno (the destination is zeroed on failure).</returns>
    public static long ProbeReadUser<T>(ref T destination, void* source) where T : unmanaged =>
        ProbeReadUser(Unsafe.AsPointer(ref destination), (uint)sizeof(T), source);

    /// <summary>Reads a NUL-terminated kernel string into <paramref name="buffer"/>, whose size bounds the copy.</summary>
    /// <typeparam name="T">The buffer type (e.g. a struct with a fixed byte array).</typeparam>
    /// <param name="buffer">The destination.</param>
    /// <param name="source">The kernel address of the string.</param>
    /// <returns>The length copied including the NUL, or a negative errno.</returns>
    public static long ProbeReadKernelStr<T>(ref T buffer, void* source) where T : unmanaged =>
        ProbeReadKernelStr(Unsafe.AsPointer(ref buffer), (uint)sizeof(T), source);

    /// <summary>Reads a NUL-terminated user-space string into <paramref name="buffer"/>, whose size bounds the copy.</summary>
    /// <typeparam name="T">The buffer type.</typeparam>
    /// <param name="buffer">The destination.</param>
    /// <param name="source">The user-space address of the string.</param>
    /// <returns>The length copied including the NUL, or a negative errno.</returns>
    public static long ProbeReadUserStr<T>(ref T buffer, void* source) where T : unmanaged =>
        ProbeReadUserStr(Unsafe.AsPointer(ref buffer), (uint)sizeof(T), source);

    /// <summary>Compares the string in <paramref name="s1"/> (at most its length) with the constant string
    /// <paramref name="s2"/> (<c>bpf_strncmp</c>). The kernel wants <paramref name="s2"/> NUL-terminated in read-only
    /// data: a <c>"…"u8</c> literal is (the compiler places its bytes with the NUL in .rodata).</summary>
    /// <param name="s1">The string to test: stack memory or a map value.</param>
    /// <param name="s2">A <c>"…"u8</c> literal.</param>
    /// <returns>Negative, 0 or positive like <c>strcmp</c>.</returns>
    public static long Strncmp(ReadOnlySpan<byte> s1, ReadOnlySpan<byte> s2) =>
        Strncmp((byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(s1)), (uint)s1.Length,
            (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(s2)));

    /// <summary>Reads <paramref name="destination"/>'s length in bytes from kernel memory.</summary>
    /// <param name="destination">Stack memory or a map value.</param>
    /// <param name="source">The kernel address.</param>
    /// <returns>0, or a negative errno (the destination is zeroed on failure).</returns>
    public static long ProbeReadKernel(Span<byte> destination, void* source) =>
        ProbeReadKernel(Unsafe.AsPointer(ref MemoryMarshal.GetReference(destination)), (uint)destination.Length, source);

    /// <summary>Reads a NUL-terminated kernel string into <paramref name="destination"/>, whose length bounds the copy.</summary>
    /// <param name="destination">Stack memory or a map value.</param>
    /// <param name="source">The kernel address of the string.</param>
    /// <returns>The length copied including the NUL, or a negative errno.</returns>
    public static long ProbeReadKernelStr(Span<byte> destination, void* source) =>
        ProbeReadKernelStr(Unsafe.AsPointer(ref MemoryMarshal.GetReference(destination)), (uint)destination.Length, source);

    /// <summary>Reads a NUL-terminated user-space string into <paramref name="destination"/>, whose length bounds the copy.</summary>
    /// <param name="destination">Stack memory or a map value.</param>
    /// <param name="source">The user-space address of the string.</param>
    /// <returns>The length copied including the NUL, or a negative errno.</returns>
    public static long ProbeReadUserStr(Span<byte> destination, void* source) =>
        ProbeReadUserStr(Unsafe.AsPointer(ref MemoryMarshal.GetReference(destination)), (uint)destination.Length, source);

    /// <summary>Copies the current task's command name into <paramref name="destination"/> (16 bytes hold it whole).</summary>
    /// <param name="destination">Stack memory or a map value.</param>
    /// <returns>0, or a negative errno.</returns>
    public static long GetCurrentComm(Span<byte> destination) =>
        GetCurrentComm(Unsafe.AsPointer(ref MemoryMarshal.GetReference(destination)), (uint)destination.Length);
}
