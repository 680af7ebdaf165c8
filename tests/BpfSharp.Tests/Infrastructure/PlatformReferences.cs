using Microsoft.CodeAnalysis;

namespace BpfSharp.Tests.Infrastructure;

/// <summary>The assemblies this test process runs on, as Roslyn references for the tests' in-process compilations.</summary>
internal static class PlatformReferences
{
    private static readonly Lazy<MetadataReference[]> Lazy = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => p.EndsWith(".dll", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray());

    /// <summary>Every trusted platform assembly (the framework, BpfSharp's assemblies and the test's dependencies).</summary>
    public static MetadataReference[] All => Lazy.Value;
}
