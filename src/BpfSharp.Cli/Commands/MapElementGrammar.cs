using BpfSharp.Linux;
using BpfSharp.Linux.Inspection;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// bpftool's element grammar (<c>parse_elem</c>): <c>[key [hex] BYTES...] [value [hex] BYTES... | value PROG | value MAP]
/// [any | exist | noexist]</c>, in any order. Bytes are C numbers (<c>0x10</c>, <c>020</c>, <c>16</c>), or hex digits
/// after the <c>hex</c> keyword; each is truncated to a byte as bpftool does.
/// </summary>
internal static class MapElementGrammar
{
    /// <summary>
    /// Parses the words from <paramref name="at"/> into <paramref name="key"/> and <paramref name="value"/> (either
    /// may be null when the verb does not take it) and the update flags.
    /// </summary>
    /// <returns>For prog arrays and maps of maps: the fd named by <c>value</c>, which the caller must close; else null.</returns>
    public static BpfFileDescriptor? Parse(IReadOnlyList<string> words, int at, BpfMapInfo info, byte[]? key, byte[]? value,
        Action<BpfMapUpdateFlags>? flags)
    {
        var wantKey = key is not null && info.KeySize > 0;
        var wantValue = value is not null && info.ValueSize > 0;
        var flagsSet = false;
        BpfFileDescriptor? valueFd = null;
        try
        {
            while (true)
            {
                if (at >= words.Count)
                {
                    if (!wantKey && !wantValue) return valueFd;
                    throw new CliException($"did not find {(wantKey ? "key" : "value")}");
                }
                var word = words[at];
                if (BpftoolGrammar.IsPrefix(word, "key"))
                {
                    if (!wantKey) throw new CliException(info.KeySize > 0 ? "duplicate key" : "unnecessary key");
                    at = ParseBytes(words, at + 1, "key", key!);
                    wantKey = false;
                }
                else if (BpftoolGrammar.IsPrefix(word, "value"))
                {
                    if (!wantValue) throw new CliException(info.ValueSize > 0 ? "duplicate value" : "unnecessary value");
                    at++;
                    if (info.Type is BpfMapType.ArrayOfMaps or BpfMapType.HashOfMaps or BpfMapType.ProgArray)
                    {
                        var isProgs = info.Type == BpfMapType.ProgArray;
                        if (info.ValueSize != 4) throw new CliException(isProgs ? "value smaller than 4B for map of progs?" : "value smaller than 4B for map in map?");
                        if (words.Count - at < 2) throw new CliException(isProgs ? "not enough value arguments for map of progs" : "not enough value arguments for map in map");
                        valueFd = isProgs ? ObjectSelectors.Program(words, ref at) : ObjectSelectors.Map(words, ref at);
                        BitConverter.TryWriteBytes(value!, valueFd.RawFd);
                    }
                    else
                    {
                        var single = new byte[info.ValueSize];
                        at = ParseBytes(words, at, "value", single);
                        single.CopyTo(value!, 0);
                        if (info.IsPerCpu)
                        {
                            // One value on the command line is written to every CPU.
                            var stride = (info.ValueSize + 7) & ~7;
                            for (var cpu = 1; cpu * stride + info.ValueSize <= value!.Length; cpu++)
                                Array.Copy(value, 0, value, cpu * stride, info.ValueSize);
                        }
                    }
                    wantValue = false;
                }
                else if (BpftoolGrammar.IsPrefix(word, "any") || BpftoolGrammar.IsPrefix(word, "noexist") || BpftoolGrammar.IsPrefix(word, "exist"))
                {
                    if (flags is null || flagsSet) throw new CliException($"flags specified multiple times: {word}");
                    flags(BpftoolGrammar.IsPrefix(word, "any") ? BpfMapUpdateFlags.Any
                        : BpftoolGrammar.IsPrefix(word, "noexist") ? BpfMapUpdateFlags.NoExist : BpfMapUpdateFlags.Exist);
                    flagsSet = true;
                    at++;
                }
                else
                {
                    throw CliException.Usage($"expected key or value, got: {word}");
                }
            }
        }
        catch
        {
            valueFd?.Dispose();
            throw;
        }
    }

    /// <summary>bpftool's <c>parse_bytes</c>: exactly <c>target.Length</c> bytes, optionally after <c>hex</c>.</summary>
    private static int ParseBytes(IReadOnlyList<string> words, int at, string name, byte[] target)
    {
        var numberBase = 0;
        if (at < words.Count && BpftoolGrammar.IsPrefix(words[at], "hex"))
        {
            numberBase = 16;
            at++;
        }
        var i = 0;
        while (i < target.Length && at + i < words.Count)
        {
            if (!BpftoolGrammar.TryParseUnsigned(words[at + i], out var number, numberBase))
                throw new CliException($"error parsing byte: {words[at + i]}");
            target[i] = unchecked((byte)number);
            i++;
        }
        if (i != target.Length) throw new CliException($"{name} expected {target.Length} bytes got {i}");
        return at + i;
    }
}
