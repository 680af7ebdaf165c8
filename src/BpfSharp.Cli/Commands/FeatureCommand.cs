using System.CommandLine;
using System.Text.Json;
using BpfSharp.Linux.Features;
using BpfSharp.Linux.Inspection;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// <c>feature probe [kernel]</c>: which program types, map types and helpers (per program type) the running kernel
/// supports, in <c>bpftool feature probe</c>'s text and JSON (its <c>program_types</c>, <c>map_types</c> and
/// <c>helpers</c> sections), decided as current libbpf decides (<see cref="BpfFeatureProbes"/>).
/// </summary>
internal static class FeatureCommand
{
    public static Command Create()
    {
        var words = new Argument<string[]>("target") { Description = "[kernel] [full]: the running kernel (the only target); 'full' also probes the helpers that write to the kernel log when probed (bpf_trace_printk, bpf_trace_vprintk, bpf_probe_write_user), as bpftool's 'full' does.", Arity = ArgumentArity.ZeroOrMore };
        var probe = new Command("probe", "Probe the running kernel for program types, map types and helpers, like 'bpftool feature probe kernel'.") { words };
        probe.SetAction(result =>
        {
            var full = false;
            foreach (var word in result.GetValue(words) ?? [])
            {
                if (word == "full") full = true;
                else if (word != "kernel") throw CliException.Usage($"can only probe 'kernel' [full], not '{word}'");
            }
            var pretty = result.GetValue(GlobalOptions.Pretty);
            if (result.GetValue(GlobalOptions.Json) || pretty) WriteJson(Console.OpenStandardOutput(), pretty, full);
            else WriteText(Console.Out, full);
            return 0;
        });
        return new Command("feature", "Inspect what the running kernel supports.") { probe };
    }

    private static IEnumerable<BpfProgramType> ProgramTypes() =>
        Enum.GetValues<BpfProgramType>().Where(t => t != BpfProgramType.Unspecified);

    private static IEnumerable<BpfMapType> MapTypes() =>
        Enum.GetValues<BpfMapType>().Where(t => t != BpfMapType.Unspecified);

    /// <summary>The helpers of a program type; null when that cannot be probed (or the type is missing).</summary>
    private static List<string>? HelpersOf(BpfProgramType type, bool full)
    {
        if (!BpfFeatureProbes.ProgramType(type)) return null;
        var helpers = new List<string>();
        foreach (var h in BpfFeatureProbes.KernelHelpers)
        {
            // Probing these makes the kernel log a warning; bpftool leaves them out unless asked for 'full'.
            if (!full && h.Name is "bpf_trace_printk" or "bpf_trace_vprintk" or "bpf_probe_write_user") continue;
            var supported = BpfFeatureProbes.Helper(type, h.Id);
            if (supported is null) return null;
            if (supported.Value) helpers.Add(h.Name);
        }
        return helpers;
    }

    internal static void WriteText(TextWriter output, bool full)
    {
        output.WriteLine("Scanning eBPF program types...");
        foreach (var t in ProgramTypes())
            output.WriteLine($"eBPF program_type {BpfTypeNames.Of(t)} is {(BpfFeatureProbes.ProgramType(t) ? "" : "NOT ")}available");
        output.WriteLine();
        output.WriteLine("Scanning eBPF map types...");
        foreach (var t in MapTypes())
            output.WriteLine($"eBPF map_type {BpfTypeNames.Of(t)} is {(BpfFeatureProbes.MapType(t) ? "" : "NOT ")}available");
        output.WriteLine();
        output.WriteLine("Scanning eBPF helper functions...");
        foreach (var t in ProgramTypes())
        {
            output.WriteLine($"eBPF helpers supported for program type {BpfTypeNames.Of(t)}:");
            if (!BpfFeatureProbes.ProgramType(t))
            {
                output.WriteLine("\tProgram type not supported");
                continue;
            }
            var helpers = HelpersOf(t, full);
            if (helpers is null) output.WriteLine("\tCould not determine which helpers are available");
            else foreach (var h in helpers) output.WriteLine($"\t- {h}");
        }
        output.WriteLine();
    }

    internal static void WriteJson(Stream stream, bool pretty, bool full)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = pretty });
        json.WriteStartObject();
        json.WriteStartObject("program_types");
        foreach (var t in ProgramTypes()) json.WriteBoolean($"have_{BpfTypeNames.Of(t)}_prog_type", BpfFeatureProbes.ProgramType(t));
        json.WriteEndObject();
        json.WriteStartObject("map_types");
        foreach (var t in MapTypes()) json.WriteBoolean($"have_{BpfTypeNames.Of(t)}_map_type", BpfFeatureProbes.MapType(t));
        json.WriteEndObject();
        json.WriteStartObject("helpers");
        foreach (var t in ProgramTypes())
        {
            json.WriteStartArray($"{BpfTypeNames.Of(t)}_available_helpers");
            foreach (var h in HelpersOf(t, full) ?? []) json.WriteStringValue(h);
            json.WriteEndArray();
        }
        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }
}
