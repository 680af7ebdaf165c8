namespace BpfSharp.Linux.Inspection;

/// <summary>The kinds of kernel BPF objects that have ids, as bpftool's object words name them.</summary>
public enum BpfObjectKind
{
    /// <summary>A program (<c>prog</c>).</summary>
    Program,
    /// <summary>A map (<c>map</c>).</summary>
    Map,
    /// <summary>A link (<c>link</c>).</summary>
    Link,
    /// <summary>A BTF object (<c>btf</c>).</summary>
    Btf,
}
