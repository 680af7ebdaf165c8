using BpfSharp.Cli.Output;
using BpfSharp.Linux;
using BpfSharp.Linux.Links;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// <c>prog attach|detach PROG ATTACH_TYPE [MAP]</c>: attaches a sockmap/sockhash program to a map, or a flow
/// dissector to the network namespace (<c>BPF_PROG_ATTACH</c>), like <c>bpftool prog attach|detach</c>.
/// </summary>
internal static class ProgAttachCommand
{
    public static void AddTo(System.CommandLine.Command prog)
    {
        const string Types = "ATTACH_TYPE: sk_msg_verdict | sk_skb_verdict | sk_skb_stream_verdict | sk_skb_stream_parser | flow_dissector";
        prog.Subcommands.Add(MapCommand.Verb("attach", $"Attach PROG to MAP (or flow_dissector to the netns). {Types}.",
            "PROG ATTACH_TYPE [MAP]", (w, r) => Run(w, r, attach: true)));
        prog.Subcommands.Add(MapCommand.Verb("detach", $"Detach PROG from MAP (or flow_dissector from the netns). {Types}.",
            "PROG ATTACH_TYPE [MAP]", (w, r) => Run(w, r, attach: false)));
    }

    private static int Run(IReadOnlyList<string> words, System.CommandLine.ParseResult result, bool attach)
    {
        var output = new BpftoolOutput(result);
        if (words.Count < 3) throw CliException.Usage("expected PROG ATTACH_TYPE [MAP]");
        var at = 0;
        using var program = ObjectSelectors.Program(words, ref at);
        if (at >= words.Count) throw new CliException("invalid attach/detach type");
        var type = ParseAttachType(words[at]) ?? throw new CliException("invalid attach/detach type");
        at++;
        BpfFileDescriptor? map = null;
        try
        {
            if (type != BpfAttachType.FlowDissector)
            {
                if (words.Count - at < 2) throw CliException.Usage("expected MAP (id ID | pinned FILE | name NAME)");
                map = ObjectSelectors.Map(words, ref at);
            }
            try
            {
                if (attach) ProgramAttachment.Attach(map, program, type);
                else ProgramAttachment.Detach(map, program, type);
            }
            catch (BpfSyscallException)
            {
                throw CliException.Kernel(attach ? "failed prog attach to map" : "failed prog detach from map");
            }
        }
        finally
        {
            map?.Dispose();
        }
        return MapEditCommand.Done(output);
    }

    /// <summary>bpftool's <c>parse_attach_type</c>: libbpf's names, and the old short names by prefix.</summary>
    private static BpfAttachType? ParseAttachType(string word)
    {
        (BpfAttachType Type, string Name, string? Legacy)[] table =
        [
            (BpfAttachType.SkSkbStreamParser, "sk_skb_stream_parser", "stream_parser"),
            (BpfAttachType.SkSkbStreamVerdict, "sk_skb_stream_verdict", "stream_verdict"),
            (BpfAttachType.SkMsgVerdict, "sk_msg_verdict", "msg_verdict"),
            (BpfAttachType.FlowDissector, "flow_dissector", null),
            (BpfAttachType.SkSkbVerdict, "sk_skb_verdict", "skb_verdict"),
        ];
        foreach (var (type, name, legacy) in table)
        {
            if (word == name) return type;
            if (legacy is not null && BpftoolGrammar.IsPrefix(word, legacy)) return type;
        }
        return null;
    }
}
