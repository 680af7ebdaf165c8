namespace BpfSharp.Linux.Links;

/// <summary>
/// Links attached together (by <see cref="Loading.BpfObject.AttachAll"/>): disposing the group detaches every one,
/// in the reverse order of attachment.
/// </summary>
public sealed class BpfLinkGroup : IDisposable
{
    private readonly List<BpfLink> _links;

    /// <summary>Takes ownership of <paramref name="links"/>.</summary>
    public BpfLinkGroup(IEnumerable<BpfLink> links)
    {
        ArgumentNullException.ThrowIfNull(links);
        _links = [.. links];
    }

    /// <summary>The links, in the order they were attached.</summary>
    public IReadOnlyList<BpfLink> Links => _links;

    /// <summary>Detaches every link.</summary>
    public void Dispose()
    {
        for (var i = _links.Count - 1; i >= 0; i--) _links[i].Dispose();
        _links.Clear();
    }
}
