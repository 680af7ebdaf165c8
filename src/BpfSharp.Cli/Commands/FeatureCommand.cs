using System.CommandLine;
using System.Text.Json;
using BpfSharp.Linux.Features;
using BpfSharp.Linux.Inspection;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// <c>feature probe [kernel]</c>: the system configuration (BPF sysctls and kernel config), the bpf() syscall, which
/// program types, map types and helpers (per program type) the running kernel supports and the miscellaneous
/// verifier features, in <c>bpftool feature probe</c>'s text and JSON (all its sections), decided as current libbpf
/// and bpftool decide (<see cref="BpfFeatureProbes"/>, <see cref="BpfSystemFeatures"/>).
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

    // bpftool's wording for each sysctl value (feature.c's print_* functions).
    private static string UnprivilegedText(long v) => v switch
    {
        0 => "bpf() syscall for unprivileged users is enabled",
        1 => "bpf() syscall restricted to privileged users (without recovery)",
        2 => "bpf() syscall restricted to privileged users (admin can change)",
        -1 => "Unable to retrieve required privileges for bpf() syscall",
        _ => $"bpf() syscall restriction has unknown value {v}",
    };

    private static string JitEnableText(long v) => v switch
    {
        0 => "JIT compiler is disabled",
        1 => "JIT compiler is enabled",
        2 => "JIT compiler is enabled with debugging traces in kernel logs",
        -1 => "Unable to retrieve JIT-compiler status",
        _ => $"JIT-compiler status has unknown value {v}",
    };

    private static string JitHardenText(long v) => v switch
    {
        0 => "JIT compiler hardening is disabled",
        1 => "JIT compiler hardening is enabled for unprivileged users",
        2 => "JIT compiler hardening is enabled for all users",
        -1 => "Unable to retrieve JIT hardening status",
        _ => $"JIT hardening status has unknown value {v}",
    };

    private static string JitKallsymsText(long v) => v switch
    {
        0 => "JIT compiler kallsyms exports are disabled",
        1 => "JIT compiler kallsyms exports are enabled for root",
        -1 => "Unable to retrieve JIT kallsyms export status",
        _ => $"JIT kallsyms exports status has unknown value {v}",
    };

    private static string JitLimitText(long v) => v == -1
        ? "Unable to retrieve global memory limit for JIT compiler for unprivileged users"
        : $"Global memory limit for JIT compiler for unprivileged users is {v} bytes";

    private static readonly (string Json, string Text)[] Misc =
    [
        ("have_large_insn_limit", "Large program size limit"),
        ("have_bounded_loops", "Bounded loop support"),
        ("have_v2_isa_extension", "ISA extension v2"),
        ("have_v3_isa_extension", "ISA extension v3"),
    ];

    private static bool MiscAnswer(string name) => name switch
    {
        "have_large_insn_limit" => BpfSystemFeatures.HasLargeInstructionLimit,
        "have_bounded_loops" => BpfSystemFeatures.HasBoundedLoops,
        "have_v2_isa_extension" => BpfSystemFeatures.HasIsaV2,
        _ => BpfSystemFeatures.HasIsaV3,
    };

    internal static void WriteText(TextWriter output, bool full)
    {
        output.WriteLine("Scanning system configuration...");
        output.WriteLine(UnprivilegedText(BpfSystemFeatures.UnprivilegedBpfDisabled));
        output.WriteLine(JitEnableText(BpfSystemFeatures.JitEnable));
        output.WriteLine(JitHardenText(BpfSystemFeatures.JitHarden));
        output.WriteLine(JitKallsymsText(BpfSystemFeatures.JitKallsyms));
        output.WriteLine(JitLimitText(BpfSystemFeatures.JitLimit));
        var config = BpfSystemFeatures.Config;
        if (config.Source is null) output.WriteLine("skipping kernel config, can't open file");
        else
            foreach (var option in BpfSystemFeatures.ConfigOptions)
                output.WriteLine(config[option] is { } value ? $"{option} is set to {value}" : $"{option} is not set");
        output.WriteLine();
        output.WriteLine("Scanning system call availability...");
        output.WriteLine($"bpf() syscall is {(BpfSystemFeatures.HasBpfSyscall ? "" : "NOT ")}available");
        output.WriteLine();
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
        output.WriteLine("Scanning miscellaneous eBPF features...");
        foreach (var (json, text) in Misc) output.WriteLine($"{text} is {(MiscAnswer(json) ? "" : "NOT ")}available");
        output.WriteLine();
    }

    internal static void WriteJson(Stream stream, bool pretty, bool full)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = pretty });
        json.WriteStartObject();
        json.WriteStartObject("system_config");
        json.WriteNumber("unprivileged_bpf_disabled", BpfSystemFeatures.UnprivilegedBpfDisabled);
        json.WriteNumber("bpf_jit_enable", BpfSystemFeatures.JitEnable);
        json.WriteNumber("bpf_jit_harden", BpfSystemFeatures.JitHarden);
        json.WriteNumber("bpf_jit_kallsyms", BpfSystemFeatures.JitKallsyms);
        json.WriteNumber("bpf_jit_limit", BpfSystemFeatures.JitLimit);
        var config = BpfSystemFeatures.Config;
        if (config.Source is not null)
            foreach (var option in BpfSystemFeatures.ConfigOptions)
            {
                if (config[option] is { } value) json.WriteString(option, value);
                else json.WriteNull(option);
            }
        json.WriteEndObject();
        json.WriteStartObject("syscall_config");
        json.WriteBoolean("have_bpf_syscall", BpfSystemFeatures.HasBpfSyscall);
        json.WriteEndObject();
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
        json.WriteStartObject("misc");
        foreach (var (name, _) in Misc) json.WriteBoolean(name, MiscAnswer(name));
        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }
}
