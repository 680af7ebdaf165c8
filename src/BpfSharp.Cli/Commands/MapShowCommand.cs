using BpfSharp.Cli.Output;
using BpfSharp.Linux;
using BpfSharp.Linux.Inspection;

namespace BpfSharp.Cli.Commands;

/// <summary><c>map show|list [MAP]</c>: the maps in the kernel, like <c>bpftool map show</c>.</summary>
internal static class MapShowCommand
{
    public static void AddTo(System.CommandLine.Command map)
    {
        var show = MapCommand.Verb("show", "Show every map, or those MAP names (id ID | pinned FILE | name NAME), like 'bpftool map show'.",
            "[MAP]: id ID | pinned FILE | name NAME", Run);
        show.Aliases.Add("list");
        map.Subcommands.Add(show);
    }

    private static int Run(IReadOnlyList<string> words, System.CommandLine.ParseResult result)
    {
        var output = new BpftoolOutput(result);
        if (words.Count == 0)
        {
            List<BpfMapInfo> maps;
            try
            {
                maps = BpfMapInfo.ListAll();
            }
            catch (BpfSyscallException e)
            {
                throw CliException.Kernel($"can't get next map: {e.ErrnoName}");
            }
            if (output.IsJson) output.Json.StartArray();
            foreach (var m in maps) Write(output, m);
            if (output.IsJson) output.Json.EndArray();
            output.Finish();
            return 0;
        }
        if (words.Count != 2) throw CliException.Usage($"expected MAP (id ID | pinned FILE | name NAME), got: '{string.Join(' ', words)}'");
        var at = 0;
        var fds = ObjectSelectors.Maps(words, ref at);
        try
        {
            if (output.IsJson && fds.Count > 1) output.Json.StartArray();
            foreach (var fd in fds) Write(output, BpfMapInfo.Read(fd));
            if (output.IsJson && fds.Count > 1) output.Json.EndArray();
        }
        finally
        {
            ObjectSelectors.DisposeAll(fds);
        }
        output.Finish();
        return 0;
    }

    /// <summary>One map, plain (<c>show_map_close_plain</c>) or JSON (<c>show_map_close_json</c>).</summary>
    internal static void Write(BpftoolOutput output, BpfMapInfo m)
    {
        if (output.IsJson)
        {
            var j = output.Json;
            j.StartObject();
            WriteHeaderJson(j, m);
            j.Number("bytes_key", (ulong)m.KeySize);
            j.Number("bytes_value", (ulong)m.ValueSize);
            j.Number("max_entries", (ulong)(uint)m.MaxEntries);
            if (m.Memlock is { } memlock) j.Number("bytes_memlock", memlock);
            if (m.Type == BpfMapType.ProgArray)
            {
                if (m.OwnerProgramType is { } owner) j.String("owner_prog_type", BpfTypeNames.Of((BpfProgramType)owner));
                if (m.OwnerJited is { } jited) j.Boolean("owner_jited", jited);
            }
            j.Number("frozen", m.Frozen ? 1 : 0);
            if (m.BtfId != 0) j.Number("btf_id", m.BtfId);
            j.EndObject();
            return;
        }
        var text = output.Text;
        WriteHeaderPlain(text, m);
        text.Append($"\tkey {m.KeySize}B  value {m.ValueSize}B  max_entries {(uint)m.MaxEntries}");
        if (m.Memlock is { } bytes) text.Append($"  memlock {bytes}B");
        if (m.Type == BpfMapType.ProgArray && (m.OwnerProgramType is not null || m.OwnerJited is not null))
        {
            text.Append("\n\t");
            if (m.OwnerProgramType is { } owner) text.Append($"owner_prog_type {BpfTypeNames.Of((BpfProgramType)owner)}  ");
            if (m.OwnerJited is { } jited) text.Append(jited ? "owner jited" : "owner not jited");
        }
        if (m.BtfId != 0 || m.Frozen) text.Append("\n\t");
        if (m.BtfId != 0) text.Append($"btf_id {m.BtfId}");
        if (m.Frozen) text.Append(m.BtfId != 0 ? "  frozen" : "frozen");
        text.Append('\n');
    }

    /// <summary>bpftool's <c>show_map_header_json</c>: id, type, name, flags.</summary>
    internal static void WriteHeaderJson(Btf.Formatting.BpftoolJsonWriter j, BpfMapInfo m)
    {
        j.Number("id", (ulong)m.Id);
        if ((uint)m.Type <= (uint)BpfMapType.Arena) j.String("type", m.TypeName);
        else j.Number("type", (ulong)m.Type);
        if (m.Name.Length > 0) j.String("name", m.Name);
        j.Name("flags");
        j.Raw(((int)m.Flags).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (m.Ifindex != 0) j.Number("ifindex", m.Ifindex);
    }

    /// <summary>bpftool's <c>show_map_header_plain</c>: <c>ID: TYPE  name NAME  flags 0xF</c> and a new line.</summary>
    internal static void WriteHeaderPlain(System.Text.StringBuilder text, BpfMapInfo m)
    {
        text.Append($"{m.Id}: ");
        if ((uint)m.Type <= (uint)BpfMapType.Arena) text.Append($"{m.TypeName}  ");
        else text.Append($"type {(uint)m.Type}  ");
        if (m.Name.Length > 0) text.Append($"name {m.Name}  ");
        text.Append($"flags 0x{m.Flags:x}");
        if (m.Ifindex != 0) text.Append($"  ifindex {m.Ifindex}");
        text.Append('\n');
    }
}
