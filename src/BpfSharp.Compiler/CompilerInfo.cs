namespace BpfSharp.Compiler;

/// <summary>Facts about the BpfSharp compiler.</summary>
public static class CompilerInfo
{
    /// <summary>The name written into objects' BTF producer strings and diagnostics.</summary>
    public const string Name = "bpfsharp";
}
