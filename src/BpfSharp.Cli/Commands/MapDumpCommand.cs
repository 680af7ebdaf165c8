using BpfSharp.Btf;
using BpfSharp.Btf.Formatting;
using BpfSharp.Cli.Output;
using BpfSharp.Linux;
using BpfSharp.Linux.Inspection;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// The reading verbs of <c>map</c>: <c>dump</c>, <c>lookup</c>, <c>getnext</c>, and the queue/stack verbs
/// <c>peek</c>, <c>pop</c>, <c>dequeue</c>, printed as bpftool prints them (hex without BTF, BTF-formatted with it).
/// </summary>
internal static class MapDumpCommand
{
    public static void AddTo(System.CommandLine.Command map)
    {
        map.Subcommands.Add(MapCommand.Verb("dump", "Dump every entry of MAP, formatted with its BTF when it has one, like 'bpftool map dump'.",
            "MAP: id ID | pinned FILE | name NAME", Dump));
        map.Subcommands.Add(MapCommand.Verb("lookup", "Look up the value under a key: MAP [key [hex] BYTES...].",
            "MAP [key [hex] BYTES...]", (w, r) => Lookup(w, r, "lookup")));
        map.Subcommands.Add(MapCommand.Verb("getnext", "Print the key after a key (or the first key): MAP [key [hex] BYTES...].",
            "MAP [key [hex] BYTES...]", GetNext));
        map.Subcommands.Add(MapCommand.Verb("peek", "Read the head of a queue or stack map without removing it: MAP.",
            "MAP", (w, r) => Lookup(w, r, "peek")));
        map.Subcommands.Add(MapCommand.Verb("pop", "Remove and print the head of a stack or queue map: MAP.", "MAP", Pop));
        map.Subcommands.Add(MapCommand.Verb("dequeue", "Remove and print the head of a queue map: MAP.", "MAP", Pop));
    }

    private static int Dump(IReadOnlyList<string> words, System.CommandLine.ParseResult result)
    {
        if (words.Count != 2) throw CliException.Usage("expected MAP (id ID | pinned FILE | name NAME)");
        var output = new BpftoolOutput(result);
        var at = 0;
        var fds = ObjectSelectors.Maps(words, ref at);
        try
        {
            var infos = fds.Select(BpfMapInfo.Read).ToList();
            // bpftool formats with BTF in plain mode only when every matched map has BTF.
            var plainBtf = !output.IsJson && infos.All(i => i.BtfId != 0);
            var writer = output.IsJson ? output.Json : plainBtf ? new BpftoolJsonWriter(output.Text, pretty: true) : null;
            if (writer is not null && fds.Count > 1) writer.StartArray();
            var failed = false;
            for (var i = 0; i < fds.Count && !failed; i++)
            {
                failed = !DumpOne(fds[i], infos[i], output, writer, showHeader: fds.Count > 1);
                if (writer is null && i != fds.Count - 1) output.Write("\n");
            }
            if (writer is not null && fds.Count > 1) writer.EndArray();
            if (plainBtf) output.Text.Append('\n');
            output.Finish();
            return failed ? 1 : 0;
        }
        finally
        {
            ObjectSelectors.DisposeAll(fds);
        }
    }

    private static bool DumpOne(BpfFileDescriptor fd, BpfMapInfo info, BpftoolOutput output, BpftoolJsonWriter? writer, bool showHeader)
    {
        var btf = writer is null ? null : ReadBtf(info);
        var formatter = new BpfMapEntryFormatter(info, btf);
        if (writer is not null)
        {
            if (showHeader)
            {
                writer.StartObject();
                MapShowCommand.WriteHeaderJson(writer, info);
                writer.Name("elements");
            }
            writer.StartArray();
        }
        else if (showHeader)
        {
            MapShowCommand.WriteHeaderPlain(output.Text, info);
        }
        using var map = BpfMap.FromFileDescriptor(fd);
        var key = new byte[info.KeySize];
        var value = new byte[formatter.ValueBufferSize];
        var count = 0;
        var ok = true;
        var first = true;
        while (true)
        {
            bool more;
            try
            {
                more = first ? map.TryGetNextKey(ReadOnlySpan<byte>.Empty, key) : map.TryGetNextKey(key, key);
            }
            catch (BpfSyscallException)
            {
                // Maps without keys (queue, stack, ring buffer, bloom filter) end the dump as bpftool's does.
                ok = false;
                break;
            }
            if (!more) break;
            first = false;
            if (DumpElement(map, info, formatter, key, value, output, writer)) count++;
            output.Flush();
        }
        if (writer is not null)
        {
            writer.EndArray();
            if (showHeader) writer.EndObject();
        }
        else
        {
            output.Write($"Found {count} element{(count != 1 ? "s" : "")}\n");
        }
        return ok;
    }

    private static bool DumpElement(BpfMap map, BpfMapInfo info, BpfMapEntryFormatter formatter, byte[] key, byte[] value,
        BpftoolOutput output, BpftoolJsonWriter? writer)
    {
        int errno;
        try
        {
            errno = map.TryLookup(key, value) ? 0 : 2;
        }
        catch (BpfSyscallException e)
        {
            errno = e.Errno;
        }
        if (errno != 0)
        {
            // Prog arrays and maps of maps have no value to show for an empty slot.
            if (errno == 2 && info.Type is BpfMapType.ProgArray or BpfMapType.ArrayOfMaps or BpfMapType.HashOfMaps) return false;
            if (output.IsJson)
            {
                var j = output.Json;
                j.StartObject();
                j.Name("key");
                j.HexBytes(key);
                j.Name("value");
                j.StartObject();
                j.String("error", Strerror(errno));
                j.EndObject();
                j.EndObject();
            }
            else
            {
                var message = errno == 2 ? "<no entry>"
                    : errno == 28 && info.Type == BpfMapType.ReuseportSockArray ? "<cannot read>" : Strerror(errno);
                formatter.WriteHexError(output.Text, key, message);
            }
            return false;
        }
        if (output.IsJson) formatter.WriteJson(output.Json, key, value);
        else if (formatter.Btf is not null && writer is not null) formatter.WriteFormatted(writer, key, value, plainText: true);
        else formatter.WriteHex(output.Text, key, value);
        return true;
    }

    private static int Lookup(IReadOnlyList<string> words, System.CommandLine.ParseResult result, string verb)
    {
        var output = new BpftoolOutput(result);
        var at = 0;
        if (words.Count < 2) throw CliException.Usage($"expected MAP{(verb == "lookup" ? " [key DATA]" : "")}");
        using var fd = ObjectSelectors.Map(words, ref at);
        var info = BpfMapInfo.Read(fd);
        var key = new byte[info.KeySize];
        MapElementGrammar.Parse(words, at, info, key, value: null, flags: null);
        var formatter = new BpfMapEntryFormatter(info, null);
        var value = new byte[formatter.ValueBufferSize];
        using var map = BpfMap.FromFileDescriptor(fd);
        bool found;
        try
        {
            found = map.TryLookup(key, value);
        }
        catch (BpfSyscallException e)
        {
            throw CliException.Kernel($"lookup failed: {Strerror(e.Errno)}");
        }
        if (!found)
        {
            if (output.IsJson)
            {
                output.Json.Null();
            }
            else
            {
                output.Text.Append("key:\n");
                BpfMapEntryFormatter.AppendHex(output.Text, key);
                output.Text.Append("\n\nNot found\n");
            }
            output.Finish();
            return 1;
        }
        PrintKeyValue(output, info, key, value);
        output.Finish();
        return 0;
    }

    private static int Pop(IReadOnlyList<string> words, System.CommandLine.ParseResult result)
    {
        var output = new BpftoolOutput(result);
        var at = 0;
        if (words.Count < 2) throw CliException.Usage("expected MAP");
        using var fd = ObjectSelectors.Map(words, ref at);
        if (at != words.Count) throw CliException.Usage($"expected no more arguments, got: '{words[at]}'?");
        var info = BpfMapInfo.Read(fd);
        var formatter = new BpfMapEntryFormatter(info, null);
        var key = new byte[info.KeySize];
        var value = new byte[formatter.ValueBufferSize];
        using var map = BpfMap.FromFileDescriptor(fd);
        bool found;
        try
        {
            found = map.TryPop(value);
        }
        catch (BpfSyscallException e)
        {
            throw CliException.Kernel($"pop failed: {Strerror(e.Errno)}");
        }
        catch (InvalidOperationException e)
        {
            throw new CliException($"pop failed: {e.Message}");
        }
        if (!found)
        {
            if (output.IsJson) output.Json.Null();
            else output.Text.Append("Error: empty map\n");
            output.Finish();
            return 1;
        }
        PrintKeyValue(output, info, key, value);
        output.Finish();
        return 0;
    }

    /// <summary>bpftool's <c>print_key_value</c>: -j form, BTF-formatted plain form, or hex.</summary>
    private static void PrintKeyValue(BpftoolOutput output, BpfMapInfo info, byte[] key, byte[] value)
    {
        var btf = ReadBtf(info);
        var formatter = new BpfMapEntryFormatter(info, btf);
        if (output.IsJson)
        {
            formatter.WriteJson(output.Json, key, value);
        }
        else if (btf is not null)
        {
            var writer = new BpftoolJsonWriter(output.Text, pretty: true);
            formatter.WriteFormatted(writer, key, value, plainText: true);
            output.Text.Append('\n');
        }
        else
        {
            formatter.WriteHex(output.Text, key, value);
        }
    }

    private static int GetNext(IReadOnlyList<string> words, System.CommandLine.ParseResult result)
    {
        var output = new BpftoolOutput(result);
        var at = 0;
        if (words.Count < 2) throw CliException.Usage("expected MAP [key DATA]");
        using var fd = ObjectSelectors.Map(words, ref at);
        var info = BpfMapInfo.Read(fd);
        byte[]? key = null;
        if (at < words.Count)
        {
            key = new byte[info.KeySize];
            MapElementGrammar.Parse(words, at, info, key, value: null, flags: null);
        }
        var next = new byte[info.KeySize];
        using var map = BpfMap.FromFileDescriptor(fd);
        bool found;
        try
        {
            found = map.TryGetNextKey(key ?? ReadOnlySpan<byte>.Empty, next);
        }
        catch (BpfSyscallException e)
        {
            throw CliException.Kernel($"can't get next key: {Strerror(e.Errno)}");
        }
        if (!found) throw new CliException($"can't get next key: {Strerror(2)}");
        if (output.IsJson)
        {
            var j = output.Json;
            j.StartObject();
            if (key is not null)
            {
                j.Name("key");
                j.HexBytes(key);
            }
            else
            {
                j.Null("key");
            }
            j.Name("next_key");
            j.HexBytes(next);
            j.EndObject();
        }
        else
        {
            var text = output.Text;
            if (key is not null)
            {
                text.Append("key:\n");
                BpfMapEntryFormatter.AppendHex(text, key);
                text.Append('\n');
            }
            else
            {
                text.Append("key: None\n");
            }
            text.Append("next key:\n");
            BpfMapEntryFormatter.AppendHex(text, next);
            text.Append('\n');
        }
        output.Finish();
        return 0;
    }

    private static BtfSpec? ReadBtf(BpfMapInfo info)
    {
        try
        {
            return BpfMapEntryFormatter.ReadBtf(info);
        }
        catch (BpfSyscallException e)
        {
            throw CliException.Kernel($"failed to get btf: {e.ErrnoName}");
        }
    }

    /// <summary>glibc's <c>strerror</c> text for the errno values map operations return.</summary>
    internal static string Strerror(int errno) => errno switch
    {
        1 => "Operation not permitted",
        2 => "No such file or directory",
        7 => "Argument list too long",
        9 => "Bad file descriptor",
        12 => "Cannot allocate memory",
        13 => "Permission denied",
        14 => "Bad address",
        16 => "Device or resource busy",
        17 => "File exists",
        22 => "Invalid argument",
        28 => "No space left on device",
        95 => "Operation not supported",
        524 => "Unknown error 524",
        _ => $"Unknown error {errno}",
    };
}
