namespace BpfSharp.Linux.RingBuffer;

/// <summary>
/// Keeps a reader's mappings alive while a thread is inside <c>Poll</c>/<c>Consume</c>: <see cref="Close"/> from
/// another thread (a Ctrl-C handler) only marks the reader closed and wakes a blocked wait, and whichever of
/// <see cref="Close"/> or the last <see cref="Exit"/> comes last runs the release, so memory is never unmapped
/// under a consumer (and a handler may dispose its own reader).
/// </summary>
internal sealed class ReaderLifetime(Action release)
{
    private const int ClosedBit = 1;
    private const int OneUser = 2;

    // ClosedBit | (users * OneUser).
    private int _state;

    public bool IsClosed => (Volatile.Read(ref _state) & ClosedBit) != 0;

    /// <summary>Registers a user, or throws <see cref="ObjectDisposedException"/> once closed.</summary>
    public void Enter(object owner)
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            ObjectDisposedException.ThrowIf((state & ClosedBit) != 0, owner);
            if (Interlocked.CompareExchange(ref _state, state + OneUser, state) == state) return;
        }
    }

    /// <summary>Unregisters a user; the last one out after <see cref="Close"/> releases.</summary>
    public void Exit()
    {
        if (Interlocked.Add(ref _state, -OneUser) == ClosedBit) release();
    }

    /// <summary>Marks closed; releases now when nobody is inside, else leaves it to the last user. Idempotent.</summary>
    public void Close()
    {
        var before = Interlocked.Or(ref _state, ClosedBit);
        if ((before & ClosedBit) == 0 && before == 0) release();
    }
}
