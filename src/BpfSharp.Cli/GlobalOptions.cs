using System.CommandLine;

namespace BpfSharp.Cli;

/// <summary>
/// bpftool's global options. <c>-j</c> and <c>-p</c> apply to every verb, before or after it; <c>-B</c> belongs only
/// to the verbs that read split BTF, but is also accepted before the verb as bpftool writes it.
/// </summary>
internal static class GlobalOptions
{
    /// <summary><c>-B, --base-btf FILE</c> on a verb that reads split BTF (a module's BTF over its vmlinux).</summary>
    public static readonly Option<string?> BaseBtf = new("--base-btf", "-B")
    {
        Description = "Base BTF for split BTF (e.g. the vmlinux BTF of a kernel module's BTF).",
        HelpName = "FILE",
    };

    /// <summary>
    /// <c>-B FILE</c> written before the verb (<c>bpfsharp -B vmlinux btf dump ...</c>, bpftool's order). Hidden: the
    /// verbs that take it list it; <see cref="CliRunner"/> refuses it for a verb where it means nothing.
    /// </summary>
    public static readonly Option<string?> LeadingBaseBtf = new("--base-btf", "-B")
    {
        Description = BaseBtf.Description,
        HelpName = "FILE",
        Hidden = true,
    };

    /// <summary><c>-j, --json</c>: JSON output.</summary>
    public static readonly Option<bool> Json = new("--json", "-j")
    {
        Description = "Generate JSON output (errors too, as {\"error\": \"...\"} on standard output).",
        Recursive = true,
    };

    /// <summary><c>-p, --pretty</c>: human-readable (indented) JSON; implies --json.</summary>
    public static readonly Option<bool> Pretty = new("--pretty", "-p")
    {
        Description = "Generate human-readable JSON output. Implies --json.",
        Recursive = true,
    };

    /// <summary>Adds the global options to the root command.</summary>
    public static void AddTo(Command root)
    {
        root.Options.Add(LeadingBaseBtf);
        root.Options.Add(Json);
        root.Options.Add(Pretty);
    }

    /// <summary>True when the output is JSON (<c>-j</c> or <c>-p</c>).</summary>
    public static bool IsJson(ParseResult result) => result.GetValue(Json) || result.GetValue(Pretty);

    /// <summary>True when JSON is to be indented (<c>-p</c>).</summary>
    public static bool IsPretty(ParseResult result) => result.GetValue(Pretty);

    /// <summary>The base BTF path given on the verb, or before it.</summary>
    public static string? BaseBtfPath(ParseResult result, Option<string?>? verbOption = null) =>
        result.GetValue(verbOption ?? BaseBtf) ?? result.GetValue(LeadingBaseBtf);

    /// <summary>True when <paramref name="command"/> has a base-BTF option (one answering to <c>-B</c>).</summary>
    public static bool TakesBaseBtf(Command command) => command.Options.Any(o => o.Aliases.Contains("-B") || o.Name == "-B");
}
