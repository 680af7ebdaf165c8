using System.CommandLine;
using System.Text;
using System.Text.Json;
using BpfSharp.Linux;

namespace BpfSharp.Cli.Commands;

/// <summary>The 'map' verb group: dump.</summary>
internal static class MapCommand
{
    public static Command Create()
    {
        var command = new Command("map", "Inspect BPF maps in the kernel.");
        command.Subcommands.Add(CreateDump());
        return command;
    }

    private static Command CreateDump()
    {
        var target = new Argument<string[]>("map")
        {
            Description = "The map: a bpffs path, 'pinned PATH' or 'id ID'.",
            Arity = new ArgumentArity(1, 2),
        };
        var command = new Command("dump", "Dump every entry of a map in hex, like 'bpftool map dump' for maps without BTF.") { target };
        command.SetAction(result =>
        {
            using var map = Open(result.GetValue(target)!);
            var pretty = GlobalOptions.IsPretty(result);
            var entries = ReadAll(map);
            if (result.GetValue(GlobalOptions.Json) || pretty) WriteJson(map, entries, Console.OpenStandardOutput(), pretty);
            else WriteText(map, entries, Console.Out);
            return 0;
        });
        return command;
    }

    private static BpfMap Open(string[] words)
    {
        try
        {
            return words switch
            {
                ["id", var id] => BpfMap.OpenById(int.TryParse(id, out var n) ? n : throw CliException.Usage($"'{id}' is not a map id")),
                ["pinned", var path] => BpfMap.OpenPinned(path),
                [var path] => BpfMap.OpenPinned(path),
                _ => throw CliException.Usage("expected PATH, 'pinned PATH' or 'id ID'"),
            };
        }
        catch (BpfSyscallException e)
        {
            throw CliException.Kernel($"can't open map {string.Join(' ', words)}: {e.Message}");
        }
    }

    internal static List<(byte[] Key, byte[] Value)> ReadAll(BpfMap map)
    {
        if (map.Type is BpfMapType.Queue or BpfMapType.Stack or BpfMapType.RingBuf or BpfMapType.UserRingBuf or BpfMapType.BloomFilter)
            throw new CliException($"map {map.Id} ({map.Type}) has no keys to dump");
        var entries = new List<(byte[], byte[])>();
        var key = new byte[map.KeySize];
        var next = new byte[map.KeySize];
        var first = true;
        while (first ? map.TryGetNextKey(ReadOnlySpan<byte>.Empty, next) : map.TryGetNextKey(key, next))
        {
            first = false;
            next.CopyTo(key, 0);
            var value = new byte[map.ValueBufferSize];
            // Maps of maps, prog arrays and perf arrays hold fds the syscall cannot return; bpftool skips them the same way.
            try
            {
                if (map.TryLookup(key, value)) entries.Add((key.ToArray(), value));
            }
            catch (BpfSyscallException)
            {
                entries.Add((key.ToArray(), []));
            }
        }
        return entries;
    }

    private static bool IsPerCpu(BpfMap map) => map.ValueBufferSize != map.ValueSize ||
        map.Type is BpfMapType.PerCpuArray or BpfMapType.PerCpuHash or BpfMapType.LruPerCpuHash or BpfMapType.PerCpuCgroupStorage;

    /// <summary>bpftool's <c>fprint_hex</c>: bytes separated by a space, two spaces after every 8, a newline after every 16.</summary>
    internal static void AppendHex(StringBuilder output, ReadOnlySpan<byte> data)
    {
        for (var i = 0; i < data.Length; i++)
        {
            if (i > 0) output.Append(i % 16 == 0 ? "\n" : i % 8 == 0 ? "  " : " ");
            output.Append(data[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    internal static void WriteText(BpfMap map, List<(byte[] Key, byte[] Value)> entries, TextWriter writer)
    {
        var output = new StringBuilder();
        var perCpu = IsPerCpu(map);
        var stride = (map.ValueSize + 7) & ~7;
        foreach (var (key, value) in entries)
        {
            if (value.Length == 0)
            {
                output.Append("key:\n");
                AppendHex(output, key);
                output.Append("\n\nCan't lookup element\n");
                continue;
            }
            if (!perCpu)
            {
                var breakNames = map.KeySize > 16 || map.ValueSize > 16;
                var singleLine = map.KeySize + map.ValueSize <= 24 && !breakNames;
                output.Append("key:").Append(breakNames ? '\n' : ' ');
                AppendHex(output, key);
                output.Append(singleLine ? "  " : "\n");
                output.Append("value:").Append(breakNames ? '\n' : ' ');
                AppendHex(output, value.AsSpan(0, map.ValueSize));
                output.Append('\n');
            }
            else
            {
                output.Append("key:\n");
                AppendHex(output, key);
                output.Append('\n');
                for (var cpu = 0; cpu * stride < value.Length; cpu++)
                {
                    output.Append($"value (CPU {cpu:D2}):").Append(map.ValueSize > 16 ? '\n' : ' ');
                    AppendHex(output, value.AsSpan(cpu * stride, map.ValueSize));
                    output.Append('\n');
                }
            }
        }
        output.Append($"Found {entries.Count(e => e.Value.Length > 0)} element{(entries.Count(e => e.Value.Length > 0) != 1 ? "s" : "")}\n");
        writer.Write(output.ToString());
    }

    internal static void WriteJson(BpfMap map, List<(byte[] Key, byte[] Value)> entries, Stream stream, bool pretty)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = pretty });
        var perCpu = IsPerCpu(map);
        var stride = (map.ValueSize + 7) & ~7;
        json.WriteStartArray();
        foreach (var (key, value) in entries)
        {
            if (value.Length == 0) continue;
            json.WriteStartObject();
            WriteBytes(json, "key", key);
            if (!perCpu)
            {
                WriteBytes(json, "value", value.AsSpan(0, map.ValueSize));
            }
            else
            {
                json.WriteStartArray("values");
                for (var cpu = 0; cpu * stride < value.Length; cpu++)
                {
                    json.WriteStartObject();
                    json.WriteNumber("cpu", cpu);
                    WriteBytes(json, "value", value.AsSpan(cpu * stride, map.ValueSize));
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }

    private static void WriteBytes(Utf8JsonWriter json, string name, ReadOnlySpan<byte> bytes)
    {
        json.WriteStartArray(name);
        foreach (var b in bytes) json.WriteStringValue("0x" + b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteEndArray();
    }
}
