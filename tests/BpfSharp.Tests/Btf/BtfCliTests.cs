using System.Diagnostics;
using System.Text.Json;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Btf;

/// <summary>End to end: the built <c>bpfsharp</c> tool against bpftool.</summary>
public class BtfCliTests
{
    private static (int ExitCode, byte[] Stdout, string Stderr) Bpfsharp(params string[] args) =>
        BpfSharp.Tests.GenCSharp.GenCSharpCli.Run(args);

    [Fact]
    public void RawDumpOfRunningKernelIsBpftools()
    {
        var (code, stdout, stderr) = Bpfsharp("btf", "dump", "file", TestPaths.Vmlinux);
        Assert.True(code == 0, stderr);
        BtfTestTools.AssertSameText(BtfTestTools.Run("bpftool", "btf", "dump", "file", TestPaths.Vmlinux), stdout, "bpfsharp btf dump");
    }

    [Fact]
    public void SplitDumpWithBaseOptionBeforeAndAfterTheCommand()
    {
        string module = BtfTestTools.RawBlob("debian-6.1.192-amd64.veth.btf.gz");
        string vmlinux = BtfTestTools.RawBlob("debian-6.1.192-amd64.btf.gz");
        var expected = BtfTestTools.Run("bpftool", "-B", vmlinux, "btf", "dump", "file", module, "format", "raw");
        var before = Bpfsharp("-B", vmlinux, "btf", "dump", "file", module, "format", "raw");
        Assert.True(before.ExitCode == 0, before.Stderr);
        BtfTestTools.AssertSameText(expected, before.Stdout, "-B before");
        var after = Bpfsharp("btf", "dump", "file", module, "--base-btf", vmlinux);
        Assert.True(after.ExitCode == 0, after.Stderr);
        BtfTestTools.AssertSameText(expected, after.Stdout, "--base-btf after");
        // Abbreviated keywords, as bpftool accepts them.
        var abbreviated = Bpfsharp("-B", vmlinux, "btf", "dump", "f", module, "form", "raw");
        BtfTestTools.AssertSameText(expected, abbreviated.Stdout, "abbreviated");
    }

    [Fact]
    public void JsonFlagAndJsonFormatAgree()
    {
        string obj = BtfTestTools.CompileTestObject("kinds");
        var viaFlag = Bpfsharp("-j", "btf", "dump", "file", obj);
        var viaFormat = Bpfsharp("btf", "dump", "file", obj, "format", "json");
        Assert.True(viaFlag.ExitCode == 0, viaFlag.Stderr);
        Assert.Equal(viaFlag.Stdout, viaFormat.Stdout);
        using var ours = JsonDocument.Parse(viaFlag.Stdout);
        using var theirs = JsonDocument.Parse(BtfTestTools.Run("bpftool", "-j", "btf", "dump", "file", obj));
        Assert.True(JsonElement.DeepEquals(theirs.RootElement.GetProperty("types"), ours.RootElement.GetProperty("types")));
        var pretty = Bpfsharp("btf", "dump", "file", obj, "-p");
        using var prettyDoc = JsonDocument.Parse(pretty.Stdout);
        Assert.True(JsonElement.DeepEquals(ours.RootElement, prettyDoc.RootElement));
        Assert.True(pretty.Stdout.Length > viaFlag.Stdout.Length);
    }

    [Theory]
    [InlineData("btf dump file {0} format yaml", "unrecognized format specifier: 'yaml'")]
    [InlineData("btf dump blob {0}", "unrecognized BTF source specifier: 'blob'")]
    [InlineData("btf dump file {0} colour", "unrecognized option: 'colour'")]
    [InlineData("btf dump file {0} format", "expecting value for 'format' option")]
    [InlineData("-j btf dump file {0} format c", "JSON output for C-syntax dump is not supported")]
    [InlineData("btf dump file /nonexistent/file.btf", "Error:")]
    public void BadUsageIsAnErrorLikeBpftool(string commandLine, string message)
    {
        string obj = BtfTestTools.CompileTestObject("maps");
        var (code, stdout, stderr) = Bpfsharp(string.Format(commandLine, obj).Split(' '));
        Assert.NotEqual(0, code);
        if (commandLine.StartsWith("-j ", StringComparison.Ordinal))
        {
            // Under -j the error is bpftool's JSON object on standard output.
            using var error = JsonDocument.Parse(stdout);
            Assert.Contains(message, error.RootElement.GetProperty("error").GetString());
            return;
        }
        Assert.Empty(stdout);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public void MalformedBtfIsReportedWithItsErrorCode()
    {
        string path = BtfTestTools.ScratchFile("truncated.btf");
        var bytes = File.ReadAllBytes(BtfTestTools.RawBlob("debian-6.1.192-amd64.veth.btf.gz"));
        File.WriteAllBytes(path, bytes[..20]);
        var (code, _, stderr) = Bpfsharp("btf", "dump", "file", path);
        Assert.Equal(1, code);
        Assert.Contains("BPFF0101", stderr);
    }
}
