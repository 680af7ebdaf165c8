namespace BpfSharp.Linux.RingBuffer;

/// <summary>
/// Receives ring buffer records without a delegate: <see cref="RingBufferReader.Consume{TConsumer}(ref TConsumer)"/>
/// and <see cref="RingBufferReader.Poll{TConsumer}(int, ref TConsumer)"/> are specialised for each struct (or ref
/// struct) implementation, so <see cref="OnRecord"/> is a direct call the JIT can inline into the consume loop.
/// </summary>
public interface IRingBufferConsumer
{
    /// <summary>
    /// Handles one record. <paramref name="record"/> points into the ring itself (no copy) and is valid only during
    /// the call: the record's space is handed back to the producer when the call returns (or throws).
    /// </summary>
    void OnRecord(ReadOnlySpan<byte> record);
}
