namespace BpfSharp.Linux;

/// <summary>What <c>BPF_PROG_TEST_RUN</c> reported for <see cref="BpfProgram.TestRun"/>.</summary>
public readonly struct BpfTestRunResult
{
    /// <summary>Creates a result.</summary>
    public BpfTestRunResult(uint returnValue, int dataOutLength, int contextOutLength, uint durationNanoseconds)
    {
        ReturnValue = returnValue;
        DataOutLength = dataOutLength;
        ContextOutLength = contextOutLength;
        DurationNanoseconds = durationNanoseconds;
    }

    /// <summary>The program's return value (<c>retval</c>), i.e. R0 at exit.</summary>
    public uint ReturnValue { get; }

    /// <summary>Bytes of output data the kernel produced (<c>data_size_out</c>); may exceed the buffer given.</summary>
    public int DataOutLength { get; }

    /// <summary>Bytes of output context the kernel produced (<c>ctx_size_out</c>).</summary>
    public int ContextOutLength { get; }

    /// <summary>Average run time per repetition in nanoseconds (<c>duration</c>).</summary>
    public uint DurationNanoseconds { get; }

    /// <inheritdoc />
    public override string ToString() => $"retval {ReturnValue}, data out {DataOutLength} bytes, {DurationNanoseconds} ns";
}
