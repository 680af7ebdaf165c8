using System.Runtime.CompilerServices;

namespace BpfSharp.Kernel;

// Plain C# on top of the helper stubs: the compiler inlines these bodies, so they stay within the constructs it
// accepts (arguments, locals, integer arithmetic, casts, Unsafe.AsPointer, sizeof, helper calls).
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
}
