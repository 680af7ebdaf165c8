using System.CommandLine;
using BpfSharp.Cli.Output;
using BpfSharp.Linux;
using BpfSharp.Linux.Inspection;

namespace BpfSharp.Cli.Commands;

/// <summary>The 'link' verb group (bpftool's <c>link</c>): show|list [LINK], pin LINK FILE, detach LINK.</summary>
internal static class LinkCommand
{
    public static Command Create()
    {
        var command = new Command("link", "Inspect, pin and detach BPF links, like 'bpftool link'.");
        var show = MapCommand.Verb("show", "Show every link, or LINK (id ID | pinned FILE), like 'bpftool link show'.",
            "[LINK]: id ID | pinned FILE", Show);
        show.Aliases.Add("list");
        command.Subcommands.Add(show);
        command.Subcommands.Add(MapCommand.Verb("pin", "Pin LINK (id ID | pinned FILE) at FILE on a bpffs mount.", "LINK FILE", Pin));
        command.Subcommands.Add(MapCommand.Verb("detach", "Detach LINK (id ID | pinned FILE) from its hook, whoever holds it.", "LINK", Detach));
        return command;
    }

    private static int Show(IReadOnlyList<string> words, System.CommandLine.ParseResult result)
    {
        var output = new BpftoolOutput(result);
        if (words.Count == 2)
        {
            var at = 0;
            using var fd = ObjectSelectors.Link(words, ref at);
            Write(output, ReadInfo(fd));
            output.Finish();
            return 0;
        }
        if (words.Count != 0) throw CliException.Usage($"expected LINK (id ID | pinned FILE), got: '{string.Join(' ', words)}'");
        List<BpfLinkInfo> links;
        try
        {
            links = BpfLinkInfo.ListAll();
        }
        catch (BpfSyscallException e)
        {
            throw CliException.Kernel($"can't get next link: {e.ErrnoName}");
        }
        if (output.IsJson) output.Json.StartArray();
        foreach (var link in links)
        {
            Write(output, link);
            output.Flush();
        }
        if (output.IsJson) output.Json.EndArray();
        output.Finish();
        return 0;
    }

    private static BpfLinkInfo ReadInfo(BpfFileDescriptor fd)
    {
        try
        {
            return BpfLinkInfo.Read(fd);
        }
        catch (BpfSyscallException e)
        {
            throw CliException.Kernel($"can't get link info: {e.ErrnoName}");
        }
    }

    /// <summary>One link, plain (<c>show_link_close_plain</c>) or JSON (<c>show_link_close_json</c>).</summary>
    private static void Write(BpftoolOutput output, BpfLinkInfo link)
    {
        var typeName = link.TypeName;
        if (output.IsJson)
        {
            var j = output.Json;
            j.StartObject();
            j.Number("id", (ulong)link.Id);
            if (typeName is not null) j.String("type", typeName);
            else j.Number("type", (ulong)link.Type);
            j.Number("prog_id", (ulong)link.ProgramId);
            if (link.TracepointName is { } tp) j.String("tp_name", tp);
            if (link.Type == 2) j.String("prog_type", ProgramTypeOf(link.ProgramId));
            if (link.CgroupId is { } cgroup) j.Number("cgroup_id", cgroup);
            if (link.IteratorTarget is { } target)
            {
                j.String("target_name", target);
                if (link.IteratorMapId is { } iterMap) j.Number("map_id", (ulong)iterMap);
            }
            if (link.NetnsInode is { } netns) j.Number("netns_ino", netns);
            if (link.Ifindex is { } ifindex && link.Type != XdpLinkType) j.Number("ifindex", (ulong)ifindex);
            if (link.MapId is { } mapId && link.Type != 4) j.Number("map_id", (ulong)mapId);
            if (link.AttachType is { } attach)
            {
                if (BpfLinkInfo.AttachTypeNameOf(attach) is { } attachName) j.String("attach_type", attachName);
                else j.Number("attach_type", (ulong)attach);
            }
            j.EndObject();
            return;
        }
        var text = output.Text;
        text.Append($"{link.Id}: ");
        text.Append(typeName is not null ? $"{typeName}  " : $"type {link.Type}  ");
        text.Append($"prog {link.ProgramId}  ");
        if (link.TracepointName is { } name) text.Append($"\n\ttp '{name}'  ");
        if (link.Type == 2) text.Append($"\n\tprog_type {ProgramTypeOf(link.ProgramId)}  ");
        if (link.CgroupId is { } id) text.Append($"\n\tcgroup_id {id}  ");
        if (link.IteratorTarget is { } iter)
        {
            text.Append($"target_name {iter}  ");
            if (link.IteratorMapId is { } iterMap) text.Append($"map_id {iterMap}  ");
        }
        if (link.NetnsInode is { } ino) text.Append($"\n\tnetns_ino {ino}  ");
        if (link.Ifindex is { } index && link.Type != XdpLinkType) text.Append($"\n\tifindex {index}  ");
        if (link.MapId is { } map && link.Type != 4) text.Append($"\n\tmap_id {map}  ");
        if (link.AttachType is { } type)
            text.Append(BpfLinkInfo.AttachTypeNameOf(type) is { } attachName ? $"attach_type {attachName}  " : $"attach_type {type}  ");
        text.Append('\n');
    }

    // bpftool 7.1 prints no details for XDP links; kept so (the library's BpfLinkInfo has the ifindex).
    private const int XdpLinkType = 6;

    private static string ProgramTypeOf(int programId)
    {
        using var fd = BpfObjectLookup.TryOpenById(BpfObjectKind.Program, programId);
        return fd is null ? "unspec" : BpfProgramInfo.Read(fd).TypeName;
    }

    private static int Pin(IReadOnlyList<string> words, System.CommandLine.ParseResult result)
    {
        var output = new BpftoolOutput(result);
        if (words.Count != 3) throw CliException.Usage("expected LINK FILE");
        var at = 0;
        using var fd = ObjectSelectors.Link(words, ref at);
        MapEditCommand.PinObject(fd, words[at]);
        return MapEditCommand.Done(output);
    }

    private static int Detach(IReadOnlyList<string> words, System.CommandLine.ParseResult result)
    {
        var output = new BpftoolOutput(result);
        if (words.Count != 2) throw new CliException("link specifier is invalid or missing");
        var at = 0;
        using var fd = ObjectSelectors.Link(words, ref at);
        try
        {
            BpfLinkInfo.Detach(fd);
        }
        catch (BpfSyscallException e)
        {
            throw CliException.Kernel($"failed link detach: {MapDumpCommand.Strerror(e.Errno)}");
        }
        return MapEditCommand.Done(output);
    }
}
