using System.Runtime.InteropServices;

namespace BpfSharp.Linux.Interop;

internal static unsafe partial class LibC
{
    /// <summary><c>int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const void *data)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Mount(string source, string target, string fileSystemType, nuint flags, void* data);
}
