using System.CommandLine;
using BpfSharp.Btf;
using BpfSharp.Btf.Formatting;

namespace BpfSharp.Cli.Commands;

/// <summary>The 'btf' verb group: <c>bpfsharp btf dump file FILE [format {raw|c|json}]</c>, as bpftool.</summary>
internal static class BtfCommand
{
    private const string SysfsPrefix = "/sys/kernel/btf/";
    private const string SysfsVmlinux = "/sys/kernel/btf/vmlinux";

    public static Command Create()
    {
        var command = new Command("btf",
            "Inspect BTF: dump types as raw records (bpftool's format), C or JSON.\n\n" +
            "Usage: bpfsharp btf dump BTF_SRC [format FORMAT]\n\n" +
            "       BTF_SRC := { file FILE }\n" +
            "       FORMAT  := { raw | c | json }\n" +
            "       OPTIONS := { -j|--json [-p|--pretty] | -B|--base-btf FILE }");

        var source = new Argument<string[]>("BTF_SRC")
        {
            Description = "'file FILE' (raw BTF, an ELF object/vmlinux/.ko with .BTF, or .gz), then optionally 'format {raw|c|json}'.",
            Arity = ArgumentArity.OneOrMore,
        };
        var dump = new Command("dump",
            "Dump BTF entries from a file. FORMAT 'raw' (default) prints type records exactly as bpftool does, 'c' prints " +
            "a C header (vmlinux.h), 'json' prints the JSON described in docs/btf-json.md (same as -j). For split BTF " +
            "pass the base with -B; files under /sys/kernel/btf/ other than vmlinux use /sys/kernel/btf/vmlinux as base.");
        dump.Arguments.Add(source);
        dump.SetAction(result => Dump(
            result.GetValue(source) ?? [],
            result.GetValue(GlobalOptions.BaseBtf),
            result.GetValue(GlobalOptions.Json) || result.GetValue(GlobalOptions.Pretty),
            result.GetValue(GlobalOptions.Pretty)));
        command.Subcommands.Add(dump);
        return command;
    }

    // bpftool's is_prefix: the word may be abbreviated ("f" for "file").
    private static bool IsPrefix(string word, string keyword) => word.Length > 0 && keyword.StartsWith(word, StringComparison.Ordinal);

    private enum Format { Raw, C, Json }

    private static int Dump(string[] args, string? basePath, bool json, bool pretty)
    {
        if (args.Length < 2)
            throw new CliException("expected 'file FILE' (usage: bpfsharp btf dump file FILE [format {raw|c|json}])");
        if (!IsPrefix(args[0], "file"))
        {
            if (IsPrefix(args[0], "id") || IsPrefix(args[0], "prog") || IsPrefix(args[0], "map"))
                throw new CliException($"BTF source '{args[0]}' needs the running kernel and is not supported here; use 'file FILE'");
            throw new CliException($"unrecognized BTF source specifier: '{args[0]}'");
        }
        string path = args[1];
        var format = json ? Format.Json : Format.Raw;
        for (int i = 2; i < args.Length; i++)
        {
            if (!IsPrefix(args[i], "format")) throw new CliException($"unrecognized option: '{args[i]}'");
            if (++i >= args.Length) throw new CliException("expecting value for 'format' option");
            format = args[i] switch
            {
                "raw" => json ? Format.Json : Format.Raw,
                "c" => Format.C,
                "json" => Format.Json,
                _ => throw new CliException($"unrecognized format specifier: '{args[i]}', possible values: raw, c, json"),
            };
        }
        if (format == Format.C && json) throw new CliException("JSON output for C-syntax dump is not supported");

        BtfSpec? baseSpec = null;
        if (basePath is not null) baseSpec = BtfSpec.Load(basePath);
        else if (path.StartsWith(SysfsPrefix, StringComparison.Ordinal) && path != SysfsVmlinux)
            baseSpec = BtfSpec.Load(SysfsVmlinux);
        var spec = BtfSpec.Load(path, baseSpec);

        using var stdout = Console.OpenStandardOutput();
        using var buffered = new BufferedStream(stdout, 1 << 20);
        switch (format)
        {
            case Format.Raw: BtfRawFormatter.Write(spec, buffered); break;
            case Format.Json: BtfJsonFormatter.Write(spec, buffered, pretty); break;
            case Format.C:
                try { BtfCFormatter.Write(spec, buffered); }
                catch (NotSupportedException e) { throw new CliException(e.Message); }
                break;
        }
        buffered.Flush();
        return 0;
    }
}
