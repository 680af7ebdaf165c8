using System.CommandLine;
using BpfSharp.Cli.Commands;

namespace BpfSharp.Cli;

internal static class Program
{
    private static int Main(string[] args) => CliRunner.Run(CreateRoot(), args);

    /// <summary>The whole command tree (tests walk it: help, completion, JSON conventions).</summary>
    internal static RootCommand CreateRoot()
    {
        var root = new RootCommand(
            "bpfsharp: inspect BTF and BPF objects, resolve CO-RE relocations against kernel BTF.\n" +
            "Usage follows bpftool: bpfsharp OBJECT COMMAND [ARGS], e.g. 'bpfsharp btf dump file /sys/kernel/btf/vmlinux format c'.");
        GlobalOptions.AddTo(root);
        root.Subcommands.Add(BtfCommand.Create());
        root.Subcommands.Add(ObjCommand.Create());
        root.Subcommands.Add(CoreCommand.Create());
        root.Subcommands.Add(ProgCommand.Create());
        root.Subcommands.Add(MapCommand.Create());
        root.Subcommands.Add(IterCommand.Create());
        root.Subcommands.Add(LinkCommand.Create());
        root.Subcommands.Add(GenCommand.Create());
        root.Subcommands.Add(FeatureCommand.Create());
        root.Subcommands.Add(CompileCommand.Create());
        root.Subcommands.Add(CgroupCommand.Create());
        root.Subcommands.Add(StructOpsCommand.Create());
        root.Subcommands.Add(NetCommand.Create());
        root.Subcommands.Add(CompletionCommand.Create());
        return root;
    }
}
