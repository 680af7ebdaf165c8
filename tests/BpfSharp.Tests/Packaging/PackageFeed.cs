using System.Diagnostics;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Packaging;

/// <summary>
/// Every BpfSharp package packed into a folder feed (scripts/pack.sh), and a scratch workspace outside the
/// repository set up as a new user's machine would be: a nuget.config naming that feed and nuget.org, its own
/// package folder (so no earlier copy of a BpfSharp package is ever reused) and its own template hive. Deleted
/// afterwards; nothing global is touched.
/// </summary>
public sealed class PackageFeed : IDisposable
{
    private readonly Lazy<bool> _packed;

    public PackageFeed()
    {
        Workspace = TestPaths.NewScratchDirectory("package-feed");
        Feed = Path.Combine(Workspace, "feed");
        Hive = Path.Combine(Workspace, "template-hive");
        Packages = Path.Combine(Workspace, "packages");
        var machine = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        // Third-party packages (the NativeAOT compiler) may come from the machine's cache; BpfSharp's come only
        // from the feed (source mapping), into this workspace's own package folder.
        File.WriteAllText(Path.Combine(Workspace, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="bpfsharp-feed" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="bpfsharp-feed"><package pattern="BpfSharp*" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
              <fallbackPackageFolders>
                <add key="machine" value="{machine}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        _packed = new Lazy<bool>(() =>
        {
            var pack = Run(TestPaths.RepoRoot, TimeSpan.FromMinutes(10), "bash", "scripts/pack.sh", Feed, "--no-build");
            Assert.True(pack.Code == 0, "scripts/pack.sh failed:\n" + pack.Output);
            var install = Dotnet(Workspace, "new", "install", Path.Combine(Feed, "BpfSharp.Templates." + Version + ".nupkg"));
            Assert.True(install.Code == 0, "dotnet new install failed:\n" + install.Output);
            return true;
        });
    }

    /// <summary>The version every package has (Directory.Build.props).</summary>
    public static string Version { get; } = System.Text.RegularExpressions.Regex.Match(
        File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "Directory.Build.props")), "<Version>([^<]+)</Version>").Groups[1].Value;

    public string Workspace { get; }

    public string Feed { get; }

    public string Hive { get; }

    public string Packages { get; }

    /// <summary>Packs (once) and returns the feed folder.</summary>
    public string EnsurePacked()
    {
        _ = _packed.Value;
        return Feed;
    }

    /// <summary>Runs dotnet in the workspace's NuGet world (and its template hive for <c>dotnet new</c>).</summary>
    public ProcessResult Dotnet(string directory, params string[] args)
    {
        string[] all = args.Length > 0 && args[0] == "new" ? [.. args, "--debug:custom-hive", Hive] : args;
        return Run(directory, TimeSpan.FromMinutes(10), "dotnet", all);
    }

    /// <summary>Runs a process with this workspace's NuGet settings; stdout and stderr kept apart.</summary>
    public ProcessResult Run(string directory, TimeSpan timeout, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // The test host's MSBuild variables must not leak into the user's build.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
            psi.Environment.Remove(key);
        psi.Environment["NUGET_PACKAGES"] = Packages;
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        psi.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        psi.Environment["UseSharedCompilation"] = "false";
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish within {timeout}");
        }
        return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    public void Dispose()
    {
        try { Directory.Delete(Workspace, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>What a process printed and returned.</summary>
public sealed record ProcessResult(int Code, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;
}

[CollectionDefinition(Name)]
public sealed class PackageFeedCollection : ICollectionFixture<PackageFeed>
{
    public const string Name = "Package feed";
}
