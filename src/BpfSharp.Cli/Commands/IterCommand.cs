using System.CommandLine;
using BpfSharp.Linux;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;

namespace BpfSharp.Cli.Commands;

/// <summary>The 'iter' verb group (bpftool's <c>iter</c>): pin.</summary>
internal static class IterCommand
{
    public static Command Create()
    {
        var command = new Command("iter", "Create BPF iterators and pin them in bpffs.");
        command.Subcommands.Add(CreatePin());
        return command;
    }

    private static Command CreatePin()
    {
        var file = new Argument<string>("obj") { Description = "The BPF object file (.o); its first program is the iterator." };
        var path = new Argument<string>("path") { Description = "bpffs path to pin the iterator link at; 'cat PATH' then runs it." };
        var map = new Argument<string[]>("map")
        {
            Description = "Optional 'map MAP' (MAP: 'id ID' or 'pinned FILE'): the map a map-element iterator walks.",
            Arity = new ArgumentArity(0, 3),
        };
        var command = new Command("pin", "Load an object, create an iterator link for its first program and pin it (like 'bpftool iter pin OBJ PATH [map MAP]').")
        {
            file, path, map,
        };
        command.SetAction(result => Pin(result.GetValue(file)!, result.GetValue(path)!, result.GetValue(map) ?? []));
        return command;
    }

    private static int Pin(string file, string path, string[] mapWords)
    {
        BpfMap? map = null;
        if (mapWords.Length > 0)
        {
            // bpftool accepts any prefix of "map" (is_prefix), then exactly two words.
            if (mapWords[0].Length == 0 || !"map".StartsWith(mapWords[0], StringComparison.Ordinal))
                throw CliException.Usage($"expected 'map' or nothing, got: '{mapWords[0]}'");
            if (mapWords.Length != 3)
                throw CliException.Usage($"incorrect map spec: 'map' needs 2 arguments (id ID or pinned FILE), {mapWords.Length - 1} found");
            map = OpenMap(mapWords[1], mapWords[2]);
        }
        try
        {
            var spec = ObjectSpec.Load(file);
            var first = spec.Programs.FirstOrDefault(p => !p.IsSubprogram)
                ?? throw new CliException($"can't find bpf program in objfile {file}");
            using var collection = ProgCommand.Load(spec, new BpfLoaderOptions());
            IterLink link;
            try
            {
                link = IterLink.Attach(collection.Programs[first.Name], map is null ? null : IterTarget.Map(map));
            }
            catch (BpfSyscallException e)
            {
                throw CliException.Kernel($"attach_iter failed for program {first.Name}: {e.Message}");
            }
            using (link)
            {
                try
                {
                    link.Pin(path);
                }
                catch (BpfSyscallException e)
                {
                    throw CliException.Kernel($"pin_iter failed for program {first.Name} to path {path}: {e.Message}");
                }
            }
            return 0;
        }
        finally
        {
            map?.Dispose();
        }
    }

    /// <summary>The map of <c>map {id ID | pinned FILE}</c>, as bpftool's iter pin takes it.</summary>
    private static BpfMap OpenMap(string how, string what)
    {
        try
        {
            return how switch
            {
                "id" => BpfMap.OpenById(int.TryParse(what, out var n) ? n : throw CliException.Usage($"'{what}' is not a map id")),
                "pinned" => BpfMap.OpenPinned(what),
                _ => throw CliException.Usage($"expected 'id' or 'pinned', got: '{how}'"),
            };
        }
        catch (BpfSyscallException e)
        {
            throw CliException.Kernel($"can't open map {how} {what}: {e.Message}");
        }
    }
}
