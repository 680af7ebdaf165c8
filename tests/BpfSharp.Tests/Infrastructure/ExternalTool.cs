using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace BpfSharp.Tests.Infrastructure;

/// <summary>What an external tool printed and how it exited.</summary>
internal readonly record struct ToolResult(int ExitCode, byte[] Stdout, string Stderr)
{
    /// <summary>Standard output as UTF-8 text.</summary>
    public string StdoutText => Encoding.UTF8.GetString(Stdout);
}

/// <summary>
/// Runs the external oracles and build tools the tests compare against (clang-19, llvm-19, bpftool, make).
/// A tool that is missing fails the test with a message saying what to install.
/// </summary>
internal static class ExternalTool
{
    /// <summary>Runs a tool to completion with an argument list.</summary>
    public static ToolResult Run(string tool, IEnumerable<string> args)
    {
        var psi = NewStartInfo(tool);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Run(psi);
    }

    /// <summary>Runs a tool to completion with a shell-style argument string (quote paths with <see cref="Quote"/>).</summary>
    public static ToolResult RunCommandLine(string tool, string arguments)
    {
        var psi = NewStartInfo(tool);
        psi.Arguments = arguments;
        return Run(psi);
    }

    /// <summary>Runs a tool and returns its stdout bytes; fails the test with its stderr on a non-zero exit.</summary>
    public static byte[] RunChecked(string tool, params string[] args)
    {
        var result = Run(tool, args);
        if (result.ExitCode != 0)
            Assert.Fail($"{tool} {string.Join(' ', args)} exited with {result.ExitCode}: {result.Stderr}");
        return result.Stdout;
    }

    /// <summary>Runs a tool and returns its stdout text; fails the test with its stderr on a non-zero exit.</summary>
    public static string RunText(string tool, params string[] args) => Encoding.UTF8.GetString(RunChecked(tool, args));

    /// <summary>Quotes a path for <see cref="RunCommandLine"/>.</summary>
    public static string Quote(string s) => "\"" + s + "\"";

    /// <summary>The multiarch include directory (Debian keeps <c>asm/types.h</c> there), e.g. /usr/include/x86_64-linux-gnu.</summary>
    public static string MultiarchIncludeDirectory =>
        "/usr/include/" + (RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "aarch64" : "x86_64") + "-linux-gnu";

    /// <summary>Writes the running kernel's types as <c>vmlinux.h</c> (bpftool btf dump ... format c) into a directory.</summary>
    public static string WriteVmlinuxHeader(string directory)
    {
        string header = Path.Combine(directory, "vmlinux.h");
        File.WriteAllBytes(header, RunChecked("bpftool", "btf", "dump", "file", TestPaths.Vmlinux, "format", "c"));
        return header;
    }

    private static ProcessStartInfo NewStartInfo(string tool) => new(tool)
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        UseShellExecute = false,
    };

    private static ToolResult Run(ProcessStartInfo psi)
    {
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {psi.FileName}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"{psi.FileName} is required by this test and could not be started ({e.Message}); " +
                "install it (scripts/install-deps.sh installs clang-19, llvm-19 and bpftool).");
            throw;
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            using var stdout = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(stdout);
            process.WaitForExit();
            return new ToolResult(process.ExitCode, stdout.ToArray(), stderr.Result);
        }
    }
}
