using System.Text.Json;
using BpfSharp.Cli;
using BpfSharp.Tests.Btf;
using BpfSharp.Tests.CoReTools;
using BpfSharp.Tests.Infrastructure;
using static BpfSharp.Tests.Cli.CliHarness;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// The conventions every verb follows (docs/cli.md): global -j/-p, JSON errors under -j, exit codes that tell usage
/// from input from kernel from internal errors, -B only where it means something, help for every verb.
/// </summary>
public class CliConventionTests
{
    [Fact]
    public void EveryVerbHasHelpThatListsTheGlobalOptionsOnce()
    {
        var commands = Commands();
        Assert.Contains(commands, c => c.Path == "btf show");
        Assert.Contains(commands, c => c.Path == "cgroup tree");
        foreach (var (path, command) in commands)
        {
            string help = Help(path);
            Assert.Contains("Usage:", help);
            var optionLines = help.Split('\n').Select(l => l.TrimStart()).Where(l => l.StartsWith('-')).ToList();
            foreach (var option in new[] { "-j, --json", "-p, --pretty", "-?, -h, --help" })
                Assert.True(optionLines.Count(l => l.StartsWith(option, StringComparison.Ordinal)) == 1, $"'{path} --help' and {option}:\n{help}");
            // -B belongs to the verbs that read split BTF only, and is listed once there.
            bool takesBase = GlobalOptions.TakesBaseBtf(command);
            Assert.True(optionLines.Count(l => l.StartsWith("-B,", StringComparison.Ordinal)) == (takesBase ? 1 : 0), $"'{path} --help' and -B:\n{help}");
        }
        foreach (var verb in new[] { "btf dump", "core relocate", "core explain", "core check", "gen csharp" })
            Assert.True(GlobalOptions.TakesBaseBtf(commands.Single(c => c.Path == verb).Command), verb);
        foreach (var verb in new[] { "obj show", "obj relocs", "btf show", "cgroup show", "prog show" })
            Assert.False(GlobalOptions.TakesBaseBtf(commands.Single(c => c.Path == verb).Command), verb);
    }

    public static TheoryData<string> JsonCommandLines() =>
    [
        "obj show {obj}",
        "obj relocs {obj}",
        "core relocate {obj} --target {btf}",
        "core check {obj} --target {btf}",
        "btf dump file {obj}",
        "btf show",
        "struct_ops show",
        "struct_ops dump",
        "prog list",
    ];

    [Theory]
    [MemberData(nameof(JsonCommandLines))]
    public void JsonAndPrettyAreHonouredBeforeAndAfterTheVerb(string commandLine)
    {
        string obj = CoReToolsKit.CoreReads;
        string btf = TestPaths.Kernel("ci-5.13.2.btf.gz");
        string[] words = commandLine.Replace("{obj}", obj).Replace("{btf}", btf).Split(' ');
        if (words[0] is "btf" or "struct_ops" or "prog" && words.Length <= 2) Linux.KernelObjects.RequireBpf();
        var before = Bpfsharp(["-j", .. words]);
        Assert.True(before.ExitCode is 0 or ExitCodes.CheckFails, $"{commandLine}: {before.Stderr}");
        using var compact = JsonDocument.Parse(before.Stdout);
        var after = Bpfsharp([.. words, "--json"]);
        using var afterDoc = JsonDocument.Parse(after.Stdout);
        var pretty = Bpfsharp([.. words, "-p"]);
        using var prettyDoc = JsonDocument.Parse(pretty.Stdout);
        if (words[0] is not ("btf" or "prog") || words[1] == "dump")
        {
            // Kernel lists may change between two runs; files may not.
            Assert.True(JsonElement.DeepEquals(compact.RootElement, afterDoc.RootElement), commandLine);
            Assert.True(JsonElement.DeepEquals(compact.RootElement, prettyDoc.RootElement), commandLine);
        }
        Assert.DoesNotContain((byte)'\n', before.Stdout.AsSpan(0, before.Stdout.Length - 1).ToArray());
        if (prettyDoc.RootElement.ValueKind is JsonValueKind.Object || prettyDoc.RootElement.GetArrayLength() > 0)
            Assert.Contains((byte)'\n', pretty.Stdout.AsSpan(0, pretty.Stdout.Length - 1).ToArray());
    }

    public static TheoryData<string, int> FailingCommandLines() => new()
    {
        { "bogus", ExitCodes.Usage },
        { "obj show", ExitCodes.Usage },
        { "obj show {obj} --colour", ExitCodes.Usage },
        { "btf dump file {obj} format yaml", ExitCodes.Usage },
        { "btf dump blob {obj}", ExitCodes.Usage },
        { "-B {btf} obj show {obj}", ExitCodes.Usage },
        { "cgroup show", ExitCodes.Usage },
        { "completion zsh", ExitCodes.Usage },
        { "prog dump xlated", ExitCodes.Usage },
        { "map lookup", ExitCodes.Usage },
        { "link pin id 1", ExitCodes.Usage },
        { "obj show /nonexistent/x.o", ExitCodes.BadInput },
        { "btf dump file {truncated}", ExitCodes.BadInput },
        { "core relocate {truncated} --target {btf}", ExitCodes.BadInput },
        { "cgroup show /nonexistent/cgroup", ExitCodes.BadInput },
        { "btf show id 2147483647", ExitCodes.KernelRefused },
        { "btf dump id 2147483647", ExitCodes.KernelRefused },
        { "struct_ops show id 2147483647", ExitCodes.KernelRefused },
        { "prog show id 2147483647", ExitCodes.KernelRefused },
        { "map dump id 2147483647", ExitCodes.KernelRefused },
        { "link show id 2147483647", ExitCodes.KernelRefused },
    };

    [Theory]
    [MemberData(nameof(FailingCommandLines))]
    public void ErrorsHaveTheirExitCodeAndAreJsonUnderJ(string commandLine, int exitCode)
    {
        string truncated = Path.Combine(TestPaths.NewScratchDirectory("cli-errors"), "truncated.o");
        File.WriteAllBytes(truncated, File.ReadAllBytes(CoReToolsKit.CoreReads)[..40]);
        string[] words = commandLine.Replace("{obj}", CoReToolsKit.CoreReads).Replace("{btf}", TestPaths.Kernel("ci-5.13.2.btf.gz"))
            .Replace("{truncated}", truncated).Split(' ');
        if (exitCode == ExitCodes.KernelRefused) Linux.KernelObjects.RequireBpf();

        var text = Bpfsharp(words);
        Assert.True(exitCode == text.ExitCode, $"{commandLine}: exit {text.ExitCode}, expected {exitCode}; stderr: {text.Stderr}");
        Assert.Empty(text.Stdout);
        Assert.StartsWith("Error: ", text.Stderr);
        Assert.DoesNotContain("   at ", text.Stderr);

        var json = Bpfsharp(["-j", .. words]);
        Assert.Equal(exitCode, json.ExitCode);
        string message = AssertJsonError(json, commandLine);
        Assert.Contains(message, text.Stderr);

        var pretty = Bpfsharp([.. words, "-p"]);
        Assert.Equal(exitCode, pretty.ExitCode);
        Assert.Equal(message, AssertJsonError(pretty, commandLine));
        Assert.Contains("\n    \"error\": ", pretty.Text());
    }

    [Theory]
    [InlineData("btf", "show", "id", "2147483647")]
    [InlineData("btf", "dump", "file", "/nonexistent")]
    [InlineData("struct_ops", "show", "id", "2147483647")]
    [InlineData("struct_ops", "show", "name", "bpfsharp_no_such_ops")]
    public void JsonErrorObjectIsBpftools(params string[] words)
    {
        Linux.KernelObjects.RequireBpf();
        var theirs = Bpftool(["-j", .. words]);
        var ours = Bpfsharp(["-j", .. words]);
        Assert.NotEqual(0, theirs.ExitCode);
        Assert.NotEqual(0, ours.ExitCode);
        if (theirs.Text().TrimEnd() == "[]")
        {
            // bpftool 7.1 prints an empty list and no message for an unknown struct_ops name; ours says why.
            Assert.Equal("no struct_ops found for bpfsharp_no_such_ops", AssertJsonError(ours, "struct_ops"));
            return;
        }
        if (words[1] == "dump" && words[0] == "btf")
        {
            // bpftool says "failed to load BTF from FILE: ..."; ours names the file and the reason too.
            Assert.Contains("/nonexistent", AssertJsonError(ours, "btf dump"));
            return;
        }
        Assert.Equal(theirs.Text(), ours.Text());
    }

    [Fact]
    public void CoreCheckFailsExitCodeIsItsOwn()
    {
        string guards = CoReToolsKit.Tools("guards"), carrier = CoReToolsKit.Tools("guards___target");
        var r = Bpfsharp("core", "check", guards, "--target", carrier);
        Assert.Equal(ExitCodes.CheckFails, r.ExitCode);
        var ok = Bpfsharp("btf", "dump", "file", carrier);
        Assert.Equal(ExitCodes.Success, ok.ExitCode);
    }

    [Fact]
    public void OldSpellingsStillWork()
    {
        // -B before the verb (bpftool's order), --base on core verbs, --json after the verb.
        string module = BtfTestTools.RawBlob("debian-6.1.192-amd64.veth.btf.gz");
        string vmlinux = BtfTestTools.RawBlob("debian-6.1.192-amd64.btf.gz");
        var before = Bpfsharp("-B", vmlinux, "btf", "dump", "file", module);
        var after = Bpfsharp("btf", "dump", "file", module, "--base-btf", vmlinux);
        Assert.True(before.ExitCode == 0, before.Stderr);
        Assert.Equal(before.Stdout, after.Stdout);
        var relocs = Bpfsharp("obj", "relocs", CoReToolsKit.CoreReads, "--json");
        Assert.Equal(0, relocs.ExitCode);
        using var _ = JsonDocument.Parse(relocs.Stdout);
    }

    [Fact]
    public void BashCompletionCompletesVerbsOptionsAndKeywords()
    {
        var script = Bpfsharp("completion", "bash");
        Assert.Equal(0, script.ExitCode);
        string path = Path.Combine(TestPaths.NewScratchDirectory("completion"), "bpfsharp-completion.bash");
        File.WriteAllBytes(path, script.Stdout);

        var root = BpfSharp.Cli.Program.CreateRoot();
        var verbs = root.Subcommands.SelectMany(c => c.Aliases.Prepend(c.Name)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(verbs, Complete(path, "").Where(w => !w.StartsWith('-')).Order(StringComparer.Ordinal));
        Assert.Equal(["btf"], Complete(path, "bt"));
        Assert.Equal(["dump", "list", "show"], Complete(path, "btf ").Where(w => !w.StartsWith('-')).Order(StringComparer.Ordinal));
        Assert.Superset(new HashSet<string> { "file", "id", "prog", "map", "format", "--base-btf", "-B", "--json" }, Complete(path, "btf dump ").ToHashSet());
        Assert.Equal(["--pretty"], Complete(path, "-j btf show --pr"));
        // After an option that takes a value, the value is an argument: the verb path is still found.
        Assert.Equal(["relocate"], Complete(path, "-B x.btf core rel"));
        Assert.Equal(["effective"], Complete(path, "cgroup show /sys/fs/cgroup eff"));
    }

    /// <summary>What the generated completion function offers for the words typed so far (the last one is being completed).</summary>
    internal static List<string> Complete(string script, string typed)
    {
        var words = ("bpfsharp " + typed).Split(' ');
        string array = string.Join(' ', words.Select(w => "'" + w + "'"));
        string program = $"source '{script}'; COMP_WORDS=({array}); COMP_CWORD={words.Length - 1}; _bpfsharp; printf '%s\\n' \"${{COMPREPLY[@]}}\"";
        var r = ExternalTool.Run("bash", ["-c", program]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return r.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }
}
