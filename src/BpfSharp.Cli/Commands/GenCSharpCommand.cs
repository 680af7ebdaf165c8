using System.CommandLine;
using BpfSharp.Btf;
using BpfSharp.Btf.Formatting;

namespace BpfSharp.Cli.Commands;

/// <summary><c>gen csharp</c>: C# definitions of kernel types (the <c>vmlinux.h</c> of BPF programs written in C#).</summary>
internal static class GenCSharpCommand
{
    private const string SysfsPrefix = "/sys/kernel/btf/";
    private const string SysfsVmlinux = "/sys/kernel/btf/vmlinux";

    public static Command Create()
    {
        var btf = new Option<string>("--btf")
        {
            Description = "Kernel BTF to read (raw, ELF with .BTF, or .gz).",
            HelpName = "FILE",
            DefaultValueFactory = _ => SysfsVmlinux,
        };
        var baseBtf = new Option<string?>("--base", "-B", "--base-btf")
        {
            Description = "Base BTF when FILE is split BTF (a module); same as -B. Files under " + SysfsPrefix +
                          " other than vmlinux use " + SysfsVmlinux + ".",
            HelpName = "FILE",
        };
        var types = new Option<string?>("--types")
        {
            Description = "Comma-separated BTF names (struct, union, enum, or a typedef of one): write only these and " +
                          "every type they reference, through pointers too. Default: every struct, union and enum.",
            HelpName = "NAME[,NAME...]",
        };
        var ns = new Option<string>("--namespace")
        {
            Description = "Namespace of the generated types.",
            HelpName = "NAMESPACE",
            DefaultValueFactory = _ => CSharpBindingsOptions.DefaultNamespace,
        };
        var shallow = new Option<bool>("--shallow")
        {
            Description = "Do not follow pointers: types reached only through pointers are declared empty (pointers stay typed).",
        };
        var fixedLayout = new Option<bool>("--fixed-layout")
        {
            Description = "Write the exact C layout for user-space code (map keys and values, global data): explicit " +
                          "layout with [FieldOffset] on every field, pointers as ulong, bitfields as their storage unit, " +
                          "no [Relocatable].",
        };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Write the C# source to FILE instead of standard output.",
            HelpName = "FILE",
        };
        var command = new Command("csharp",
            "Generate C# definitions of kernel types for BPF programs written in C# (like 'bpftool btf dump file FILE " +
            "format c' for C): [Relocatable] structs, explicit-layout unions and enums. Rules: docs/gen-csharp.md.\n\n" +
            "Usage: bpfsharp gen csharp [--btf FILE] [--base FILE] [--types NAME[,NAME...]] [--namespace NAMESPACE]\n" +
            "                           [--shallow] [--fixed-layout] [-o FILE]")
            { btf, baseBtf, types, ns, shallow, fixedLayout, output };
        command.SetAction(result =>
        {
            string path = result.GetValue(btf) ?? SysfsVmlinux;
            string? basePath = GlobalOptions.BaseBtfPath(result, baseBtf);
            BtfSpec? baseSpec = null;
            if (basePath is not null) baseSpec = BtfSpec.Load(basePath);
            else if (path.StartsWith(SysfsPrefix, StringComparison.Ordinal) && path != SysfsVmlinux) baseSpec = BtfSpec.Load(SysfsVmlinux);
            var spec = BtfSpec.Load(path, baseSpec);
            var names = result.GetValue(types)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var options = new CSharpBindingsOptions
            {
                Namespace = result.GetValue(ns) ?? CSharpBindingsOptions.DefaultNamespace,
                TypeNames = names,
                Shallow = result.GetValue(shallow),
                FixedLayout = result.GetValue(fixedLayout),
            };
            string? outPath = result.GetValue(output);
            try
            {
                if (outPath is null)
                {
                    using var stdout = Console.OpenStandardOutput();
                    using var buffered = new BufferedStream(stdout, 1 << 20);
                    BtfCSharpFormatter.Write(spec, buffered, options);
                    buffered.Flush();
                }
                else
                {
                    using var file = File.Create(outPath);
                    BtfCSharpFormatter.Write(spec, file, options);
                }
            }
            catch (ArgumentException e)
            {
                if (outPath is not null) File.Delete(outPath);
                throw new CliException(e.Message);
            }
            return 0;
        });
        return command;
    }
}
