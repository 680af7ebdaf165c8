using System.CommandLine;
using BpfSharp.Linux;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;

namespace BpfSharp.Cli.Commands;

/// <summary>The 'prog' verb group (bpftool's <c>prog</c>): loadall, show, dump, pin, attach, detach, run, tracelog.</summary>
internal static class ProgCommand
{
    public static Command Create()
    {
        var command = new Command("prog", "Load, inspect, dump, pin, attach and run BPF programs, like 'bpftool prog'.");
        command.Subcommands.Add(CreateLoadAll());
        ProgShowCommand.AddTo(command);
        ProgDumpCommand.AddTo(command);
        ProgPinCommand.AddTo(command);
        ProgAttachCommand.AddTo(command);
        ProgRunCommand.AddTo(command);
        ProgTracelogCommand.AddTo(command);
        return command;
    }

    private static Command CreateLoadAll()
    {
        var file = new Argument<string>("file") { Description = "The BPF object file (.o)." };
        var pinDir = new Argument<string>("pindir") { Description = "bpffs directory to pin the programs in (created if missing)." };
        var type = new Option<string?>("--type") { Description = "Program type for every program, as a section name (xdp, kprobe, tracepoint, ...)." };
        var pinMaps = new Option<string?>("--pinmaps") { Description = "Also pin every map in this bpffs directory." };
        var btf = new Option<string?>("--btf") { Description = "Target BTF for CO-RE instead of /sys/kernel/btf/vmlinux." };
        var command = new Command("loadall", "Load every program of an object (like 'bpftool prog loadall') and pin each at PINDIR/NAME.")
        {
            file, pinDir, type, pinMaps, btf,
        };
        command.SetAction(result => LoadAll(result.GetValue(file)!, result.GetValue(pinDir)!, result.GetValue(type),
            result.GetValue(pinMaps), result.GetValue(btf)));
        return command;
    }

    private static int LoadAll(string file, string pinDir, string? type, string? pinMapsDir, string? btf)
    {
        if (type is not null && ProgramSectionTable.Find(type) is null)
            throw CliException.Usage($"unknown program type '{type}'");
        var spec = ObjectSpec.Load(file);
        var options = new BpfLoaderOptions { ProgramSectionOverride = type, TargetBtfPath = btf };
        // Everything below is undone on failure, and only what this command created: existing directories and pins stay.
        var createdDirs = new List<string>();
        var createdPins = new List<string>();
        try
        {
            using var collection = Load(spec, options);
            EnsureDirectory(pinDir, createdDirs);
            if (pinMapsDir is not null) EnsureDirectory(pinMapsDir, createdDirs);
            try
            {
                createdPins.AddRange(collection.PinPrograms(pinDir));
                if (pinMapsDir is not null) createdPins.AddRange(collection.PinMaps(pinMapsDir));
            }
            catch (BpfSyscallException e)
            {
                throw CliException.Kernel($"failed to pin: {e.Message}");
            }
            createdPins.Clear();
            createdDirs.Clear();
            return 0;
        }
        finally
        {
            foreach (var p in createdPins) TryDelete(p);
            for (int i = createdDirs.Count - 1; i >= 0; i--)
                try { Directory.Delete(createdDirs[i]); } catch (IOException) { }
        }
    }

    internal static BpfCollection Load(ObjectSpec spec, BpfLoaderOptions options)
    {
        try
        {
            return BpfCollection.Load(spec, options);
        }
        catch (BpfVerifierException e)
        {
            if (e.VerifierLog is not null) Console.Error.WriteLine(e.VerifierLog.TrimEnd('\n', '\0'));
            if (e.SourceLocation is not null) Console.Error.WriteLine($"at {e.SourceLocation}");
            throw CliException.Kernel($"failed to load object file: program '{e.ProgramName}': {e.ErrnoName}");
        }
        catch (BpfLoadException e)
        {
            foreach (var line in e.LoaderLog.Where(l => l.Contains("failed", StringComparison.Ordinal) || l.Contains("rror", StringComparison.Ordinal)))
                Console.Error.WriteLine(line);
            throw new CliException($"failed to load object file: {e.Message}", CliRunner.ExitCodeOf(e));
        }
        catch (BpfSyscallException e)
        {
            throw CliException.Kernel($"failed to load object file: {e.Message}");
        }
    }

    private static void EnsureDirectory(string path, List<string> created)
    {
        var full = Path.GetFullPath(path);
        var missing = new Stack<string>();
        for (var d = full; !string.IsNullOrEmpty(d) && !Directory.Exists(d); d = Path.GetDirectoryName(d)!) missing.Push(d);
        while (missing.Count > 0)
        {
            var d = missing.Pop();
            Directory.CreateDirectory(d);
            created.Add(d);
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { }
    }
}
