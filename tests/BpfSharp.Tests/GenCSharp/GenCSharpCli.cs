using System.Diagnostics;

namespace BpfSharp.Tests.GenCSharp;

/// <summary>Runs the built <c>bpfsharp</c> tool (dotnet bpfsharp.dll) and returns its exit code and output.</summary>
internal static class GenCSharpCli
{
    public static (int ExitCode, byte[] Stdout, string Stderr) Run(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "bpfsharp.dll");
        Assert.True(File.Exists(dll), $"{dll} not built");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        using var ms = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(ms);
        p.WaitForExit();
        return (p.ExitCode, ms.ToArray(), err.Result);
    }
}
