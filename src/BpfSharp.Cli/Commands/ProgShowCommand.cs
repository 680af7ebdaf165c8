using System.Globalization;
using BpfSharp.Btf;
using BpfSharp.Btf.Formatting;
using BpfSharp.Cli.Output;
using BpfSharp.Linux;
using BpfSharp.Linux.Inspection;

namespace BpfSharp.Cli.Commands;

/// <summary><c>prog show|list [PROG]</c>: the programs in the kernel, like <c>bpftool prog show</c>.</summary>
internal static class ProgShowCommand
{
    public static void AddTo(System.CommandLine.Command prog)
    {
        var show = MapCommand.Verb("show",
            "Show every program, or those PROG names (id ID | pinned FILE | tag TAG | name NAME), like 'bpftool prog show'.",
            "[PROG]: id ID | pinned FILE | tag TAG | name NAME", Run);
        show.Aliases.Add("list");
        prog.Subcommands.Add(show);
    }

    private static int Run(IReadOnlyList<string> words, System.CommandLine.ParseResult result)
    {
        var output = new BpftoolOutput(result);
        List<BpfFileDescriptor> fds;
        var all = words.Count == 0;
        if (all)
        {
            fds = [];
            try
            {
                foreach (var id in BpfObjectLookup.Ids(BpfObjectKind.Program))
                    if (BpfObjectLookup.TryOpenById(BpfObjectKind.Program, id) is { } fd) fds.Add(fd);
            }
            catch (BpfSyscallException e)
            {
                ObjectSelectors.DisposeAll(fds);
                throw CliException.Kernel($"can't get next program: {e.ErrnoName}");
            }
        }
        else
        {
            if (words.Count != 2) throw CliException.Usage($"expected PROG (id ID | pinned FILE | tag TAG | name NAME), got: '{string.Join(' ', words)}'");
            var at = 0;
            fds = ObjectSelectors.Programs(words, ref at);
        }
        try
        {
            var array = output.IsJson && (all || fds.Count > 1);
            if (array) output.Json.StartArray();
            foreach (var fd in fds)
            {
                Write(output, fd, BpfProgramInfo.Read(fd));
                output.Flush();
            }
            if (array) output.Json.EndArray();
        }
        finally
        {
            ObjectSelectors.DisposeAll(fds);
        }
        output.Finish();
        return 0;
    }

    /// <summary>One program, plain (<c>print_prog_plain</c>) or JSON (<c>print_prog_json</c>).</summary>
    internal static void Write(BpftoolOutput output, BpfFileDescriptor fd, BpfProgramInfo p)
    {
        if (output.IsJson)
        {
            var j = output.Json;
            j.StartObject();
            WriteHeaderJson(j, fd, p);
            if (p.LoadTimeSinceBoot != 0)
            {
                j.Name("loaded_at");
                j.Raw(p.LoadedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
                j.Number("uid", (ulong)p.Uid);
            }
            j.Number("bytes_xlated", (ulong)p.XlatedSize);
            j.Boolean("jited", p.JitedSize > 0);
            if (p.JitedSize > 0) j.Number("bytes_jited", (ulong)p.JitedSize);
            if (p.Memlock is { } memlock) j.Number("bytes_memlock", memlock);
            if (p.MapIds.Count > 0)
            {
                j.Name("map_ids");
                j.StartArray();
                foreach (var id in p.MapIds) j.Number((ulong)id);
                j.EndArray();
            }
            if (p.BtfId != 0) j.Number("btf_id", p.BtfId);
            WriteMetadata(output, p);
            j.EndObject();
            return;
        }
        var text = output.Text;
        WriteHeaderPlain(text, fd, p);
        if (p.LoadTimeSinceBoot != 0) text.Append($"\tloaded_at {FormatTime(p.LoadedAt.ToLocalTime())}  uid {p.Uid}\n");
        text.Append($"\txlated {p.XlatedSize}B");
        text.Append(p.JitedSize > 0 ? $"  jited {p.JitedSize}B" : "  not jited");
        if (p.Memlock is { } bytes) text.Append($"  memlock {bytes}B");
        if (p.MapIds.Count > 0) text.Append($"  map_ids {string.Join(',', p.MapIds)}");
        if (p.BtfId != 0) text.Append($"\n\tbtf_id {p.BtfId}");
        text.Append('\n');
        WriteMetadata(output, p);
    }

    /// <summary>bpftool's <c>print_prog_header_json</c>.</summary>
    internal static void WriteHeaderJson(BpftoolJsonWriter j, BpfFileDescriptor fd, BpfProgramInfo p)
    {
        j.Number("id", (ulong)p.Id);
        if (Enum.IsDefined(p.Type)) j.String("type", p.TypeName);
        else j.Number("type", (ulong)p.Type);
        if (p.Name.Length > 0) j.String("name", FullName(fd, p));
        j.Name("tag");
        j.Raw($"\"{p.Tag}\"");
        j.Boolean("gpl_compatible", p.GplCompatible);
        if (p.RunTimeNanoseconds != 0)
        {
            j.Number("run_time_ns", p.RunTimeNanoseconds);
            j.Number("run_cnt", p.RunCount);
        }
        if (p.RecursionMisses != 0) j.Number("recursion_misses", p.RecursionMisses);
        if (p.Ifindex != 0) j.Number("ifindex", p.Ifindex);
    }

    /// <summary>bpftool's <c>print_prog_header_plain</c>, with its new line.</summary>
    internal static void WriteHeaderPlain(System.Text.StringBuilder text, BpfFileDescriptor fd, BpfProgramInfo p)
    {
        text.Append($"{p.Id}: ");
        text.Append(Enum.IsDefined(p.Type) ? $"{p.TypeName}  " : $"type {(uint)p.Type}  ");
        if (p.Name.Length > 0) text.Append($"name {FullName(fd, p)}  ");
        text.Append($"tag {p.Tag}");
        if (p.Ifindex != 0) text.Append($"  ifindex {p.Ifindex}");
        if (p.GplCompatible) text.Append("  gpl");
        if (p.RunTimeNanoseconds != 0) text.Append($" run_time_ns {p.RunTimeNanoseconds} run_cnt {p.RunCount}");
        if (p.RecursionMisses != 0) text.Append($" recursion_misses {p.RecursionMisses}");
        text.Append('\n');
    }

    /// <summary>bpftool's <c>get_prog_full_name</c>.</summary>
    internal static string FullName(BpfFileDescriptor fd, BpfProgramInfo p) => BpfProgramInfo.ReadFullName(fd, p);

    /// <summary>
    /// bpftool's <c>show_prog_metadata</c>: the <c>bpf_metadata_*</c> variables of the program's <c>.rodata</c> map,
    /// formatted with its BTF.
    /// </summary>
    private static void WriteMetadata(BpftoolOutput output, BpfProgramInfo p)
    {
        var found = FindMetadata(p);
        if (found is null) return;
        var (btf, section, value) = found.Value;
        var printedHeader = false;
        for (var i = 0; i < section.Vlen; i++)
        {
            var entry = section.GetDataSecVar(i);
            var variable = btf[entry.TypeId];
            var name = variable.Name;
            if (!name.StartsWith("bpf_metadata_", StringComparison.Ordinal)) continue;
            var data = entry.Offset < value.Length ? value.AsSpan((int)entry.Offset) : [];
            if (output.IsJson)
            {
                if (!printedHeader)
                {
                    output.Json.Name("metadata");
                    output.Json.StartObject();
                    printedHeader = true;
                }
                output.Json.Name(name["bpf_metadata_".Length..]);
                if (!BtfValueFormatter.Write(btf, variable.ReferencedTypeId, data, output.Json, plainText: false)) break;
            }
            else
            {
                if (!printedHeader)
                {
                    output.Text.Append("\tmetadata:");
                    printedHeader = true;
                }
                output.Text.Append($"\n\t\t{name["bpf_metadata_".Length..]} = ");
                if (!BtfValueFormatter.Write(btf, variable.ReferencedTypeId, data, new BpftoolJsonWriter(output.Text, pretty: false), plainText: true)) break;
            }
        }
        if (!printedHeader) return;
        if (output.IsJson) output.Json.EndObject();
        else output.Text.Append('\n');
    }

    private static (BtfSpec Btf, BtfType Section, byte[] Value)? FindMetadata(BpfProgramInfo p)
    {
        foreach (var mapId in p.MapIds)
        {
            using var fd = BpfObjectLookup.TryOpenById(BpfObjectKind.Map, mapId);
            if (fd is null) return null;
            var info = BpfMapInfo.Read(fd);
            if (info.Type != BpfMapType.Array || info.KeySize != 4 || info.MaxEntries != 1 || info.BtfValueTypeId == 0 ||
                !info.Name.Contains(".rodata", StringComparison.Ordinal)) continue;
            using var map = BpfMap.FromFileDescriptor(fd);
            var value = new byte[info.ValueSize];
            try
            {
                if (!map.TryLookup(new byte[4], value)) return null;
                var btf = KernelBtfObjects.ReadById(info.BtfId);
                var section = btf[info.BtfValueTypeId];
                return section.Kind == BtfKind.DataSec ? (btf, section, value) : null;
            }
            catch (Exception e) when (e is BpfSyscallException or BpfFormatException)
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>strftime's <c>%FT%T%z</c>, as bpftool prints load times.</summary>
    private static string FormatTime(DateTimeOffset time)
    {
        var offset = time.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        return time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + $"{sign}{offset.Hours:D2}{offset.Minutes:D2}";
    }
}
