namespace BpfSharp.Kernel;

/// <summary>
/// Thrown when kernel-side API that only has a meaning inside a BPF program (a helper stub) is called on .NET.
/// The BpfSharp compiler replaces these calls with BPF instructions; they never run in a .NET process.
/// </summary>
public sealed class BpfOnlyException : InvalidOperationException
{
    /// <summary>Creates the exception with the standard message.</summary>
    public BpfOnlyException()
        : base("This member exists only inside BPF programs compiled by the BpfSharp compiler.")
    {
    }
}
