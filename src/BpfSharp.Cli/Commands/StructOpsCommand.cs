using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using BpfSharp.Btf;
using BpfSharp.Linux;
using BpfSharp.Linux.Inspection;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// The 'struct_ops' verb group, with bpftool's grammar: <c>struct_ops {show|list} [STRUCT_OPS_MAP]</c> and
/// <c>struct_ops dump [STRUCT_OPS_MAP]</c>, <c>STRUCT_OPS_MAP := { id ID | name NAME }</c>.
/// </summary>
internal static class StructOpsCommand
{
    private const string StructOpsPrefix = "bpf_struct_ops_";

    public static Command Create()
    {
        var command = new Command("struct_ops",
            "Inspect struct_ops maps (kernel callbacks implemented in BPF, e.g. tcp_congestion_ops).\n\n" +
            "Usage: bpfsharp struct_ops { show | list } [STRUCT_OPS_MAP]\n" +
            "       bpfsharp struct_ops dump [STRUCT_OPS_MAP]\n\n" +
            "       STRUCT_OPS_MAP := { id STRUCT_OPS_MAP_ID | name STRUCT_OPS_MAP_NAME }");
        command.Aliases.Add("struct-ops");
        foreach (var (name, dump) in new[] { ("show", false), ("dump", true) })
        {
            var which = new Argument<string[]>("STRUCT_OPS_MAP") { Description = "Optionally 'id ID' or 'name NAME'.", Arity = ArgumentArity.ZeroOrMore };
            which.CompletionSources.Add("id", "name");
            var verb = new Command(name, dump
                ? "Dump struct_ops maps as JSON (always JSON, as bpftool): id, name and the kernel struct each implements."
                : "List struct_ops maps: id, name and the kernel struct each implements, like 'bpftool struct_ops show'.") { which };
            if (!dump) verb.Aliases.Add("list");
            verb.SetAction(result => Run(result.GetValue(which) ?? [], dump || GlobalOptions.IsJson(result), GlobalOptions.IsPretty(result)));
            command.Subcommands.Add(verb);
        }
        return command;
    }

    private static int Run(string[] args, bool json, bool pretty)
    {
        var maps = Select(args);
        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            using (var w = BtfCommand.NewJsonWriter(stdout, pretty))
            {
                w.WriteStartArray();
                foreach (var (map, kernelStruct) in maps)
                {
                    w.WriteStartObject();
                    w.WriteNumber("id", map.Id);
                    w.WriteString("name", map.Name);
                    w.WriteString("kernel_struct_ops", kernelStruct);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            stdout.WriteByte((byte)'\n');
            return 0;
        }
        foreach (var (map, kernelStruct) in maps) Console.Out.WriteLine($"{map.Id}: {map.Name}: {kernelStruct}");
        return 0;
    }

    private static List<(KernelMapRecord Map, string KernelStruct)> Select(string[] args)
    {
        BtfSpec? vmlinux = null;
        string KernelStruct(KernelMapRecord m)
        {
            vmlinux ??= BtfSpec.Load("/sys/kernel/btf/vmlinux");
            if (m.VmlinuxValueTypeId <= 0 || !vmlinux.IsValidTypeId(m.VmlinuxValueTypeId)) return "";
            var name = vmlinux[m.VmlinuxValueTypeId].Name;
            return name.StartsWith(StructOpsPrefix, StringComparison.Ordinal) ? name[StructOpsPrefix.Length..] : name;
        }
        if (args.Length == 0)
        {
            var all = BtfCommand.Kernel("can't list maps", KernelMapRecord.ListAll);
            return [.. all.Where(m => m.Type == BpfMapType.StructOps).Select(m => (m, KernelStruct(m)))];
        }
        if (args.Length != 2) throw CliException.Usage($"expected 'id ID' or 'name NAME', got: '{string.Join(' ', args)}'");
        if (args[0].Length > 0 && "id".StartsWith(args[0], StringComparison.Ordinal))
        {
            if (!uint.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)) throw CliException.Usage($"invalid id {args[1]}");
            var map = BtfCommand.Kernel($"can't get map by id ({id})", () => KernelMapRecord.ReadById((int)id));
            if (map.Type != BpfMapType.StructOps) throw new CliException($"map id {id} is not a struct_ops map");
            return [(map, KernelStruct(map))];
        }
        if (args[0].Length > 0 && "name".StartsWith(args[0], StringComparison.Ordinal))
        {
            var all = BtfCommand.Kernel("can't list maps", KernelMapRecord.ListAll);
            var found = all.Where(m => m.Type == BpfMapType.StructOps && m.Name == args[1]).ToList();
            if (found.Count == 0) throw new CliException($"no struct_ops found for {args[1]}");
            return [.. found.Select(m => (m, KernelStruct(m)))];
        }
        throw CliException.Usage($"expected 'id' or 'name', got: '{args[0]}'");
    }
}
