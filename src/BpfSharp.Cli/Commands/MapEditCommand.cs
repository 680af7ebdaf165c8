using BpfSharp.Cli.Output;
using BpfSharp.Linux;
using BpfSharp.Linux.Inspection;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// The writing verbs of <c>map</c>: <c>update</c> (and <c>push</c>/<c>enqueue</c> for queues and stacks),
/// <c>delete</c>, <c>pin</c>, <c>freeze</c>. They print nothing, or <c>null</c> under <c>-j</c>, like bpftool.
/// </summary>
internal static class MapEditCommand
{
    public static void AddTo(System.CommandLine.Command map)
    {
        map.Subcommands.Add(MapCommand.Verb("update", "Set the value under a key: MAP [key [hex] BYTES...] [value [hex] BYTES... | value PROG | value MAP] [any|exist|noexist].",
            "MAP [key DATA] [value VALUE] [UPDATE_FLAGS]", Update));
        map.Subcommands.Add(MapCommand.Verb("push", "Push a value onto a stack or queue map: MAP value [hex] BYTES...",
            "MAP value DATA", Update));
        map.Subcommands.Add(MapCommand.Verb("enqueue", "Enqueue a value into a queue map: MAP value [hex] BYTES...",
            "MAP value DATA", Update));
        map.Subcommands.Add(MapCommand.Verb("delete", "Delete the entry under a key: MAP key [hex] BYTES...", "MAP key DATA", Delete));
        map.Subcommands.Add(MapCommand.Verb("pin", "Pin MAP at FILE on a bpffs mount: MAP FILE.", "MAP FILE", Pin));
        map.Subcommands.Add(MapCommand.Verb("freeze", "Freeze MAP: user space can no longer change it.", "MAP", Freeze));
    }

    private static int Update(IReadOnlyList<string> words, System.CommandLine.ParseResult result)
    {
        var output = new BpftoolOutput(result);
        if (words.Count < 2) throw CliException.Usage("expected MAP [key DATA] [value VALUE] [UPDATE_FLAGS]");
        var at = 0;
        using var fd = ObjectSelectors.Map(words, ref at);
        var info = BpfMapInfo.Read(fd);
        var key = new byte[info.KeySize];
        var value = new byte[new BpfMapEntryFormatter(info, null).ValueBufferSize];
        var flags = BpfMapUpdateFlags.Any;
        using var valueFd = MapElementGrammar.Parse(words, at, info, key, value, f => flags = f);
        using var map = BpfMap.FromFileDescriptor(fd);
        try
        {
            map.Update(key, value, flags);
        }
        catch (BpfSyscallException e)
        {
            throw CliException.Kernel($"update failed: {MapDumpCommand.Strerror(e.Errno)}");
        }
        return Done(output);
    }

    private static int Delete(IReadOnlyList<string> words, System.CommandLine.ParseResult result)
    {
        var output = new BpftoolOutput(result);
        if (words.Count < 2) throw CliException.Usage("expected MAP key DATA");
        var at = 0;
        using var fd = ObjectSelectors.Map(words, ref at);
        var info = BpfMapInfo.Read(fd);
        var key = new byte[info.KeySize];
        MapElementGrammar.Parse(words, at, info, key, value: null, flags: null);
        using var map = BpfMap.FromFileDescriptor(fd);
        bool deleted;
        try
        {
            deleted = map.Delete(key);
        }
        catch (BpfSyscallException e)
        {
            throw CliException.Kernel($"delete failed: {MapDumpCommand.Strerror(e.Errno)}");
        }
        if (!deleted) throw new CliException($"delete failed: {MapDumpCommand.Strerror(2)}");
        return Done(output);
    }

    private static int Pin(IReadOnlyList<string> words, System.CommandLine.ParseResult result)
    {
        var output = new BpftoolOutput(result);
        if (words.Count != 3) throw CliException.Usage("expected MAP FILE");
        var at = 0;
        using var fd = ObjectSelectors.Map(words, ref at);
        PinObject(fd, words[at]);
        return Done(output);
    }

    private static int Freeze(IReadOnlyList<string> words, System.CommandLine.ParseResult result)
    {
        var output = new BpftoolOutput(result);
        if (words.Count < 2) throw CliException.Usage("expected MAP");
        var at = 0;
        using var fd = ObjectSelectors.Map(words, ref at);
        if (at != words.Count) throw new CliException($"bad argument: '{words[at]}'");
        using var map = BpfMap.FromFileDescriptor(fd);
        try
        {
            map.Freeze();
        }
        catch (BpfSyscallException e)
        {
            throw CliException.Kernel($"failed to freeze map: {MapDumpCommand.Strerror(e.Errno)}");
        }
        return Done(output);
    }

    /// <summary>bpftool's <c>do_pin_fd</c>: pins, with its error message on failure.</summary>
    internal static void PinObject(BpfFileDescriptor fd, string path)
    {
        try
        {
            ObjectPins.Pin(fd, path);
        }
        catch (BpfSyscallException e)
        {
            throw CliException.Kernel($"can't pin the object ({path}): {MapDumpCommand.Strerror(e.Errno)}");
        }
    }

    /// <summary>Success: nothing in plain mode, <c>null</c> under <c>-j</c>.</summary>
    internal static int Done(BpftoolOutput output)
    {
        if (output.IsJson) output.Json.Null();
        else output.NoJsonDocument();
        output.Finish();
        return 0;
    }
}
