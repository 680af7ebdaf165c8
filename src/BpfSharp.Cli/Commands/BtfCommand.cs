using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using BpfSharp.Btf;
using BpfSharp.Btf.Formatting;
using BpfSharp.Linux;
using BpfSharp.Linux.Inspection;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// The 'btf' verb group, with bpftool's grammar: <c>btf show|list [id N]</c> and
/// <c>btf dump {file FILE | id N | prog PROG | map MAP [key|value|kv|all]} [format {raw|c|json}]</c>.
/// </summary>
internal static class BtfCommand
{
    private const string SysfsPrefix = "/sys/kernel/btf/";
    private const string SysfsVmlinux = "/sys/kernel/btf/vmlinux";

    public static Command Create()
    {
        var command = new Command("btf",
            "Inspect BTF: list the kernel's BTF objects, dump types as raw records (bpftool's format), C or JSON.\n\n" +
            "Usage: bpfsharp btf { show | list } [id BTF_ID]\n" +
            "       bpfsharp btf dump BTF_SRC [format FORMAT]\n\n" +
            "       BTF_SRC := { id BTF_ID | prog PROG | map MAP [{key | value | kv | all}] | file FILE }\n" +
            "       FORMAT  := { raw | c | json }\n" +
            "       MAP     := { id MAP_ID | pinned FILE }\n" +
            "       PROG    := { id PROG_ID | pinned FILE }");

        var source = new Argument<string[]>("BTF_SRC")
        {
            Description = "'file FILE' (raw BTF, an ELF object/vmlinux/.ko with .BTF, or .gz), 'id N', 'prog {id N|pinned FILE}' or " +
                          "'map {id N|pinned FILE} [key|value|kv|all]', then optionally 'format {raw|c|json}'.",
            Arity = ArgumentArity.OneOrMore,
        };
        source.CompletionSources.Add("file", "id", "prog", "map", "pinned", "key", "value", "kv", "all", "format", "raw", "c", "json");
        var dump = new Command("dump",
            "Dump BTF entries from a file or the kernel. FORMAT 'raw' (default) prints type records exactly as bpftool does, 'c' prints " +
            "a C header (vmlinux.h), 'json' prints the JSON described in docs/btf-json.md (same as -j). For split BTF " +
            "pass the base with -B; files under /sys/kernel/btf/ other than vmlinux and kernel module BTF objects use " +
            "/sys/kernel/btf/vmlinux as base.") { source, GlobalOptions.BaseBtf };
        dump.SetAction(result => Dump(
            result.GetValue(source) ?? [],
            GlobalOptions.BaseBtfPath(result),
            GlobalOptions.IsJson(result),
            GlobalOptions.IsPretty(result)));
        command.Subcommands.Add(dump);

        var which = new Argument<string[]>("BTF") { Description = "Optionally 'id BTF_ID'.", Arity = ArgumentArity.ZeroOrMore };
        which.CompletionSources.Add("id");
        var show = new Command("show", "List the kernel's BTF objects (id, name, size, programs and maps using each), like 'bpftool btf show'.") { which };
        show.Aliases.Add("list");
        show.SetAction(result => Show(result.GetValue(which) ?? [], GlobalOptions.IsJson(result), GlobalOptions.IsPretty(result)));
        command.Subcommands.Add(show);
        return command;
    }

    // bpftool's is_prefix: the word may be abbreviated ("f" for "file").
    private static bool IsPrefix(string word, string keyword) => word.Length > 0 && keyword.StartsWith(word, StringComparison.Ordinal);

    private enum Format { Raw, C, Json }

    private static int Show(string[] args, bool json, bool pretty)
    {
        List<BpfBtfInfo> list;
        if (args.Length == 0)
        {
            list = Kernel("can't list BTF objects", BpfBtfInfo.ListAll);
        }
        else
        {
            if (args.Length != 2 || !IsPrefix(args[0], "id")) throw CliException.Usage($"expected 'id BTF_ID', got: '{string.Join(' ', args)}'");
            int id = ParseId(args[1]);
            list = [Kernel($"can't get BTF object by id ({id})", () => BpfBtfInfo.ReadById(id))];
        }
        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            using (var w = NewJsonWriter(stdout, pretty))
            {
                if (args.Length == 0) w.WriteStartArray();
                foreach (var b in list) WriteShowJson(w, b);
                if (args.Length == 0) w.WriteEndArray();
            }
            stdout.WriteByte((byte)'\n');
            return 0;
        }
        var text = new StringWriter { NewLine = "\n" };
        foreach (var b in list)
        {
            text.Write($"{b.Id}: ");
            if (b.IsKernel) text.Write($"name [{b.Name}]  ");
            else if (b.Name.Length > 0) text.Write($"name {b.Name}  ");
            else text.Write("name <anon>  ");
            text.Write($"size {b.Size}B");
            if (b.ProgramIds.Count > 0) text.Write("  prog_ids " + string.Join(',', b.ProgramIds));
            if (b.MapIds.Count > 0) text.Write("  map_ids " + string.Join(',', b.MapIds));
            text.WriteLine();
        }
        Console.Out.Write(text.ToString());
        return 0;
    }

    private static void WriteShowJson(Utf8JsonWriter w, BpfBtfInfo b)
    {
        w.WriteStartObject();
        w.WriteNumber("id", b.Id);
        w.WriteNumber("size", b.Size);
        w.WriteStartArray("prog_ids");
        foreach (var id in b.ProgramIds) w.WriteNumberValue(id);
        w.WriteEndArray();
        w.WriteStartArray("map_ids");
        foreach (var id in b.MapIds) w.WriteNumberValue(id);
        w.WriteEndArray();
        w.WriteBoolean("kernel", b.IsKernel);
        if (b.Name.Length > 0) w.WriteString("name", b.Name);
        w.WriteEndObject();
    }

    internal static Utf8JsonWriter NewJsonWriter(Stream stream, bool pretty) =>
        new(stream, new JsonWriterOptions { Indented = pretty, IndentSize = 4, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static int ParseId(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : throw CliException.Usage($"can't parse {text} as ID");

    /// <summary>Runs a kernel query; a refusal becomes bpftool's "what: strerror" error with the kernel exit code.</summary>
    internal static T Kernel<T>(string what, Func<T> query)
    {
        try
        {
            return query();
        }
        catch (BpfSyscallException e)
        {
            throw CliException.Kernel($"{what}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(e.Errno)}");
        }
    }

    private static int Dump(string[] args, string? basePath, bool json, bool pretty)
    {
        if (args.Length < 2)
            throw CliException.Usage("expected BTF_SRC: 'file FILE', 'id BTF_ID', 'prog PROG' or 'map MAP' (see 'bpfsharp btf dump --help')");
        int i = 2;
        string? path = null;
        int btfId = 0;
        int[]? roots = null;
        if (IsPrefix(args[0], "file"))
        {
            path = args[1];
        }
        else if (IsPrefix(args[0], "id"))
        {
            btfId = ParseId(args[1]);
        }
        else if (IsPrefix(args[0], "prog"))
        {
            using var fd = OpenObject(args, ref i, BpfObjectKind.Program, "prog");
            var info = BpfProgramInfo.Read(fd);
            btfId = info.BtfId;
            if (btfId == 0) throw new CliException($"can't get BTF of program {info.Id}: it was loaded without BTF");
        }
        else if (IsPrefix(args[0], "map"))
        {
            using var fd = OpenObject(args, ref i, BpfObjectKind.Map, "map");
            var info = KernelMapRecord.Read(fd);
            btfId = info.BtfId;
            if (btfId == 0) throw new CliException($"can't get BTF of map {info.Id}: it was created without BTF");
            roots = [info.KeyTypeId, info.ValueTypeId];
            if (i < args.Length && !IsPrefix(args[i], "format"))
            {
                if (IsPrefix(args[i], "key")) roots = [info.KeyTypeId];
                else if (IsPrefix(args[i], "value")) roots = [info.ValueTypeId];
                else if (IsPrefix(args[i], "kv")) roots = [info.KeyTypeId, info.ValueTypeId];
                else if (IsPrefix(args[i], "all")) roots = null;
                else throw CliException.Usage($"unrecognized option: '{args[i]}', expected key, value, kv or all");
                i++;
            }
        }
        else
        {
            throw CliException.Usage($"unrecognized BTF source specifier: '{args[0]}'");
        }

        var format = json ? Format.Json : Format.Raw;
        for (; i < args.Length; i++)
        {
            if (!IsPrefix(args[i], "format")) throw CliException.Usage($"unrecognized option: '{args[i]}'");
            if (++i >= args.Length) throw CliException.Usage("expecting value for 'format' option");
            format = args[i] switch
            {
                "raw" => json ? Format.Json : Format.Raw,
                "c" => Format.C,
                "json" => Format.Json,
                _ => throw CliException.Usage($"unrecognized format specifier: '{args[i]}', possible values: raw, c, json"),
            };
        }
        if (format == Format.C && json) throw CliException.Usage("JSON output for C-syntax dump is not supported");

        BtfSpec spec = path is not null ? LoadFile(path, basePath) : LoadKernel(btfId, basePath);
        using var stdout = Console.OpenStandardOutput();
        // Written as produced: the formatters stream into this bounded buffer, so memory does not grow with the output.
        using var buffered = new BufferedStream(stdout, 1 << 20);
        switch (format)
        {
            case Format.Raw:
                if (roots is null) BtfRawFormatter.Write(spec, buffered);
                else foreach (var id in roots) BtfRawFormatter.WriteType(spec[id], buffered);
                break;
            case Format.Json:
                if (roots is null) BtfJsonFormatter.Write(spec, buffered, pretty);
                else BtfJsonFormatter.Write(spec, buffered, pretty, roots);
                break;
            case Format.C:
                try
                {
                    if (roots is null) BtfCFormatter.Write(spec, buffered);
                    else BtfCFormatter.Write(spec, buffered, roots);
                }
                catch (NotSupportedException e) { throw new CliException(e.Message); }
                break;
        }
        buffered.Flush();
        return 0;
    }

    private static BtfSpec LoadFile(string path, string? basePath)
    {
        BtfSpec? baseSpec = null;
        if (basePath is not null) baseSpec = BtfSpec.Load(basePath);
        else if (path.StartsWith(SysfsPrefix, StringComparison.Ordinal) && path != SysfsVmlinux)
            baseSpec = BtfSpec.Load(SysfsVmlinux);
        return BtfSpec.Load(path, baseSpec);
    }

    private static BtfSpec LoadKernel(int btfId, string? basePath)
    {
        var info = Kernel($"can't get BTF object by id ({btfId})", () => BpfBtfInfo.ReadById(btfId));
        var data = Kernel($"can't get BTF object by id ({btfId})", () => BpfBtfInfo.ReadData(btfId));
        // A module's BTF is split over vmlinux, as bpftool falls back to it without -B.
        BtfSpec? baseSpec = basePath is not null ? BtfSpec.Load(basePath)
            : info.IsKernel && info.Name != "vmlinux" ? BtfSpec.Load(SysfsVmlinux) : null;
        return BtfSpec.Parse(data, baseSpec, $"BTF object {btfId}");
    }

    /// <summary>Opens a program or map named by 'id N' or 'pinned FILE' at args[1..]; advances <paramref name="next"/> past it.</summary>
    private static BpfFileDescriptor OpenObject(string[] args, ref int next, BpfObjectKind kind, string noun)
    {
        if (args.Length < 3) throw CliException.Usage($"expected '{noun} id ID' or '{noun} pinned FILE'");
        next = 3;
        if (IsPrefix(args[1], "id"))
        {
            int id = ParseId(args[2]);
            return Kernel($"get {noun} by id ({id})", () => BpfObjectIds.Open(kind, (uint)id));
        }
        if (IsPrefix(args[1], "pinned"))
        {
            string pin = args[2];
            return Kernel($"bpf obj get ({pin})", () => ObjectPins.Get(pin));
        }
        throw CliException.Usage($"expected 'id' or 'pinned', got: '{args[1]}'");
    }
}
