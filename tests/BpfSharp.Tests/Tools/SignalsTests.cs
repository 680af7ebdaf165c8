using System.Runtime.InteropServices;
using BpfSharp.Linux.Tools;

namespace BpfSharp.Tests.Tools;

/// <summary><see cref="Signals.Describe"/> against glibc's own <c>strsignal</c>, called in this process.</summary>
public sealed partial class SignalsTests
{
    [LibraryImport("libc", EntryPoint = "strsignal")]
    private static partial nint StrSignal(int signal);

    [Fact]
    public void DescriptionsAreStrsignals()
    {
        for (var signal = 0; signal <= 70; signal++)
            Assert.Equal(Marshal.PtrToStringUTF8(StrSignal(signal)), Signals.Describe(signal));
        Assert.Equal("SIGKILL", Signals.Name(9));
        Assert.Null(Signals.Name(40));
    }
}
