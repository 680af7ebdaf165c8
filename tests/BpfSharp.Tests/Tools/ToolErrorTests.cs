using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Tools;

/// <summary>
/// The tools' failure paths: a bad argument is a usage message and exit code 2, and a kernel refusal (here: no
/// privileges, by running as the nobody user through setpriv) is one line and exit code 1; never a stack trace.
/// </summary>
public sealed class ToolErrorTests
{
    [Theory]
    [InlineData("exitsnoop")]
    [InlineData("syscount")]
    [InlineData("opensnoop")]
    [InlineData("runqlat")]
    [InlineData("biolatency")]
    [InlineData("profile")]
    [InlineData("offcputime")]
    [InlineData("filelife")]
    [InlineData("tcpconnect")]
    [InlineData("bindsnoop")]
    [InlineData("capable")]
    public void BadArgumentIsAUsageMessage(string tool)
    {
        var result = ExternalTool.Run("dotnet", [ToolTwins.ToolAssembly(tool), "--no-such-option"]);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"{tool}: invalid argument '--no-such-option'", result.Stderr);
        Assert.Contains("USAGE:", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Theory]
    [InlineData("exitsnoop")]
    [InlineData("runqlat")]
    [InlineData("biolatency")]
    [InlineData("profile")]
    [InlineData("offcputime")]
    [InlineData("filelife")]
    [InlineData("tcpconnect")]
    [InlineData("bindsnoop")]
    [InlineData("capable")]
    public void UnprivilegedRunIsOneLine(string tool)
    {
        Assert.True(File.Exists("/usr/bin/setpriv"), "setpriv (util-linux) is needed to drop privileges");
        // The nobody user cannot read the tool from a root-only directory, so run a copy of its output folder.
        var copy = TestPaths.NewScratchDirectory("unprivileged-" + tool);
        try
        {
            foreach (var file in Directory.GetFiles(Path.GetDirectoryName(ToolTwins.ToolAssembly(tool))!))
                File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            ExternalTool.RunChecked("chmod", "-R", "a+rX", copy);
            var result = ExternalTool.Run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                "env", "DOTNET_CLI_HOME=/tmp", "HOME=/tmp", "dotnet", Path.Combine(copy, tool + ".dll")]);
            Assert.Equal(1, result.ExitCode);
            Assert.StartsWith($"{tool}: ", result.Stderr);
            Assert.DoesNotContain("   at ", result.Stderr);
            Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }
}
