using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using BpfSharp.Cli.Output;
using BpfSharp.CoRe;
using BpfSharp.CoRe.Tools;
using Spectre.Console;

namespace BpfSharp.Cli.Commands;

/// <summary><c>core check X.o... --target FILE_OR_DIR...</c>: will these objects load on those kernels?</summary>
internal static class CoreCheckCommand
{
    /// <summary>Exit code when some object fails on some kernel.</summary>
    public const int FailsExitCode = ExitCodes.CheckFails;

    public static Command Create()
    {
        var objects = new Argument<string[]>("objects") { Description = "BPF object files (.o).", Arity = ArgumentArity.OneOrMore };
        var targets = new Option<string[]>("--target", "-t")
        {
            Description = "Kernel BTF file or directory (searched recursively for .btf, .btf.gz, .btf.xz, .btf.tar.xz). Repeatable.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
            HelpName = "FILE_OR_DIR",
        };
        var basePath = new Option<string?>("--base", "-B", "--base-btf")
        {
            Description = "Base (vmlinux) BTF when the targets are split BTF of kernel modules, as for 'core relocate --base'.",
            HelpName = "FILE",
        };
        var byProgram = new Option<bool>("--programs") { Description = "One row per program instead of per object." };
        var details = new Option<bool>("--details") { Description = "Also list every relocation that is not plainly patched, with the reason." };
        var all = new Option<bool>("--all") { Description = "With --details: list every relocation, patched ones too." };
        var strict = new Option<bool>("--strict-libbpf") { Description = "Reproduce libbpf's known bugs (see docs/core-differences.md)." };
        var command = new Command("check", "Check which objects load on which kernels: relocate every object against every kernel BTF.\n" +
            "Cells: loads (all relocations patched), guarded (poisoned instructions, all unreachable behind existence checks), " +
            $"fails (a relocation fails, or a poisoned instruction is reachable). Exit code {FailsExitCode} if any cell fails. With -j every cell, program and relocation is written, one object at a time as it is checked.")
        {
            objects, targets, basePath, byProgram, details, all, strict,
        };
        command.SetAction(result =>
        {
            var objectPaths = result.GetValue(objects)!;
            var kernelPaths = KernelBtfFiles.Expand(result.GetValue(targets)!);
            if (kernelPaths.Count == 0) throw new CliException("no kernel BTF files found under the given targets");
            var baseSpec = GlobalOptions.BaseBtfPath(result, basePath) is { } b ? KernelBtfFiles.Load(b) : null;
            var kernels = kernelPaths.Select(p => CoReKernel.FromFile(p, baseSpec)).ToList();
            var options = result.GetValue(strict) ? CoReCompatibility.DefaultOptions with { StrictLibbpf = true } : CoReCompatibility.DefaultOptions;
            var output = result.InvocationConfiguration.Output;
            if (GlobalOptions.IsJson(result))
                return WriteJsonStreamed(objectPaths, kernels, options, output, GlobalOptions.IsPretty(result)) ? 0 : FailsExitCode;
            var inputs = objectPaths.Select(CoReCheckObject.Load).ToList();
            bool rich = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
            var report = rich ? RunWithProgress(inputs, kernels, options) : CoReCompatibility.Check(inputs, kernels, options);
            WriteMatrix(report, result.GetValue(byProgram), output, rich);
            if (result.GetValue(details)) WriteDetails(report, result.GetValue(all), output, rich);
            return report.AllLoad ? 0 : FailsExitCode;
        });
        return command;
    }

    private static CoReCompatibilityReport RunWithProgress(List<CoReCheckObject> inputs, List<CoReKernel> kernels, CoReOptions options)
    {
        CoReCompatibilityReport? report = null;
        AnsiConsole.Progress().AutoClear(true).Start(ctx =>
        {
            var task = ctx.AddTask($"relocating {inputs.Count} object(s) against {kernels.Count} kernel(s)", maxValue: kernels.Count);
            report = CoReCompatibility.Check(inputs, kernels, options, _ => task.Increment(1));
        });
        return report!;
    }

    private static string Cell(CoReVerdictCounts c, CoReLoadVerdict v, string? error) => error is not null ? "fails (unreadable)" : v switch
    {
        CoReLoadVerdict.Loads => $"loads ({c.Loads})",
        CoReLoadVerdict.Guarded => $"guarded ({c.Guarded}/{c.Loads + c.Guarded})",
        _ => $"fails ({c.Fails}/{c.Loads + c.Guarded + c.Fails})",
    };

    private static string Color(CoReLoadVerdict v) => v switch
    {
        CoReLoadVerdict.Loads => "green",
        CoReLoadVerdict.Guarded => "yellow",
        _ => "red",
    };

    private static void WriteMatrix(CoReCompatibilityReport report, bool byProgram, TextWriter output, bool rich)
    {
        var rows = new List<(string Name, Func<int, (CoReVerdictCounts, CoReLoadVerdict, string?)> Cell)>();
        for (int o = 0; o < report.Objects.Count; o++)
        {
            int oi = o;
            if (!byProgram)
            {
                rows.Add((report.Objects[o], k => (report[oi, k].Counts, report[oi, k].Verdict, report[oi, k].Error)));
                continue;
            }
            // Programs are the same for every kernel; take the names from the first readable column.
            int first = Enumerable.Range(0, report.Kernels.Count).FirstOrDefault(k => report[oi, k].Error is null, -1);
            if (first < 0) { rows.Add((report.Objects[o], k => (default, CoReLoadVerdict.Fails, report[oi, k].Error))); continue; }
            var programs = report[oi, first].Programs;
            for (int p = 0; p < programs.Count; p++)
            {
                int pi = p;
                string name = $"{report.Objects[o]}:{programs[p].Name}";
                rows.Add((name, k =>
                {
                    var cell = report[oi, k];
                    if (cell.Error is not null) return (default, CoReLoadVerdict.Fails, cell.Error);
                    var prog = cell.Programs[pi];
                    return (prog.Counts, prog.Verdict, null);
                }));
            }
        }
        string[] headers = [byProgram ? "program" : "object", .. report.Kernels];
        if (rich)
        {
            var table = new Table { Title = new TableTitle("CO-RE compatibility"), Border = TableBorder.Rounded };
            foreach (var h in headers) table.AddColumn(new TableColumn(Markup.Escape(h)));
            foreach (var (name, cell) in rows)
            {
                var cells = new List<Markup> { new(Markup.Escape(name)) };
                for (int k = 0; k < report.Kernels.Count; k++)
                {
                    var (c, v, e) = cell(k);
                    cells.Add(new Markup($"[{Color(v)}]{Markup.Escape(Cell(c, v, e))}[/]"));
                }
                table.AddRow(cells);
            }
            AnsiConsole.Write(table);
            return;
        }
        var plain = new ReportTable("CO-RE compatibility", headers);
        foreach (var (name, cell) in rows)
        {
            var cells = new string[headers.Length];
            cells[0] = name;
            for (int k = 0; k < report.Kernels.Count; k++)
            {
                var (c, v, e) = cell(k);
                cells[k + 1] = Cell(c, v, e);
            }
            plain.Add(cells);
        }
        plain.Write(output, rich: false);
    }

    private static void WriteDetails(CoReCompatibilityReport report, bool all, TextWriter output, bool rich)
    {
        var table = new ReportTable("Relocations" + (all ? "" : " (not plainly patched)"),
            "object", "kernel", "program", "insn", "relo", "kind", "spec", "verdict", "reason");
        for (int o = 0; o < report.Objects.Count; o++)
            for (int k = 0; k < report.Kernels.Count; k++)
            {
                var cell = report[o, k];
                if (cell.Error is not null)
                {
                    table.Add(cell.ObjectName, cell.KernelName, "", "", "", "", "", "fails", cell.Error);
                    continue;
                }
                foreach (var r in cell.Relocations)
                {
                    if (!all && r.Verdict == CoReLoadVerdict.Loads) continue;
                    var rep = r.Report;
                    table.Add(cell.ObjectName, cell.KernelName, rep.ProgramName ?? "", Dec(rep.InstructionIndex),
                        $"{rep.SectionName}#{Dec(rep.RelocationIndex)}", rep.Kind.ToLibbpfString(), rep.LocalSpec ?? "",
                        r.Verdict.ToString().ToLowerInvariant(), r.Reason);
                }
            }
        table.Write(output, rich);
    }

    private static string Dec(int v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Writes the JSON report one object at a time, as each is checked: the output never sits in memory whole, and
    /// each object's file and relocations are dropped once written. Returns whether every cell loads.
    /// </summary>
    private static bool WriteJsonStreamed(string[] objectPaths, List<CoReKernel> kernels, CoReOptions options, TextWriter output, bool pretty)
    {
        var chunk = new MemoryStream();
        using var w = new Utf8JsonWriter(chunk, new JsonWriterOptions { Indented = pretty });
        void Drain()
        {
            w.Flush();
            output.Write(System.Text.Encoding.UTF8.GetString(chunk.GetBuffer(), 0, (int)chunk.Length));
            output.Flush();
            chunk.SetLength(0);
        }
        bool allLoad = true;
        w.WriteStartObject();
        w.WriteStartArray("kernels");
        foreach (var k in kernels) w.WriteStringValue(k.Name);
        w.WriteEndArray();
        w.WriteStartArray("objects");
        Drain();
        foreach (var row in CoReCompatibility.CheckByObject(objectPaths.Select(CoReCheckObject.Load), kernels, options))
        {
            w.WriteStartObject();
            w.WriteString("name", row.Length > 0 ? row[0].ObjectName : "");
            w.WriteStartArray("kernels");
            foreach (var cell in row)
            {
                allLoad &= cell.Verdict != CoReLoadVerdict.Fails;
                WriteCellJson(w, cell);
            }
            w.WriteEndArray();
            w.WriteEndObject();
            Drain();
        }
        w.WriteEndArray();
        w.WriteBoolean("all_load", allLoad);
        w.WriteEndObject();
        Drain();
        output.WriteLine();
        return allLoad;
    }

    private static void WriteCellJson(Utf8JsonWriter w, CoReObjectCheck cell)
    {
        w.WriteStartObject();
        w.WriteString("kernel", cell.KernelName);
        WriteVerdict(w, cell.Verdict, cell.Counts);
        if (cell.Error is not null) w.WriteString("error", cell.Error);
        w.WriteStartArray("programs");
        foreach (var p in cell.Programs)
        {
            w.WriteStartObject();
            w.WriteString("name", p.Name);
            w.WriteString("section", p.SectionName);
            w.WriteBoolean("subprogram", p.IsSubprogram);
            WriteVerdict(w, p.Verdict, p.Counts);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("relocations");
        foreach (var r in cell.Relocations)
        {
            var rep = r.Report;
            w.WriteStartObject();
            w.WriteString("section", rep.SectionName);
            w.WriteNumber("relo", rep.RelocationIndex);
            if (rep.ProgramName is not null) w.WriteString("program", rep.ProgramName);
            w.WriteNumber("insn", rep.InstructionIndex);
            w.WriteString("kind", rep.Kind.ToLibbpfString());
            if (rep.LocalSpec is not null) w.WriteString("local_spec", rep.LocalSpec);
            if (rep.TargetSpec is not null) w.WriteString("target_spec", rep.TargetSpec);
            w.WriteString("outcome", rep.Outcome.ToString().ToLowerInvariant());
            if (rep.Outcome is CoReOutcome.Patched or CoReOutcome.Poisoned)
            {
                w.WriteNumber("orig", rep.Value.OriginalValue);
                w.WriteNumber("new", rep.Value.NewValue);
            }
            if (rep.Errno != 0) w.WriteNumber("errno", rep.Errno);
            w.WriteString("verdict", r.Verdict.ToString().ToLowerInvariant());
            w.WriteString("reason", r.Reason);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteVerdict(Utf8JsonWriter w, CoReLoadVerdict v, CoReVerdictCounts c)
    {
        w.WriteString("verdict", v.ToString().ToLowerInvariant());
        w.WriteNumber("loads", c.Loads);
        w.WriteNumber("guarded", c.Guarded);
        w.WriteNumber("fails", c.Fails);
    }
}
