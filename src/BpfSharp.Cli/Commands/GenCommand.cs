using System.CommandLine;
using BpfSharp.CoRe.Tools;
using BpfSharp.Objects;

namespace BpfSharp.Cli.Commands;

/// <summary>The 'gen' verb group: <c>gen min-btf</c> (bpftool's <c>gen min_core_btf</c>), <c>gen csharp</c> and <c>gen skeleton</c>.</summary>
internal static class GenCommand
{
    public static Command Create()
    {
        var command = new Command("gen", "Generate files from BPF objects and BTF.");
        command.Subcommands.Add(CreateMinBtf());
        command.Subcommands.Add(GenCSharpCommand.Create());
        command.Subcommands.Add(GenSkeletonCommand.Create());
        return command;
    }

    private static Command CreateMinBtf()
    {
        var input = new Argument<string>("input") { Description = "Full kernel BTF (raw, ELF, .gz, .xz, .tar.xz)." };
        var output = new Argument<string>("output") { Description = "Where to write the minimal raw BTF." };
        var objects = new Argument<string[]>("objects") { Description = "BPF object files (.o) whose CO-RE relocations must resolve.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("min-btf",
            "Write the smallest BTF of INPUT that resolves every CO-RE relocation of OBJECTS exactly as INPUT does " +
            "(like 'bpftool gen min_core_btf'; enums keep only the enumerators relocations use).") { input, output, objects };
        command.Aliases.Add("min_core_btf");
        command.SetAction(result =>
        {
            var inputPath = result.GetValue(input)!;
            var target = KernelBtfFiles.Load(inputPath);
            var objs = result.GetValue(objects)!.Select(ObjectSpec.Load).ToList();
            byte[] bytes;
            try { bytes = MinimalBtf.GenerateBytes(target, objs); }
            catch (BpfFormatException e) when (e.FilePath is null) { throw e.WithFile(inputPath); } // the target's fault
            File.WriteAllBytes(result.GetValue(output)!, bytes);
            return 0;
        });
        return command;
    }
}
