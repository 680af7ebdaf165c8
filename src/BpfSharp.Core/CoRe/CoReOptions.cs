namespace BpfSharp.CoRe;

/// <summary>Engine options.</summary>
public sealed record CoReOptions
{
    /// <summary>Default options: libbpf's decisions, with its two known bugs fixed (see docs/core-differences.md).</summary>
    public static CoReOptions Default { get; } = new();

    /// <summary>
    /// Reproduce libbpf's known bugs too: unsigned 32-bit enum values are sign-extended (so values ≥ 2^31 fail
    /// validation), and FLOAT is never type-compatible / never matches. Use for bit-exact parity tests.
    /// </summary>
    public bool StrictLibbpf { get; init; }

    /// <summary>Stop at the first hard error, as libbpf's loader does (default). When false, later relocations still run.</summary>
    public bool StopAtFirstError { get; init; } = true;

    /// <summary>Bitfield shift byte order; null = the local (object) BTF's byte order.</summary>
    public bool? BigEndian { get; init; }
}
