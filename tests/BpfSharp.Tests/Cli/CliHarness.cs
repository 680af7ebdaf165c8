using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Cli;

/// <summary>Runs the built <c>bpfsharp</c> (dotnet bpfsharp.dll) and bpftool, and walks the command tree.</summary>
internal static class CliHarness
{
    /// <summary>Runs bpfsharp with an argument list.</summary>
    public static ToolResult Bpfsharp(params string[] args)
    {
        var (code, stdout, stderr) = BpfSharp.Tests.GenCSharp.GenCSharpCli.Run(args);
        return new ToolResult(code, stdout, stderr);
    }

    /// <summary>Runs bpftool with an argument list (any exit code).</summary>
    public static ToolResult Bpftool(params string[] args) => ExternalTool.Run("bpftool", args);

    /// <summary>Every command of the tree with its path ("btf dump"), the root excluded.</summary>
    public static List<(string Path, Command Command)> Commands()
    {
        var list = new List<(string, Command)>();
        void Walk(Command c, string path)
        {
            foreach (var sub in c.Subcommands)
            {
                string p = path.Length == 0 ? sub.Name : path + " " + sub.Name;
                list.Add((p, sub));
                Walk(sub, p);
            }
        }
        Walk(BpfSharp.Cli.Program.CreateRoot(), "");
        return list;
    }

    /// <summary>The help text of a command, from an in-process parse.</summary>
    public static string Help(string path)
    {
        var output = new StringWriter();
        var root = BpfSharp.Cli.Program.CreateRoot();
        int exit = root.Parse([.. path.Split(' '), "--help"]).Invoke(new InvocationConfiguration { Output = output });
        Assert.Equal(0, exit);
        return output.ToString();
    }

    /// <summary>Asserts <paramref name="result"/> is bpftool's JSON error object and returns the message.</summary>
    public static string AssertJsonError(ToolResult result, string what)
    {
        Assert.True(result.Stderr.Length == 0 || !result.Stderr.Contains("Error:"), $"{what}: text error under -j: {result.Stderr}");
        using var doc = JsonDocument.Parse(result.Stdout);
        Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
        var property = Assert.Single(doc.RootElement.EnumerateObject());
        Assert.Equal("error", property.Name);
        return property.Value.GetString()!;
    }

    /// <summary>Standard output as text.</summary>
    public static string Text(this ToolResult r) => Encoding.UTF8.GetString(r.Stdout);
}
