using System.Runtime.CompilerServices;
using System.Text;

namespace BpfSharp.Btf.Formatting.CSharp;

/// <summary>Turns C names from BTF into C# identifiers and string literals.</summary>
internal static class CSharpNames
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
        "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
        "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
        "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof",
        "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong",
        "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
        "__arglist", "__makeref", "__reftype", "__refvalue",
    };

    /// <summary>True for C# reserved keywords (which need an <c>@</c> to be used as identifiers).</summary>
    public static bool IsKeyword(string name) => Keywords.Contains(name);

    /// <summary>True if <paramref name="name"/> is an ASCII C identifier, which is also a C# identifier (maybe a keyword).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool IsPlainIdentifier(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || char.IsAsciiDigit((char)name[0])) return false;
        foreach (byte b in name)
            if (!(char.IsAsciiLetterOrDigit((char)b) || b == (byte)'_')) return false;
        return true;
    }

    /// <summary>
    /// A usable C# identifier for a C name: the name itself when it is an ASCII identifier, otherwise every other
    /// character replaced by <c>_</c> (and <c>_</c> put before a leading digit). Keywords are not escaped here.
    /// </summary>
    public static string Sanitize(ReadOnlySpan<byte> name)
    {
        if (IsPlainIdentifier(name)) return Encoding.ASCII.GetString(name);
        var sb = new StringBuilder(name.Length + 1);
        string text = Encoding.UTF8.GetString(name);
        if (text.Length == 0 || char.IsAsciiDigit(text[0])) sb.Append('_');
        foreach (char c in text) sb.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        return sb.ToString();
    }

    /// <summary>
    /// The PascalCase type name of a C name: leading underscores are kept, a single <c>_</c> between words is
    /// dropped and the next letter upper-cased, a run of n &gt; 1 underscores keeps n - 1 of them, trailing
    /// underscores are kept (<c>task_struct</c> → <c>TaskStruct</c>, <c>__sk_buff</c> → <c>__SkBuff</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string ToPascal(string identifier)
    {
        var sb = new StringBuilder(identifier.Length);
        int i = 0;
        while (i < identifier.Length && identifier[i] == '_') sb.Append(identifier[i++]);
        bool upper = true;
        while (i < identifier.Length)
        {
            char c = identifier[i];
            if (c == '_')
            {
                int run = 0;
                while (i < identifier.Length && identifier[i] == '_') { run++; i++; }
                if (i == identifier.Length) { sb.Append('_', run); break; }
                sb.Append('_', run - 1);
                upper = true;
                continue;
            }
            sb.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
            i++;
        }
        return sb.ToString();
    }

    /// <summary>The name with <c>@</c> in front when it is a C# keyword.</summary>
    public static string Escape(string identifier) => IsKeyword(identifier) ? "@" + identifier : identifier;

    /// <summary>A C# string literal for a BTF name (quotes, backslashes and control characters escaped).</summary>
    public static string Literal(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (char c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                default:
                    if (c < 0x20 || c == 0x7f || char.IsSurrogate(c) || c == '\u2028' || c == '\u2029')
                        sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>The first of <c>name</c>, <c>name_2</c>, <c>name_3</c>... that <paramref name="taken"/> does not hold; adds it.</summary>
    public static string Unique(string name, HashSet<string> taken)
    {
        if (taken.Add(name)) return name;
        for (int n = 2; ; n++)
        {
            string candidate = name + "_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (taken.Add(candidate)) return candidate;
        }
    }

    /// <summary>True if <paramref name="ns"/> is a dotted sequence of C# identifiers (no keywords).</summary>
    public static bool IsValidNamespace(string ns)
    {
        if (string.IsNullOrEmpty(ns)) return false;
        foreach (var part in ns.Split('.'))
        {
            if (part.Length == 0 || char.IsAsciiDigit(part[0]) || IsKeyword(part)) return false;
            foreach (char c in part)
                if (!(char.IsLetterOrDigit(c) || c == '_')) return false;
        }
        return true;
    }
}
