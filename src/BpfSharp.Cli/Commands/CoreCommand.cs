using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using BpfSharp.Btf;
using BpfSharp.Cli.Output;
using BpfSharp.CoRe;
using BpfSharp.Objects;

namespace BpfSharp.Cli.Commands;

/// <summary>The 'core' verb group: relocate, explain.</summary>
internal static class CoreCommand
{
    private const string SysBtf = "/sys/kernel/btf";
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public static Command Create()
    {
        var command = new Command("core", "CO-RE relocation: resolve an object's relocations against kernel BTF, explain them.");
        command.Subcommands.Add(CreateRelocate());
        command.Subcommands.Add(CreateExplain());
        command.Subcommands.Add(CoreCheckCommand.Create());
        return command;
    }

    private static Argument<string> FileArgument() => new("file") { Description = "The BPF object file (.o)." };

    private static Option<string[]> TargetOption() => new("--target", "-t")
    {
        Description = "Target BTF (raw, ELF or .gz). The first plays vmlinux; with --base, every target is a module split over the base. " +
                      "Default: /sys/kernel/btf/vmlinux, then the module BTFs there (searched only when vmlinux has no candidate).",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    private static Option<string?> BaseOption() => new("--base", "-B", "--base-btf") { Description = "Base (vmlinux) BTF for split module targets.", HelpName = "FILE" };

    private static Command CreateRelocate()
    {
        var file = FileArgument();
        var targets = TargetOption();
        var baseOpt = BaseOption();
        var output = new Option<string?>("--out", "-o") { Description = "Write the relocated object here." };
        var log = new Option<bool>("--log") { Description = "Print libbpf's CO-RE debug log (same text and order as libbpf)." };
        var strict = new Option<bool>("--strict-libbpf") { Description = "Also reproduce libbpf's known bugs (see docs/core-differences.md)." };
        var command = new Command("relocate", "Apply every CO-RE relocation of an object against target BTF, as libbpf does before loading.")
            { file, targets, baseOpt, output, log, strict };
        command.SetAction(result =>
        {
            var obj = ObjectSpec.Load(result.GetValue(file)!);
            var coreTargets = LoadTargets(result.GetValue(targets) ?? [], GlobalOptions.BaseBtfPath(result, baseOpt));
            var stdout = Console.Out;
            // The log streams through one buffered writer: Console.Out flushes (one write syscall) per line.
            using var logWriter = result.GetValue(log) ? new StreamWriter(Console.OpenStandardOutput(), Utf8NoBom, 64 * 1024) : null;
            var coreLog = logWriter is null ? null : new CoReLog(logWriter);
            CoReObjectResult relocated;
            try
            {
                relocated = CoReObjectRelocation.Relocate(obj, coreTargets, new CoReOptions { StrictLibbpf = result.GetValue(strict) }, coreLog);
            }
            finally
            {
                coreLog?.Flush();
            }
            if (GlobalOptions.IsJson(result)) WriteJson(relocated.Result, Console.OpenStandardOutput(), GlobalOptions.IsPretty(result));
            else if (coreLog is null) WriteSummary(relocated.Result, stdout);
            string? outPath = result.GetValue(output);
            if (outPath is not null)
            {
                if (!relocated.Result.Succeeded)
                    throw new CliException($"not writing {outPath}: relocation failed ({CoReErrno.ToErrString(relocated.Result.Errno)})");
                WritePatched(obj, relocated, outPath);
            }
            return relocated.Result.Succeeded ? 0 : 1;
        });
        return command;
    }

    private static Command CreateExplain()
    {
        var file = FileArgument();
        var targets = TargetOption();
        var baseOpt = BaseOption();
        var command = new Command("explain", "Explain every CO-RE relocation: source line, C access path, local -> target value, outcome.")
            { file, targets, baseOpt };
        command.SetAction(result =>
        {
            var obj = ObjectSpec.Load(result.GetValue(file)!);
            var coreTargets = LoadTargets(result.GetValue(targets) ?? [], GlobalOptions.BaseBtfPath(result, baseOpt));
            var relocated = CoReObjectRelocation.Relocate(obj, coreTargets, new CoReOptions { StopAtFirstError = false });
            WriteExplain(obj, relocated.Result, Console.Out, rich: !Console.IsOutputRedirected);
            return relocated.Result.Succeeded ? 0 : 1;
        });
        return command;
    }

    internal static List<CoReTarget> LoadTargets(string[] paths, string? basePath)
    {
        var list = new List<CoReTarget>();
        if (paths.Length == 0)
        {
            if (basePath is not null) throw CliException.Usage("--base needs at least one --target");
            var vmlinux = BtfSpec.Load(Path.Combine(SysBtf, "vmlinux"));
            list.Add(new CoReTarget("vmlinux", vmlinux));
            foreach (var m in Directory.GetFiles(SysBtf).Where(f => Path.GetFileName(f) != "vmlinux").Order(StringComparer.Ordinal))
                list.Add(new CoReTarget(Path.GetFileName(m), BtfSpec.Load(m, vmlinux)));
            return list;
        }
        if (basePath is not null)
        {
            var baseSpec = BtfSpec.Load(basePath);
            list.Add(new CoReTarget("vmlinux", baseSpec));
            foreach (var p in paths) list.Add(new CoReTarget(ModuleName(p), BtfSpec.Load(p, baseSpec)));
            return list;
        }
        var first = BtfSpec.Load(paths[0]);
        list.Add(new CoReTarget("vmlinux", first));
        foreach (var p in paths.Skip(1)) list.Add(new CoReTarget(ModuleName(p), BtfSpec.Load(p, first)));
        return list;
    }

    private static string ModuleName(string path)
    {
        string name = Path.GetFileName(path);
        foreach (var ext in new[] { ".gz", ".btf", ".ko" })
            if (name.EndsWith(ext, StringComparison.Ordinal)) name = name[..^ext.Length];
        return name;
    }

    private static string Dec(ulong v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Outcome(CoReRelocationReport r) => r.Outcome switch
    {
        CoReOutcome.Patched => "patched",
        CoReOutcome.Poisoned => "poisoned",
        CoReOutcome.Error => "error",
        _ => "skipped",
    };

    private static void WriteSummary(CoReResult result, TextWriter output)
    {
        int patched = result.Relocations.Count(r => r.Outcome == CoReOutcome.Patched);
        int poisoned = result.Relocations.Count(r => r.Outcome == CoReOutcome.Poisoned);
        int errors = result.Relocations.Count(r => r.Outcome == CoReOutcome.Error);
        int skipped = result.Relocations.Count(r => r.Outcome == CoReOutcome.Skipped);
        output.WriteLine($"{result.Relocations.Count} relocations: {patched} patched, {poisoned} poisoned, {errors} errors, {skipped} skipped");
        foreach (var r in result.Relocations.Where(r => r.Outcome == CoReOutcome.Error))
            output.WriteLine($"error: {r.Message}");
    }

    private static void WriteJson(CoReResult result, Stream stream, bool pretty)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = pretty, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteNumber("errno", result.Errno);
        w.WriteStartArray("relocations");
        foreach (var r in result.Relocations)
        {
            w.WriteStartObject();
            w.WriteString("section", r.SectionName);
            w.WriteNumber("relo", r.RelocationIndex);
            if (r.ProgramName is not null) w.WriteString("program", r.ProgramName);
            w.WriteNumber("insn", r.InstructionIndex);
            w.WriteString("kind", r.Kind.ToLibbpfString());
            if (r.LocalSpec is not null) w.WriteString("local_spec", r.LocalSpec);
            if (r.TargetName is not null)
            {
                w.WriteString("target", r.TargetName);
                w.WriteNumber("target_type_id", r.TargetTypeId);
                w.WriteString("target_spec", r.TargetSpec);
            }
            w.WriteNumber("local_value", r.Value.OriginalValue);
            w.WriteNumber("target_value", r.Value.NewValue);
            w.WriteString("outcome", Outcome(r));
            if (r.Errno != 0) w.WriteNumber("errno", r.Errno);
            if (r.Message is not null) w.WriteString("message", r.Message);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        stream.WriteByte((byte)'\n');
    }

    private static void WritePatched(ObjectSpec obj, CoReObjectResult relocated, string path)
    {
        var writer = new ObjectWriter(obj);
        foreach (var section in obj.ProgramSections)
        {
            var insns = obj.GetInstructions(section.Index).ToArray();
            foreach (var p in relocated.Programs.Where(p => p.SectionName == section.Name))
                p.Instructions.CopyTo(insns, p.SectionInstructionOffset);
            writer.ReplaceInstructions(section.Index, insns);
        }
        writer.Save(path);
    }

    /// <summary>The access as a C expression on the root type: <c>task_struct->se.vruntime</c>, <c>arr[2].x</c>.</summary>
    internal static string AccessPath(BtfSpec local, CoReRelocationRecord record)
    {
        if (CoReSpec.TryParse(local, record, out var spec) != 0) return "?";
        var root = local.GetType(record.TypeId);
        string rootName = root.IsAnonymous ? "<anon>" : root.Name;
        if (record.Kind.IsTypeBased()) return $"({root.Kind.ToLibbpfString()} {rootName})";
        if (record.Kind.IsEnumValueBased()) return $"{rootName}::{Encoding.UTF8.GetString(spec.AccessorName(0))}";
        var sb = new StringBuilder(rootName);
        var accs = spec.Accessors;
        bool pointer = accs[0].Index == 0;
        if (!pointer) sb.Append('[').Append(accs[0].Index).Append(']');
        for (int i = 1; i < accs.Length; i++)
        {
            if (accs[i].HasName)
            {
                sb.Append(i == 1 && pointer ? "->" : ".").Append(Encoding.UTF8.GetString(spec.AccessorName(i)));
            }
            else
            {
                sb.Append('[').Append(accs[i].Index).Append(']');
            }
        }
        return sb.ToString();
    }

    private static string SourceLine(ObjectSpec obj, string section, CoReRelocationRecord record)
    {
        var lines = obj.BtfExt?.FindLineInfo(section);
        if (lines is null || obj.Btf is null) return "";
        BtfLineInfo? best = null;
        foreach (var li in lines.Records)
            if (li.InstructionByteOffset <= record.InstructionByteOffset && (best is null || li.InstructionByteOffset >= best.Value.InstructionByteOffset))
                best = li;
        if (best is null) return "";
        string file = Path.GetFileName(obj.Btf.GetString(best.Value.FileNameOffset));
        string text = obj.Btf.GetString(best.Value.LineOffset).Trim();
        return $"{file}:{best.Value.Line} {text}";
    }

    private static void WriteExplain(ObjectSpec obj, CoReResult result, TextWriter output, bool rich)
    {
        var table = new ReportTable("CO-RE relocations", "program", "insn", "source", "kind", "access", "local -> target", "target", "outcome");
        foreach (var r in result.Relocations)
        {
            string access = obj.Btf is null ? "?" : AccessPath(obj.Btf, r.Record);
            string values = r.Outcome is CoReOutcome.Error or CoReOutcome.Skipped ? "" : $"{Dec(r.Value.OriginalValue)} -> {(r.Value.Poison ? "poison" : Dec(r.Value.NewValue))}";
            string target = r.TargetName is null ? "-" : $"{r.TargetName} [{r.TargetTypeId}]";
            string outcome = Outcome(r) + (r.Outcome is CoReOutcome.Error or CoReOutcome.Poisoned && r.Message is not null ? ": " + r.Message : "");
            table.Add(r.ProgramName ?? "-", Dec((ulong)Math.Max(0, r.InstructionIndex)), SourceLine(obj, r.SectionName, r.Record),
                r.Kind.ToLibbpfString(), access, values, target, outcome);
        }
        table.Write(output, rich);
        int patched = result.Relocations.Count(r => r.Outcome == CoReOutcome.Patched);
        int poisoned = result.Relocations.Count(r => r.Outcome == CoReOutcome.Poisoned);
        int errors = result.Relocations.Count(r => r.Outcome == CoReOutcome.Error);
        output.WriteLine($"total: {result.Relocations.Count} relocations, {patched} patched, {poisoned} poisoned, {errors} errors");
    }
}
