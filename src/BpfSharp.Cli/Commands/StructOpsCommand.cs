using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using BpfSharp.Btf;
using BpfSharp.Btf.Formatting;
using BpfSharp.Cli.Output;
using BpfSharp.Linux;
using BpfSharp.Linux.Inspection;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// The 'struct_ops' verb group, with bpftool's grammar: <c>struct_ops {show|list} [STRUCT_OPS_MAP]</c>,
/// <c>struct_ops dump [STRUCT_OPS_MAP]</c>, <c>struct_ops register OBJ [LINK_DIR]</c> and
/// <c>struct_ops unregister STRUCT_OPS_MAP</c>, <c>STRUCT_OPS_MAP := { id ID | name NAME }</c>.
/// </summary>
internal static class StructOpsCommand
{
    private const string StructOpsPrefix = "bpf_struct_ops_";

    public static Command Create()
    {
        var command = new Command("struct_ops",
            "Inspect struct_ops maps (kernel callbacks implemented in BPF, e.g. tcp_congestion_ops).\n\n" +
            "Usage: bpfsharp struct_ops { show | list } [STRUCT_OPS_MAP]\n" +
            "       bpfsharp struct_ops dump [STRUCT_OPS_MAP]\n" +
            "       bpfsharp struct_ops register OBJ [LINK_DIR]\n" +
            "       bpfsharp struct_ops unregister STRUCT_OPS_MAP\n\n" +
            "       STRUCT_OPS_MAP := { id STRUCT_OPS_MAP_ID | name STRUCT_OPS_MAP_NAME }");
        command.Aliases.Add("struct-ops");
        foreach (var (name, dump) in new[] { ("show", false), ("dump", true) })
        {
            var which = new Argument<string[]>("STRUCT_OPS_MAP") { Description = "Optionally 'id ID' or 'name NAME'.", Arity = ArgumentArity.ZeroOrMore };
            which.CompletionSources.Add("id", "name");
            var verb = new Command(name, dump
                ? "Dump struct_ops maps as JSON (always JSON, as bpftool): each map's bpf_map_info and its value decoded through the kernel's BTF " +
                  "(the struct's members, function pointers as the programs they hold), like 'bpftool struct_ops dump'."
                : "List struct_ops maps: id, name and the kernel struct each implements, like 'bpftool struct_ops show'.") { which };
            if (!dump) verb.Aliases.Add("list");
            if (dump) verb.SetAction(result => Dump(result.GetValue(which) ?? [], result));
            else verb.SetAction(result => Run(result.GetValue(which) ?? [], GlobalOptions.IsJson(result), GlobalOptions.IsPretty(result)));
            command.Subcommands.Add(verb);
        }

        var file = new Argument<string>("OBJ") { Description = "A BPF object with .struct_ops or .struct_ops.link variables." };
        var linkDir = new Argument<string?>("LINK_DIR") { Description = "A bpffs directory where the links of .struct_ops.link maps are pinned (as NAME).", Arity = ArgumentArity.ZeroOrOne };
        var register = new Command("register", "Load an object and register each of its struct_ops maps with the kernel, like 'bpftool struct_ops register'. " +
            "A .struct_ops map stays registered after the command exits; a .struct_ops.link map only while its link is pinned in LINK_DIR.") { file, linkDir };
        register.SetAction(result => Register(result.GetValue(file)!, result.GetValue(linkDir), GlobalOptions.IsJson(result)));
        command.Subcommands.Add(register);

        var selector = new Argument<string[]>("STRUCT_OPS_MAP") { Description = "'id ID' or 'name NAME'.", Arity = ArgumentArity.ZeroOrMore };
        selector.CompletionSources.Add("id", "name");
        var unregister = new Command("unregister", "Unregister struct_ops maps (delete their key 0), like 'bpftool struct_ops unregister'.") { selector };
        unregister.SetAction(result => Unregister(result.GetValue(selector) ?? [], GlobalOptions.IsJson(result)));
        command.Subcommands.Add(unregister);
        return command;
    }

    /// <summary>
    /// bpftool's do_register: load, then <c>bpf_map__attach_struct_ops</c> per map, "Registered STRUCT NAME id ID" on
    /// stderr (JSON: <c>null</c>). The map-update registration outlives this process (the kernel holds the map); a
    /// link-based one lasts as long as its link, so it is pinned in LINK_DIR, and refused without one.
    /// </summary>
    private static int Register(string file, string? linkDir, bool json)
    {
        var spec = ObjectSpec.Load(file);
        if (spec.StructOps.Count == 0) throw new CliException($"no struct_ops found in {file}");
        var needsLinkDir = spec.StructOps.FirstOrDefault(s => s.IsLink);
        if (needsLinkDir is not null && linkDir is null)
            throw CliException.Usage($"struct_ops '{needsLinkDir.Name}' is in {ObjectSpec.StructOpsLinkSection}: it stays registered only while its link exists; give LINK_DIR to pin it");
        if (linkDir is not null && !Directory.Exists(linkDir)) throw new CliException($"LINK_DIR {linkDir} is not a directory");
        using var collection = ProgCommand.Load(spec, new BpfLoaderOptions());
        foreach (var so in spec.StructOps)
        {
            var ops = collection.StructOps[so.Name];
            StructOpsLink registration;
            try
            {
                registration = ops.Register();
            }
            catch (BpfSyscallException e)
            {
                throw CliException.Kernel($"can't register struct_ops {so.Name}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(e.Errno)}");
            }
            if (so.IsLink)
            {
                // The pin keeps the link (and the registration) once this process closes its fd.
                try
                {
                    registration.Pin(Path.Combine(linkDir!, so.Name));
                }
                catch (BpfSyscallException e)
                {
                    registration.Dispose();
                    throw CliException.Kernel($"can't pin link of struct_ops {so.Name}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(e.Errno)}");
                }
                registration.Dispose();
            }
            // Not disposed otherwise: that would delete key 0, i.e. unregister.
            if (!json) Console.Error.WriteLine($"Registered {so.TypeName} {so.Name} id {ops.Map.Id}");
        }
        if (json) Console.Out.WriteLine("null");
        return 0;
    }

    /// <summary>bpftool's do_unregister: delete key 0 of each selected map, "Unregistered STRUCT NAME id ID" on stderr.</summary>
    private static int Unregister(string[] args, bool json)
    {
        if (args.Length != 2) throw CliException.Usage($"expected 'id ID' or 'name NAME', got: '{string.Join(' ', args)}'");
        Span<byte> key = stackalloc byte[4];
        foreach (var (record, kernelStruct) in Select(args))
        {
            using var map = OpenMap(record.Id);
            if (map is null) continue; // gone since it was listed
            int errno = 0;
            try
            {
                if (!map.Delete(key)) errno = 2; // ENOENT: not registered
            }
            catch (BpfSyscallException e)
            {
                errno = e.Errno;
            }
            if (errno != 0)
                throw CliException.Kernel($"can't unload {kernelStruct} {record.Name} id {record.Id}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}");
            if (!json) Console.Error.WriteLine($"Unregistered {kernelStruct} {record.Name} id {record.Id}");
        }
        if (json) Console.Out.WriteLine("null");
        return 0;
    }

    private static int Run(string[] args, bool json, bool pretty)
    {
        var maps = Select(args);
        // As bpftool: one map selected by id is an object, a list (all, or by name) an array.
        var byId = args.Length == 2 && "id".StartsWith(args[0], StringComparison.Ordinal);
        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            using (var w = BtfCommand.NewJsonWriter(stdout, pretty))
            {
                if (!byId) w.WriteStartArray();
                foreach (var (map, kernelStruct) in maps)
                {
                    w.WriteStartObject();
                    w.WriteNumber("id", map.Id);
                    w.WriteString("name", map.Name);
                    w.WriteString("kernel_struct_ops", kernelStruct);
                    w.WriteEndObject();
                }
                if (!byId) w.WriteEndArray();
            }
            stdout.WriteByte((byte)'\n');
            return 0;
        }
        // bpftool's "%u: %-15s %-32s" (trailing spaces included).
        foreach (var (map, kernelStruct) in maps) Console.Out.WriteLine($"{map.Id}: {map.Name,-15} {kernelStruct,-32}");
        return 0;
    }

    /// <summary>
    /// bpftool's do_dump: for each selected map, <c>{"bpf_map_info": INFO}</c> and <c>{"bpf_struct_ops_STRUCT": VALUE}</c>,
    /// the map's info and its value (key 0) printed through the kernel's BTF as btf_dumper prints them (plain: the
    /// indented plain-text flavour; <c>-j</c>/<c>-p</c>: the JSON flavour), function pointers as the programs they
    /// hold (<c>SIGNATURE NAME/prog_id:ID</c>). Two repairs make it one JSON document where bpftool 7.1's is not:
    /// the objects go in an array (bpftool 7.1 writes them one after another, <c>{...},{...}</c>; later bpftool wraps
    /// them as we do), and plain text's bare tokens (<c>(nil)</c>, <c>0x…</c>) are quoted (and a char <c>"</c> or
    /// <c>\</c> escaped, which bpftool writes as it is in either flavour).
    /// </summary>
    private static int Dump(string[] args, System.CommandLine.ParseResult result)
    {
        var maps = Select(args);
        var output = new BpftoolOutput(result);
        var vmlinux = RunningKernel.Btf;
        var infoType = vmlinux.FindByName("bpf_map_info", BtfKind.Struct);
        if (infoType <= 0) throw new CliException("can't find bpf_map_info from btf_vmlinux");
        var infoSize = (int)vmlinux[infoType].Size;
        var names = new Dictionary<uint, string?>();
        var options = new BtfValueFormatOptions
        {
            PlainText = !output.IsJson,
            ValidJson = true,
            ProgramName = id => names.TryGetValue(id, out var n) ? n : names[id] = ProgramName(id),
        };
        // Plain text is bpftool's pretty JSON writer too.
        var writer = output.IsJson ? output.Json : new BpftoolJsonWriter(output.Text, pretty: true);
        var errors = 0;
        writer.StartArray();
        foreach (var (record, _) in maps)
        {
            using var map = OpenMap(record.Id);
            if (map is null) continue; // gone since it was listed
            var info = BtfCommand.Kernel("can't get map info", () => BpfMapInfo.ReadRaw(map.FileDescriptor, infoSize));
            var value = new byte[map.ValueSize];
            if (!LookupKeyZero(map, value))
            {
                Console.Error.WriteLine($"Error: can't lookup struct_ops map {record.Name} id {record.Id}");
                errors++;
                continue;
            }
            var valueBtf = ValueBtf(record, vmlinux);
            writer.StartObject();
            writer.Name("bpf_map_info");
            BtfValueFormatter.Write(vmlinux, infoType, info, writer, options);
            writer.EndObject();
            writer.StartObject();
            writer.Name(valueBtf.IsValidTypeId(record.VmlinuxValueTypeId) ? valueBtf[record.VmlinuxValueTypeId].Name : "");
            BtfValueFormatter.Write(valueBtf, record.VmlinuxValueTypeId, value, writer, options);
            writer.EndObject();
            output.Flush();
        }
        writer.EndArray();
        if (output.IsJson) output.Finish();
        else
        {
            writer.Finish();
            output.Flush();
        }
        return errors == 0 ? 0 : ExitCodes.KernelRefused;
    }

    private static BpfMap? OpenMap(int id)
    {
        var fd = BpfObjectIds.TryOpen(BpfObjectKind.Map, (uint)id);
        if (fd is null) return null;
        try
        {
            return BpfMap.FromFileDescriptor(fd);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    private static bool LookupKeyZero(BpfMap map, Span<byte> value)
    {
        try
        {
            return map.TryLookup(stackalloc byte[4], value);
        }
        catch (BpfSyscallException)
        {
            return false;
        }
    }

    /// <summary>The BTF holding the map's value type: vmlinux's, or the module's for a struct defined by a module.</summary>
    private static BtfSpec ValueBtf(KernelMapRecord record, BtfSpec vmlinux)
    {
        if (record.VmlinuxBtfId <= 0) return vmlinux;
        try
        {
            var btf = BpfBtfInfo.ReadById(record.VmlinuxBtfId);
            return btf.IsKernel && btf.Name != "vmlinux" ? KernelBtfObjects.ReadById(record.VmlinuxBtfId) : vmlinux;
        }
        catch (BpfSyscallException)
        {
            return vmlinux;
        }
    }

    /// <summary>bpftool's name for a program in a function pointer: its first FUNC in its BTF, or null.</summary>
    private static string? ProgramName(uint id)
    {
        try
        {
            using var fd = BpfObjectIds.TryOpen(BpfObjectKind.Program, id);
            return fd is null ? null : BpfProgramInfo.ReadBtfName(fd, BpfProgramInfo.Read(fd));
        }
        catch (BpfSyscallException)
        {
            return null; // gone since the map was read
        }
    }

    private static List<(KernelMapRecord Map, string KernelStruct)> Select(string[] args)
    {
        BtfSpec? vmlinux = null;
        string KernelStruct(KernelMapRecord m)
        {
            vmlinux ??= BtfSpec.Load("/sys/kernel/btf/vmlinux");
            if (m.VmlinuxValueTypeId <= 0 || !vmlinux.IsValidTypeId(m.VmlinuxValueTypeId)) return "";
            var name = vmlinux[m.VmlinuxValueTypeId].Name;
            return name.StartsWith(StructOpsPrefix, StringComparison.Ordinal) ? name[StructOpsPrefix.Length..] : name;
        }
        if (args.Length == 0)
        {
            var all = BtfCommand.Kernel("can't list maps", KernelMapRecord.ListAll);
            return [.. all.Where(m => m.Type == BpfMapType.StructOps).Select(m => (m, KernelStruct(m)))];
        }
        if (args.Length != 2) throw CliException.Usage($"expected 'id ID' or 'name NAME', got: '{string.Join(' ', args)}'");
        if (args[0].Length > 0 && "id".StartsWith(args[0], StringComparison.Ordinal))
        {
            if (!uint.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)) throw CliException.Usage($"invalid id {args[1]}");
            var map = BtfCommand.Kernel($"can't get map by id ({id})", () => KernelMapRecord.ReadById((int)id));
            if (map.Type != BpfMapType.StructOps) throw new CliException($"map id {id} is not a struct_ops map");
            return [(map, KernelStruct(map))];
        }
        if (args[0].Length > 0 && "name".StartsWith(args[0], StringComparison.Ordinal))
        {
            var all = BtfCommand.Kernel("can't list maps", KernelMapRecord.ListAll);
            var found = all.Where(m => m.Type == BpfMapType.StructOps && m.Name == args[1]).ToList();
            if (found.Count == 0) throw new CliException($"no struct_ops found for {args[1]}");
            return [.. found.Select(m => (m, KernelStruct(m)))];
        }
        throw CliException.Usage($"expected 'id' or 'name', got: '{args[0]}'");
    }
}
