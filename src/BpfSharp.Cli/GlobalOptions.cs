using System.CommandLine;

namespace BpfSharp.Cli;

/// <summary>bpftool's global options, accepted before or after the object and command.</summary>
internal static class GlobalOptions
{
    /// <summary><c>-B, --base-btf FILE</c>: the base BTF of split BTF (a module's vmlinux).</summary>
    public static readonly Option<string?> BaseBtf = new("--base-btf", "-B")
    {
        Description = "Base BTF for split BTF (e.g. the vmlinux BTF of a kernel module's BTF).",
        HelpName = "FILE",
        Recursive = true,
    };

    /// <summary><c>-j, --json</c>: JSON output.</summary>
    public static readonly Option<bool> Json = new("--json", "-j")
    {
        Description = "Generate JSON output.",
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
        root.Options.Add(BaseBtf);
        root.Options.Add(Json);
        root.Options.Add(Pretty);
    }
}
