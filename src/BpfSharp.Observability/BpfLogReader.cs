using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Linux.RingBuffer;
using BpfSharp.Objects.Logging;
using Microsoft.Extensions.Logging;

namespace BpfSharp.Observability;

/// <summary>
/// Reads the <c>bpfsharp_log</c> ring buffer of a loaded object and writes each record to an <see cref="ILogger"/>
/// at its call's level, with the message template and one property per hole. Records the BPF side could not write
/// (the ring was full) are counted by the object in <c>bpfsharp_log_lost</c>; the reader reports each increase as a
/// warning (event id <see cref="LostEventId"/>) and in <see cref="LostCount"/>.
/// </summary>
public sealed class BpfLogReader : IDisposable
{
    /// <summary>The event id of the warning that reports lost records.</summary>
    public static readonly EventId LostEventId = new(-1, "BpfLogRecordsLost");

    private readonly BpfLogCatalog _catalog;
    private readonly RingBufferReader _ring;
    private readonly ILogger _logger;
    private readonly Func<ulong>? _readLost;
    private ulong _reportedLost;

    /// <summary>Reads the log of a loaded collection.</summary>
    /// <param name="collection">A collection whose object was compiled from C# with BpfLog calls.</param>
    /// <param name="logger">Where the records go.</param>
    /// <exception cref="InvalidOperationException">The object has no log (no <c>.debug_bpfsharp_log</c> section or no ring).</exception>
    public BpfLogReader(BpfCollection collection, ILogger logger)
        : this(
            BpfLogCatalog.FromObject(collection.Spec) ?? throw new InvalidOperationException("the object has no BpfLog calls (no .debug_bpfsharp_log section)"),
            collection.Maps.TryGetValue(BpfLogCatalog.RingMapName, out var ring) ? ring : throw new InvalidOperationException($"the object has no '{BpfLogCatalog.RingMapName}' map"),
            logger,
            () => collection.ReadVariable<ulong>(BpfLogCatalog.LostCounterName))
    {
    }

    /// <summary>Reads records of <paramref name="catalog"/>'s sites from <paramref name="ring"/>.</summary>
    /// <param name="catalog">The object's log calls.</param>
    /// <param name="ring">The ring buffer map the object writes to.</param>
    /// <param name="logger">Where the records go.</param>
    /// <param name="readLostCounter">Reads the object's lost-record counter, or null not to report losses.</param>
    public BpfLogReader(BpfLogCatalog catalog, BpfMap ring, ILogger logger, Func<ulong>? readLostCounter = null)
    {
        _catalog = catalog;
        _logger = logger;
        _readLost = readLostCounter;
        _ring = new RingBufferReader(ring);
    }

    /// <summary>Records written to the logger so far.</summary>
    public long DeliveredCount { get; private set; }

    /// <summary>Records the BPF side could not write (ring full), as of the last poll.</summary>
    public ulong LostCount => _reportedLost;

    /// <summary>Records that did not decode (reported as errors on the logger, not thrown).</summary>
    public long MalformedCount { get; private set; }

    /// <summary>Writes every record available now, then reports new losses.</summary>
    /// <returns>The number of records read.</returns>
    public int Drain()
    {
        var n = _ring.Consume(Deliver);
        ReportLost();
        return n;
    }

    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> for records, writes them, then reports new losses.</summary>
    /// <param name="timeoutMilliseconds">The longest wait; -1 waits until a record arrives.</param>
    /// <returns>The number of records read.</returns>
    public int Poll(int timeoutMilliseconds)
    {
        var n = _ring.Poll(timeoutMilliseconds, Deliver);
        ReportLost();
        return n;
    }

    /// <summary>Polls until <paramref name="cancellationToken"/> is cancelled (on the calling thread).</summary>
    /// <param name="cancellationToken">Stops the loop.</param>
    /// <param name="pollMilliseconds">How long each wait lasts, so cancellation is seen.</param>
    public void Run(CancellationToken cancellationToken, int pollMilliseconds = 100)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Poll(pollMilliseconds);
        }

        Drain();
    }

    private void Deliver(ReadOnlySpan<byte> record)
    {
        BpfLogSite site;
        object[] values;
        try
        {
            (site, values) = _catalog.Decode(record);
        }
        catch (BpfFormatException e)
        {
            MalformedCount++;
            _logger.LogError("undecodable BPF log record: {Detail}", e.Message);
            return;
        }

        DeliveredCount++;
        var level = (LogLevel)site.Level;
        if (_logger.IsEnabled(level))
        {
            _logger.Log(level, new EventId(site.Id), new BpfLogEntry(site, values), null, static (entry, _) => entry.Message);
        }
    }

    private void ReportLost()
    {
        if (_readLost is null)
        {
            return;
        }

        var lost = _readLost();
        if (lost > _reportedLost)
        {
            var added = lost - _reportedLost;
            _reportedLost = lost;
            _logger.Log(LogLevel.Warning, LostEventId, "{LostRecords} BPF log records were lost because the ring buffer was full ({TotalLost} in all)", added, lost);
        }
    }

    /// <summary>Stops reading (the ring's map stays open: it belongs to the collection).</summary>
    public void Dispose() => _ring.Dispose();
}
