namespace BpfSharp.Linux.Links;

/// <summary>
/// The glob libbpf matches kernel and ELF function names with (<c>glob_match</c>): '*' matches any run of
/// characters, '?' any single character, everything else itself. No classes, no escapes.
/// </summary>
public static class SymbolGlob
{
    /// <summary>True when <paramref name="name"/> matches <paramref name="pattern"/> as a whole.</summary>
    public static bool Matches(ReadOnlySpan<char> name, ReadOnlySpan<char> pattern)
    {
        // Iterative backtracking over the last '*': linear in practice, never recursive.
        int n = 0, p = 0, starP = -1, starN = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == name[n]))
            {
                n++;
                p++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starN = n;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                n = ++starN;
            }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }

    /// <summary>True when <paramref name="pattern"/> has a wildcard (otherwise it names one symbol).</summary>
    public static bool HasWildcard(string pattern) => pattern.AsSpan().IndexOfAny('*', '?') >= 0;
}
