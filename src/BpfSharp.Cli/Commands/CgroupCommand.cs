using System.CommandLine;
using System.Text.Json;
using BpfSharp.Btf;
using BpfSharp.Linux;
using BpfSharp.Linux.Inspection;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// The 'cgroup' verb group, with bpftool's grammar and output: <c>cgroup {show|list} CGROUP [effective]</c> and
/// <c>cgroup tree [CGROUP_ROOT] [effective]</c>.
/// </summary>
internal static class CgroupCommand
{
    public static Command Create()
    {
        var command = new Command("cgroup",
            "Inspect the programs attached to cgroup v2 directories.\n\n" +
            "Usage: bpfsharp cgroup { show | list } CGROUP [effective]\n" +
            "       bpfsharp cgroup tree [CGROUP_ROOT] [effective]");

        var showArgs = new Argument<string[]>("CGROUP") { Description = "The cgroup v2 directory, then optionally 'effective' (also what is inherited).", Arity = ArgumentArity.OneOrMore };
        showArgs.CompletionSources.Add("effective");
        var show = new Command("show", "List the programs attached to one cgroup, like 'bpftool cgroup show'.") { showArgs };
        show.Aliases.Add("list");
        show.SetAction(result =>
        {
            var (path, effective) = ParseArgs(result.GetValue(showArgs) ?? [], "show");
            Show(path!, effective, GlobalOptions.IsJson(result), GlobalOptions.IsPretty(result));
            return 0;
        });
        command.Subcommands.Add(show);

        var treeArgs = new Argument<string[]>("CGROUP_ROOT") { Description = "Where to start (default: the cgroup v2 mount), then optionally 'effective'.", Arity = ArgumentArity.ZeroOrMore };
        treeArgs.CompletionSources.Add("effective");
        var tree = new Command("tree", "List the programs attached to every cgroup under a root, like 'bpftool cgroup tree'.") { treeArgs };
        tree.SetAction(result =>
        {
            var (root, effective) = ParseArgs(result.GetValue(treeArgs) ?? [], "tree");
            Tree(root ?? FindCgroupRoot(), effective, GlobalOptions.IsJson(result), GlobalOptions.IsPretty(result));
            return 0;
        });
        command.Subcommands.Add(tree);
        return command;
    }

    private static (string? Path, bool Effective) ParseArgs(string[] args, string verb)
    {
        if (args.Length == 0)
        {
            if (verb == "show") throw CliException.Usage("'show' needs at least 1 arguments, 0 found");
            return (null, false);
        }
        bool effective = false;
        foreach (var word in args.Skip(1))
        {
            if (word.Length == 0 || !"effective".StartsWith(word, StringComparison.Ordinal))
                throw CliException.Usage($"expected no more arguments, 'effective', got: '{word}'?");
            if (effective) throw CliException.Usage($"duplicated argument: {word}");
            effective = true;
        }
        return (args[0], effective);
    }

    /// <summary>bpftool's default root: the first cgroup2 mount in /proc/mounts.</summary>
    private static string FindCgroupRoot()
    {
        foreach (var line in File.ReadLines("/proc/mounts"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 2 && fields[2] == "cgroup2") return fields[1].Replace("\\040", " ", StringComparison.Ordinal);
        }
        throw new CliException("cgroup v2 isn't mounted");
    }

    /// <summary>
    /// bpftool's attach_btf_name: the vmlinux type a program attaches to (LSM cgroup programs). bpftool learns
    /// vmlinux's BTF object id from the first program whose attach object is vmlinux; until then the id is 0, which
    /// equals a plain cgroup program's attach object id (0), so such a program gets type 0's name, "". Reproduced
    /// as is, since scripts see it: a padded empty column in text, "attach_btf_name": "" in JSON.
    /// </summary>
    private sealed class AttachBtfNames
    {
        private BtfSpec? _vmlinux;
        private bool _vmlinuxRead;
        private int _vmlinuxId;

        public string? Of(CgroupProgram p)
        {
            if (!_vmlinuxRead)
            {
                _vmlinuxRead = true;
                try { _vmlinux = BtfSpec.Load("/sys/kernel/btf/vmlinux"); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or BpfFormatException) { }
            }
            if (_vmlinux is null) return null;
            if (_vmlinuxId == 0 && p.AttachBtfObjectId != 0)
            {
                try
                {
                    var info = BpfBtfInfo.ReadById(p.AttachBtfObjectId);
                    if (info.IsKernel && info.Name == "vmlinux") _vmlinuxId = info.Id;
                }
                catch (BpfSyscallException) { }
            }
            return _vmlinuxId == p.AttachBtfObjectId && p.AttachBtfId < _vmlinux.TypeCount ? _vmlinux[p.AttachBtfId].Name : null;
        }
    }

    private static List<CgroupProgram> Query(string path, bool effective)
    {
        if (!Directory.Exists(path)) throw new CliException($"can't open cgroup {path}");
        return BtfCommand.Kernel($"can't query bpf programs attached to {path}", () => CgroupPrograms.Query(path, effective));
    }

    private static void Show(string path, bool effective, bool json, bool pretty)
    {
        var programs = Query(path, effective);
        if (json)
        {
            // bpftool prints nothing at all for a cgroup without programs; an empty array keeps -j output JSON.
            using var stdout = Console.OpenStandardOutput();
            using (var w = BtfCommand.NewJsonWriter(stdout, pretty))
            {
                w.WriteStartArray();
                var jsonNames = new AttachBtfNames();
                foreach (var p in programs) WriteProgramJson(w, p, jsonNames.Of(p));
                w.WriteEndArray();
            }
            stdout.WriteByte((byte)'\n');
            return;
        }
        if (programs.Count == 0) return;
        var names = new AttachBtfNames();
        var text = new StringWriter { NewLine = "\n" };
        text.WriteLine($"{"ID",-8} {"AttachType",-15} {"AttachFlags",-15} {"Name",-15}");
        foreach (var p in programs) WriteProgramText(text, p, 0, names.Of(p));
        Console.Out.Write(text.ToString());
    }

    private static void Tree(string root, bool effective, bool json, bool pretty)
    {
        if (!Directory.Exists(root)) throw new CliException($"can't iterate over {root}: No such file or directory");
        using var stdout = Console.OpenStandardOutput();
        var text = new StreamWriter(stdout, new System.Text.UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        using var w = BtfCommand.NewJsonWriter(stdout, pretty);
        var names = new AttachBtfNames();
        if (json) w.WriteStartArray();
        else text.WriteLine($"CgroupPath\n{"ID",-8} {"AttachType",-15} {"AttachFlags",-15} {"Name",-15}");
        // Pre-order, in directory order, as nftw walks; 'level' is the depth below the root.
        var pending = new Stack<(string Path, int Level)>();
        pending.Push((root, 0));
        while (pending.Count > 0)
        {
            var (path, level) = pending.Pop();
            List<CgroupProgram> programs;
            try { programs = Query(path, effective); }
            catch (CliException) when (level > 0 && !Directory.Exists(path)) { continue; } // removed while walking
            if (programs.Count > 0)
            {
                if (json)
                {
                    w.WriteStartObject();
                    w.WriteString("cgroup", path);
                    w.WriteStartArray("programs");
                    foreach (var p in programs) WriteProgramJson(w, p, names.Of(p));
                    w.WriteEndArray();
                    w.WriteEndObject();
                    w.Flush();
                }
                else
                {
                    text.WriteLine(path);
                    foreach (var p in programs) WriteProgramText(text, p, level, names.Of(p));
                }
            }
            string[] children;
            try { children = Directory.GetDirectories(path); }
            catch (DirectoryNotFoundException) { continue; }
            for (int i = children.Length - 1; i >= 0; i--) pending.Push((children[i], level + 1));
        }
        if (json)
        {
            w.WriteEndArray();
            w.Flush();
            stdout.WriteByte((byte)'\n');
        }
        text.Flush();
    }

    private static string Flags(uint flags) => flags switch
    {
        2 => "multi",    // BPF_F_ALLOW_MULTI
        1 => "override", // BPF_F_ALLOW_OVERRIDE
        0 => "",
        _ => $"unknown({flags:x})",
    };

    private static void WriteProgramText(TextWriter text, CgroupProgram p, int level, string? attachBtfName)
    {
        text.Write($"{(level > 0 ? "    " : "")}{p.ProgramId,-8} ");
        var type = BpfAttachTypeNames.TryOf(p.AttachType);
        text.Write(type is null ? $"type {(uint)p.AttachType,-10}" : $"{type,-15}");
        text.Write($" {Flags(p.AttachFlags),-15} {p.Name,-15}");
        if (attachBtfName is not null) text.Write($" {attachBtfName,-15}");
        else if (p.AttachBtfId != 0) text.Write($" attach_btf_obj_id={p.AttachBtfObjectId} attach_btf_id={p.AttachBtfId}");
        text.WriteLine();
    }

    private static void WriteProgramJson(Utf8JsonWriter w, CgroupProgram p, string? attachBtfName)
    {
        w.WriteStartObject();
        w.WriteNumber("id", p.ProgramId);
        if (BpfAttachTypeNames.TryOf(p.AttachType) is { } type) w.WriteString("attach_type", type);
        else w.WriteNumber("attach_type", (uint)p.AttachType);
        w.WriteString("attach_flags", Flags(p.AttachFlags));
        w.WriteString("name", p.Name);
        if (attachBtfName is not null) w.WriteString("attach_btf_name", attachBtfName);
        w.WriteNumber("attach_btf_obj_id", p.AttachBtfObjectId);
        w.WriteNumber("attach_btf_id", p.AttachBtfId);
        w.WriteEndObject();
    }
}
