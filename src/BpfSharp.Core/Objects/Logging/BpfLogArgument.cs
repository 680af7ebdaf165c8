namespace BpfSharp.Objects.Logging;

/// <summary>How the bytes of one log hole are read.</summary>
public enum BpfLogArgumentKind : byte
{
    /// <summary>A signed integer of 1, 2, 4 or 8 bytes.</summary>
    Signed = 1,
    /// <summary>An unsigned integer of 1, 2, 4 or 8 bytes.</summary>
    Unsigned = 2,
    /// <summary>A <c>bool</c> (1 byte).</summary>
    Boolean = 3,
    /// <summary>A UTF-16 <c>char</c> (2 bytes).</summary>
    Char = 4,
    /// <summary>An address (8 bytes), printed in hex.</summary>
    Pointer = 5,
    /// <summary>An IPv4 address, 4 bytes in network order.</summary>
    Ipv4 = 6,
    /// <summary>An IPv6 address, 16 bytes in network order.</summary>
    Ipv6 = 7,
    /// <summary>A MAC address, 6 bytes.</summary>
    Mac = 8,
    /// <summary>UTF-8 text up to the first NUL or the end of the field.</summary>
    Utf8String = 9,
    /// <summary>UTF-16 text up to the first NUL or the end of the field.</summary>
    Utf16String = 10,
}

/// <summary>The format a hole asked for.</summary>
public enum BpfLogArgumentFormat : byte
{
    /// <summary>The kind's natural text (decimal for integers).</summary>
    Default = 0,
    /// <summary>Lower-case hexadecimal (<c>{x:x}</c>).</summary>
    HexLower = 1,
    /// <summary>Upper-case hexadecimal (<c>{x:X}</c>).</summary>
    HexUpper = 2,
}

/// <summary>One hole of a log call: its property name and where its value is in the record.</summary>
/// <param name="Name">The property name (the local, parameter, field or property the hole reads).</param>
/// <param name="Kind">How the bytes are read.</param>
/// <param name="Format">The format the hole asked for.</param>
/// <param name="Offset">Byte offset in the record.</param>
/// <param name="Size">Byte size in the record.</param>
public sealed record BpfLogArgument(string Name, BpfLogArgumentKind Kind, BpfLogArgumentFormat Format, int Offset, int Size);
