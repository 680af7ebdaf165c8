using System.CommandLine;
using System.Text.Json;
using BpfSharp.Compiler;

namespace BpfSharp.Cli.Commands;

/// <summary><c>bpfsharp compile ASSEMBLY -o OBJECT</c>: C# (IL + PDB) to a BPF ELF object.</summary>
internal static class CompileCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("assembly") { Description = "The .NET assembly (.dll) with BPF programs ([Xdp], [Kprobe(\"…\")], …)." };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the BPF object (default: ASSEMBLY with .bpf.o)." };
        var references = new Option<string[]>("--reference-dir", "-r") { Description = "Extra directories to find referenced assemblies in.", AllowMultipleArgumentsPerToken = true };
        var command = new Command("compile",
            "Compile the BPF programs of a .NET assembly into a BPF ELF object that libbpf, bpftool and the kernel accept. " +
            "Errors name the C# file and line.") { input, output, references };
        command.SetAction(result =>
        {
            var path = result.GetValue(input)!;
            var options = new BpfCompilerOptions();
            foreach (var dir in result.GetValue(references) ?? [])
            {
                options.ReferenceDirectories.Add(dir);
            }

            var compilation = BpfCompiler.Compile(path, options);
            var json = GlobalOptions.IsJson(result);
            foreach (var d in compilation.Diagnostics)
            {
                Console.Error.WriteLine(d.ToString());
            }

            if (!compilation.Success)
            {
                int errors = compilation.Diagnostics.Count(d => d.IsError);
                if (json) throw new CliException($"{path}: compilation failed with {errors} error(s), listed on standard error");
                return ExitCodes.BadInput;
            }

            var target = result.GetValue(output) ?? Path.ChangeExtension(path, ".bpf.o");
            File.WriteAllBytes(target, compilation.Object!);
            if (json)
            {
                using var writer = new Utf8JsonWriter(Console.OpenStandardOutput(), new JsonWriterOptions { Indented = result.GetValue(GlobalOptions.Pretty) });
                writer.WriteStartArray();
                foreach (var p in compilation.Programs)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", p.Name);
                    writer.WriteString("section", p.Section);
                    writer.WriteNumber("insns", p.InstructionCount);
                    writer.WriteNumber("stack", p.StackSize);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.Flush();
                Console.WriteLine();
            }
            else
            {
                foreach (var p in compilation.Programs)
                {
                    Console.WriteLine($"{p.Name,-24} {p.Section,-32} {p.InstructionCount,5} insns {p.StackSize,4} B stack");
                }

                Console.WriteLine($"wrote {target}");
            }

            return 0;
        });
        return command;
    }
}
