using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Packaging;

/// <summary>
/// The bpfsharp tool as a user gets it: BpfSharp.Cli packed as a .NET 10 RID-specific tool into a folder feed and
/// installed with <c>dotnet tool install --tool-path</c> must be this machine's NativeAOT executable (no managed
/// entry point beside it) and print what the framework-dependent build and bpftool print.
/// </summary>
public sealed class CliToolPackageTests(CliToolPackageTests.InstalledTool tool) : IClassFixture<CliToolPackageTests.InstalledTool>
{
    [Fact]
    public void InstalledCommandIsANativeExecutableForThisMachine()
    {
        string real = tool.ResolvedCommand;
        byte[] header = new byte[20];
        using (var f = File.OpenRead(real)) f.ReadExactly(header);
        Assert.True(header.AsSpan(0, 4).SequenceEqual((ReadOnlySpan<byte>)[0x7f, (byte)'E', (byte)'L', (byte)'F']),
            $"{real} is not an ELF file");
        ushort machine = BitConverter.ToUInt16(header, 18);
        ushort expected = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? (ushort)183 : (ushort)62; // EM_AARCH64, EM_X86_64
        Assert.Equal(expected, machine);

        // An apphost is an ELF too: what makes this native is that the package carries no managed code at all.
        string packageDir = Path.GetDirectoryName(real)!;
        var managed = Directory.GetFiles(packageDir, "*.dll", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(packageDir, "*.runtimeconfig.json", SearchOption.AllDirectories)).ToList();
        Assert.True(managed.Count == 0, $"managed files beside {real}: {string.Join(", ", managed)}");
        Assert.DoesNotContain(Directory.GetFiles(tool.StoreDirectory, "*.dll", SearchOption.AllDirectories),
            f => Path.GetFileName(f).Equals("bpfsharp.dll", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(tool.RidPackage, Directory.GetDirectories(tool.StoreDirectory, "*", SearchOption.AllDirectories)
            .Select(d => Path.GetFileName(d)!), StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public void VersionAndHelpMatchTheFrameworkDependentBuild()
    {
        var version = Run(tool.Command, "--version");
        Assert.Equal(0, version.ExitCode);
        Assert.StartsWith("0.", version.StdoutText.Trim());

        var native = Run(tool.Command, "--help");
        Assert.Equal(0, native.ExitCode);
        Assert.Contains("bpfsharp", native.StdoutText);
        var managed = Run("dotnet", Path.Combine(AppContext.BaseDirectory, "bpfsharp.dll"), "--help");
        Assert.Equal(0, managed.ExitCode);
        Assert.Equal(managed.StdoutText, native.StdoutText);

        var group = Run(tool.Command, "core", "--help");
        Assert.Equal(0, group.ExitCode);
        Assert.Equal(Run("dotnet", Path.Combine(AppContext.BaseDirectory, "bpfsharp.dll"), "core", "--help").StdoutText, group.StdoutText);
    }

    [Fact]
    public void BtfDumpOfTheRunningKernelIsBpftools()
    {
        if (!File.Exists(TestPaths.Vmlinux)) Assert.Skip($"{TestPaths.Vmlinux} is missing: the kernel has no BTF");
        var ours = Run(tool.Command, "btf", "dump", "file", TestPaths.Vmlinux);
        Assert.True(ours.ExitCode == 0, ours.Stderr);
        byte[] theirs = ExternalTool.RunChecked("bpftool", "btf", "dump", "file", TestPaths.Vmlinux);
        Assert.True(theirs.Length > 0);
        Assert.True(theirs.AsSpan().SequenceEqual(ours.Stdout),
            $"installed bpfsharp's btf dump differs from bpftool's ({ours.Stdout.Length} vs {theirs.Length} bytes)");
    }

    [Fact]
    public void InstalledToolCarriesBashCompletion()
    {
        // bpfsharp.bash sits beside the installed executable and completes through it.
        string script = Path.Combine(Path.GetDirectoryName(tool.ResolvedCommand)!, "bpfsharp.bash");
        Assert.True(File.Exists(script), $"{script} is not in the installed tool");
        var verbs = ExternalTool.Run("bash", ["-c", $"source '{script}'; COMP_WORDS=(bpfsharp bt); COMP_CWORD=1; _bpfsharp; echo \"${{COMPREPLY[@]}}\""]);
        Assert.True(verbs.ExitCode == 0, verbs.Stderr);
        Assert.Equal("btf", verbs.StdoutText.Trim());
        var keywords = ExternalTool.Run("bash", ["-c", $"source '{script}'; COMP_WORDS=(bpfsharp cgroup tree / eff); COMP_CWORD=4; _bpfsharp; echo \"${{COMPREPLY[@]}}\""]);
        Assert.Equal("effective", keywords.StdoutText.Trim());
    }

    private static ToolResult Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        using var stdout = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(stdout);
        p.WaitForExit();
        return new ToolResult(p.ExitCode, stdout.ToArray(), err.Result);
    }

    /// <summary>
    /// Packs BpfSharp.Cli once for the class (pointer package + this machine's NativeAOT package, with a version
    /// of its own so no package cache can serve an older build) and installs it into a temporary tool path.
    /// </summary>
    public sealed class InstalledTool : IDisposable
    {
        private readonly string _root;

        public InstalledTool()
        {
            _root = TestPaths.NewScratchDirectory("cli-tool-package");
            try
            {
                string feed = Path.Combine(_root, "feed"), tools = Path.Combine(_root, "tools");
                RidPackage = "bpfsharp.cli." + (RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64");
                string version = "0.0.0-packtest." + DateTime.UtcNow.ToString("yyyyMMddHHmmss");
                string project = Path.Combine(TestPaths.RepoRoot, "src", "BpfSharp.Cli", "BpfSharp.Cli.csproj");
                string rid = RidPackage["bpfsharp.cli.".Length..];
                Dotnet(_root, isolatedCache: false, "pack", project, "-c", "Release", "-o", feed, $"-p:PackageVersion={version}");
                Dotnet(_root, isolatedCache: false, "pack", project, "-c", "Release", "-r", rid, "-o", feed, $"-p:PackageVersion={version}");
                // The feed is added to the user's sources (nuget.org stays there for anything else the install needs).
                File.WriteAllText(Path.Combine(_root, "NuGet.config"),
                    $"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <packageSources>\n" +
                    $"    <add key=\"bpfsharp-test-feed\" value=\"{feed}\" />\n  </packageSources>\n</configuration>\n");
                Dotnet(_root, isolatedCache: true, "tool", "install", "--tool-path", tools, "BpfSharp.Cli", "--version", version, "--add-source", feed);
                Command = Path.Combine(tools, "bpfsharp");
                Assert.True(File.Exists(Command), $"dotnet tool install left no {Command}");
                ResolvedCommand = new FileInfo(Command).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Command;
                StoreDirectory = Path.Combine(tools, ".store");
                if (ResolvedCommand == Command)
                {
                    // Not a link: the command is a copy or shim; the real binary is the one in the store.
                    ResolvedCommand = Directory.GetFiles(StoreDirectory, "bpfsharp", SearchOption.AllDirectories).Single();
                }
            }
            catch
            {
                Dispose(); // a failed pack or install leaves nothing behind either
                throw;
            }
        }

        /// <summary>The installed command (tools/bpfsharp).</summary>
        public string Command { get; }

        /// <summary>The executable the command runs.</summary>
        public string ResolvedCommand { get; }

        /// <summary>The tool path's package store.</summary>
        public string StoreDirectory { get; }

        /// <summary>The RID-specific package this machine should get (lower case).</summary>
        public string RidPackage { get; }

        // The install gets a package cache of its own: what it extracts goes away with the temporary directory.
        private void Dotnet(string workingDirectory, bool isolatedCache, params string[] args)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
            foreach (var a in args) psi.ArgumentList.Add(a);
            if (isolatedCache) psi.Environment["NUGET_PACKAGES"] = Path.Combine(_root, "packages");
            psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            psi.Environment["DOTNET_NOLOGO"] = "1";
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
                Assert.Fail($"dotnet {string.Join(' ', args)} exited with {p.ExitCode}:\n{Tail(output)}\n{err.Result}");
            var warnings = output.Split('\n').Where(l => l.Contains("warning IL", StringComparison.Ordinal) || l.Contains("warning AOT", StringComparison.Ordinal)).ToList();
            Assert.True(warnings.Count == 0, $"dotnet {args[0]}: AOT/trim warnings:\n{string.Join('\n', warnings)}");
        }

        private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(40));

        public void Dispose()
        {
            try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
