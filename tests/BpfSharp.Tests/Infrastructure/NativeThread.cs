using System.Runtime.InteropServices;

namespace BpfSharp.Tests.Infrastructure;

/// <summary>The kernel's view of the calling thread (what BPF programs see as the task's pid).</summary>
internal static partial class NativeThread
{
    /// <summary>gettid(2): the calling thread's id.</summary>
    [LibraryImport("libc", EntryPoint = "gettid")]
    public static partial int Id();
}
