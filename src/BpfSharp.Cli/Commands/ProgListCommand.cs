using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using BpfSharp.Linux;
using BpfSharp.Linux.Inspection;

namespace BpfSharp.Cli.Commands;

/// <summary><c>prog list</c> (alias <c>show</c>): every loaded program, like <c>bpftool prog list</c>.</summary>
internal static class ProgListCommand
{
    /// <summary>The <c>list</c> command, for the <c>prog</c> group.</summary>
    public static Command Create()
    {
        var command = new Command("list", "List loaded programs (id, type, name, tag, load time, uid, sizes, map ids), like 'bpftool prog list'.");
        command.Aliases.Add("show");
        command.SetAction(result =>
        {
            List<BpfProgramInfo> programs;
            try
            {
                programs = BpfProgramInfo.ListAll();
            }
            catch (BpfSyscallException e)
            {
                throw CliException.Kernel($"can't list programs: {e.Message}");
            }
            var pretty = result.GetValue(GlobalOptions.Pretty);
            if (result.GetValue(GlobalOptions.Json) || pretty) WriteJson(programs, Console.OpenStandardOutput(), pretty);
            else WriteText(programs, Console.Out);
            return 0;
        });
        return command;
    }

    internal static void WriteText(IEnumerable<BpfProgramInfo> programs, TextWriter output)
    {
        foreach (var p in programs)
        {
            output.Write($"{p.Id}: {p.TypeName}  ");
            if (p.Name.Length > 0) output.Write($"name {p.Name}  ");
            output.Write($"tag {p.Tag}");
            output.WriteLine(p.GplCompatible ? "  gpl" : "");
            output.WriteLine($"\tloaded_at {FormatTime(p.LoadedAt.ToLocalTime())}  uid {p.Uid}");
            output.Write($"\txlated {p.XlatedSize}B  ");
            output.Write(p.JitedSize > 0 ? $"jited {p.JitedSize}B" : "not jited");
            if (p.MapIds.Count > 0) output.Write($"  map_ids {string.Join(',', p.MapIds)}");
            output.WriteLine();
            if (p.BtfId > 0) output.WriteLine($"\tbtf_id {p.BtfId}");
        }
    }

    /// <summary>strftime's <c>%FT%T%z</c>, as bpftool prints load times.</summary>
    private static string FormatTime(DateTimeOffset time)
    {
        var offset = time.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        return time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + $"{sign}{offset.Hours:D2}{offset.Minutes:D2}";
    }

    internal static void WriteJson(IEnumerable<BpfProgramInfo> programs, Stream stream, bool pretty)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = pretty });
        json.WriteStartArray();
        foreach (var p in programs)
        {
            json.WriteStartObject();
            json.WriteNumber("id", p.Id);
            json.WriteString("type", p.TypeName);
            if (p.Name.Length > 0) json.WriteString("name", p.Name);
            json.WriteString("tag", p.Tag);
            json.WriteBoolean("gpl_compatible", p.GplCompatible);
            json.WriteNumber("loaded_at", p.LoadedAt.ToUnixTimeSeconds());
            json.WriteNumber("uid", p.Uid);
            json.WriteNumber("bytes_xlated", p.XlatedSize);
            json.WriteBoolean("jited", p.JitedSize > 0);
            if (p.JitedSize > 0) json.WriteNumber("bytes_jited", p.JitedSize);
            if (p.MapIds.Count > 0)
            {
                json.WriteStartArray("map_ids");
                foreach (var id in p.MapIds) json.WriteNumberValue(id);
                json.WriteEndArray();
            }
            if (p.BtfId > 0) json.WriteNumber("btf_id", p.BtfId);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }
}
