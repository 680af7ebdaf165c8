using System.CommandLine;
using System.Text;
using System.Text.Json;
using BpfSharp.Linux;
using BpfSharp.Linux.Inspection;
using BpfSharp.Linux.Links;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// The 'net' verb group: <c>net {show|list} [dev NAME]</c> with bpftool 7.1's output (xdp, tc, flow_dissector
/// sections), plus the tcx and netkit rows later bpftool versions print at the head of each device's tc rows.
/// </summary>
internal static class NetCommand
{
    private static readonly (BpfAttachType Hook, string Kind)[] DeviceHooks =
    [
        (BpfAttachType.TcxIngress, "tcx/ingress"),
        (BpfAttachType.TcxEgress, "tcx/egress"),
        (BpfAttachType.NetkitPrimary, "netkit/primary"),
        (BpfAttachType.NetkitPeer, "netkit/peer"),
    ];

    public static Command Create()
    {
        var command = new Command("net",
            "Inspect the BPF programs attached in the networking of this network namespace.\n\n" +
            "Usage: bpfsharp net { show | list } [dev NAME]");
        var args = new Argument<string[]>("dev NAME") { Description = "Only this interface.", Arity = ArgumentArity.ZeroOrMore };
        args.CompletionSources.Add("dev");
        var show = new Command("show", "List XDP, tc (tcx, netkit, clsact filters) and flow dissector attachments, like 'bpftool net show'.") { args };
        show.Aliases.Add("list");
        show.SetAction(result =>
        {
            var device = ParseArgs(result.GetValue(args) ?? []);
            Show(device, GlobalOptions.IsJson(result), GlobalOptions.IsPretty(result));
            return 0;
        });
        command.Subcommands.Add(show);
        return command;
    }

    /// <summary>The ifindex of 'dev NAME', or 0 for every interface.</summary>
    private static int ParseArgs(string[] args)
    {
        if (args.Length == 0) return 0;
        if (args[0].Length == 0 || !"dev".StartsWith(args[0], StringComparison.Ordinal))
            throw CliException.Usage($"expected 'dev', got: '{args[0]}'?");
        if (args.Length != 2) throw CliException.Usage(args.Length == 1 ? "expected a device name after 'dev'" : $"expected no more arguments, got: '{args[2]}'?");
        try
        {
            return NetworkInterfaces.IndexOf(args[1]);
        }
        catch (Exception e) when (e is BpfAttachException or ArgumentException)
        {
            throw new CliException($"invalid devname {args[1]}");
        }
    }

    private sealed record TcRow(string Device, int Index, string Kind, string? Name, int ProgramId, DeviceHookProgram? Hook);

    private static void Show(int onlyIndex, bool json, bool pretty)
    {
        var flowDissector = BtfCommand.Kernel("can't query prog", NetworkAttachments.FlowDissector);
        var interfaces = NetworkAttachments.Interfaces().Where(i => onlyIndex == 0 || i.Index == onlyIndex).ToList();
        var tc = new List<TcRow>();
        foreach (var device in interfaces)
        {
            foreach (var (hook, kind) in DeviceHooks)
                foreach (var p in NetworkAttachments.DeviceHook(device.Index, hook))
                    tc.Add(new TcRow(device.Name, device.Index, kind, ProgramName(p.ProgramId), p.ProgramId, p));
            List<TcBpfFilter> filters;
            // bpftool skips a device whose tc dump fails (it may vanish meanwhile) and goes on with the next.
            try { filters = NetworkAttachments.TcFilters(device.Index); }
            catch (BpfAttachException) { continue; }
            foreach (var f in filters) tc.Add(new TcRow(device.Name, device.Index, f.Kind, f.Name, f.ProgramId, null));
        }
        if (json) WriteJson(interfaces, tc, flowDissector, pretty);
        else WriteText(interfaces, tc, flowDissector);
    }

    /// <summary>The program's name as bpftool prints it for tcx rows; null when it has none or is gone.</summary>
    private static string? ProgramName(int id)
    {
        using var fd = BpfObjectIds.TryOpen(BpfObjectKind.Program, (uint)id);
        if (fd is null) return null;
        try
        {
            var name = BpfProgramInfo.Read(fd).Name;
            return name.Length == 0 ? null : name;
        }
        catch (BpfSyscallException)
        {
            return null;
        }
    }

    private static IEnumerable<(string Mode, int Id)> XdpModes(XdpAttachedPrograms x) => x.Attached switch
    {
        XdpAttachedMode.Driver => [("driver", x.ProgramId)],
        XdpAttachedMode.Generic => [("generic", x.ProgramId)],
        XdpAttachedMode.Hardware => [("offload", x.ProgramId)],
        XdpAttachedMode.Multiple => new[] { ("generic", x.GenericProgramId), ("driver", x.DriverProgramId), ("offload", x.HardwareProgramId) }.Where(m => m.Item2 != 0),
        _ => [],
    };

    private static IEnumerable<uint> Bits(uint flags)
    {
        for (int j = 0; j < 32; j++)
            if ((flags & (1u << j)) != 0) yield return 1u << j;
    }

    private static void WriteText(List<NetworkInterfaceXdp> interfaces, List<TcRow> tc, int flowDissector)
    {
        var text = new StringBuilder("xdp:\n");
        foreach (var device in interfaces.Where(i => i.Xdp.Attached != XdpAttachedMode.None))
        {
            text.Append($"{device.Name}({device.Index})");
            foreach (var (mode, id) in XdpModes(device.Xdp)) text.Append($" {mode} id {id}");
            text.Append('\n');
        }
        text.Append("\ntc:\n");
        foreach (var row in tc)
        {
            text.Append($"{row.Device}({row.Index}) {row.Kind}");
            if (row.Name is not null) text.Append(' ').Append(row.Name);
            if (row.Hook is { } hook)
            {
                // Later bpftool's tcx format, trailing spaces included.
                text.Append($" prog_id {hook.ProgramId} ");
                if (hook.ProgramFlags != 0) text.Append("prog_flags ").Append(string.Concat(Bits(hook.ProgramFlags).Select(b => $"{b} ")));
                if (hook.LinkId != 0)
                {
                    text.Append($"link_id {hook.LinkId} ");
                    if (hook.LinkFlags != 0) text.Append("link_flags ").Append(string.Concat(Bits(hook.LinkFlags).Select(b => $"{b} ")));
                }
            }
            else if (row.ProgramId != 0) text.Append($" id {row.ProgramId}");
            text.Append('\n');
        }
        text.Append("\nflow_dissector:\n");
        if (flowDissector > 0) text.Append($"id {flowDissector}");
        text.Append('\n');
        using var stdout = Console.OpenStandardOutput();
        stdout.Write(Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static void WriteJson(List<NetworkInterfaceXdp> interfaces, List<TcRow> tc, int flowDissector, bool pretty)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = BtfCommand.NewJsonWriter(stdout, pretty))
        {
            w.WriteStartArray();
            w.WriteStartObject();
            w.WriteStartArray("xdp");
            foreach (var device in interfaces.Where(i => i.Xdp.Attached != XdpAttachedMode.None))
            {
                w.WriteStartObject();
                w.WriteString("devname", device.Name);
                w.WriteNumber("ifindex", device.Index);
                if (device.Xdp.Attached == XdpAttachedMode.Multiple)
                {
                    w.WriteStartArray("multi_attachments");
                    foreach (var (mode, id) in XdpModes(device.Xdp))
                    {
                        w.WriteStartObject();
                        w.WriteString("mode", mode);
                        w.WriteNumber("id", id);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                else
                {
                    foreach (var (mode, id) in XdpModes(device.Xdp))
                    {
                        w.WriteString("mode", mode);
                        w.WriteNumber("id", id);
                    }
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("tc");
            foreach (var row in tc) WriteTcJson(w, row);
            w.WriteEndArray();
            w.WriteStartArray("flow_dissector");
            // bpftool writes a bare "id": N member into this array, which is no JSON; an object keeps it parseable.
            if (flowDissector > 0)
            {
                w.WriteStartObject();
                w.WriteNumber("id", flowDissector);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
        }
        stdout.WriteByte((byte)'\n');
    }

    private static void WriteTcJson(Utf8JsonWriter w, TcRow row)
    {
        w.WriteStartObject();
        if (row.Device.Length > 0) w.WriteString("devname", row.Device);
        w.WriteNumber("ifindex", row.Index);
        w.WriteString("kind", row.Kind);
        if (row.Name is not null) w.WriteString("name", row.Name);
        if (row.Hook is { } hook)
        {
            w.WriteNumber("prog_id", hook.ProgramId);
            w.WriteStartArray("prog_flags");
            foreach (var b in Bits(hook.ProgramFlags)) w.WriteNumberValue(b);
            w.WriteEndArray();
            w.WriteNumber("link_id", hook.LinkId);
            w.WriteStartArray("link_flags");
            foreach (var b in Bits(hook.LinkFlags)) w.WriteNumberValue(b);
            w.WriteEndArray();
        }
        else if (row.ProgramId != 0) w.WriteNumber("id", row.ProgramId);
        w.WriteEndObject();
    }
}
