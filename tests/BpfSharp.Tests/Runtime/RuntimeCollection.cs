namespace BpfSharp.Tests.Runtime;

/// <summary>
/// Runtime attach tests share kernel hooks, network namespaces and system-wide counters, so they run one at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RuntimeCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "Runtime attach";
}
