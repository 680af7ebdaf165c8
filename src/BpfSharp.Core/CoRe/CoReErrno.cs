namespace BpfSharp.CoRe;

/// <summary>The errno values libbpf's CO-RE code returns, and libbpf's <c>errstr</c> rendering of them.</summary>
public static class CoReErrno
{
    /// <summary><c>E2BIG</c>: spec too long, bitfield wider than 64 bits.</summary>
    public const int E2BIG = 7;
    /// <summary><c>ENOENT</c>.</summary>
    public const int ENOENT = 2;
    /// <summary><c>ENOMEM</c>.</summary>
    public const int ENOMEM = 12;
    /// <summary><c>EINVAL</c>: malformed spec, ambiguity, unexpected instruction.</summary>
    public const int EINVAL = 22;
    /// <summary><c>ERANGE</c>: new offset does not fit the instruction.</summary>
    public const int ERANGE = 34;
    /// <summary><c>EOPNOTSUPP</c>: unknown relocation kind, anonymous local type.</summary>
    public const int EOPNOTSUPP = 95;
    /// <summary><c>EUCLEAN</c>: internal "poison this instruction" signal; never escapes the engine.</summary>
    public const int EUCLEAN = 117;

    /// <summary>libbpf's <c>errstr(err)</c>: <c>-EINVAL</c> for known codes, the number otherwise.</summary>
    public static string ToErrString(int negativeErrno) => negativeErrno switch
    {
        -E2BIG => "-E2BIG",
        -ENOENT => "-ENOENT",
        -ENOMEM => "-ENOMEM",
        -EINVAL => "-EINVAL",
        -ERANGE => "-ERANGE",
        -EOPNOTSUPP => "-EOPNOTSUPP",
        -EUCLEAN => "-EUCLEAN",
        _ => negativeErrno.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
