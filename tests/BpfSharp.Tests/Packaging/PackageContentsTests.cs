using System.IO.Compression;
using System.Xml.Linq;

namespace BpfSharp.Tests.Packaging;

/// <summary>
/// What each package carries and depends on, read from the .nupkg files scripts/pack.sh makes: a tool references
/// <c>BpfSharp</c> alone and gets the kernel API, the runtime and the build integration, and nothing it does not use.
/// </summary>
[Collection(PackageFeedCollection.Name)]
public sealed class PackageContentsTests(PackageFeed feed)
{
    private static readonly string[] Packages =
        ["BpfSharp", "BpfSharp.Core", "BpfSharp.Kernel", "BpfSharp.Linux", "BpfSharp.CoRe.Tools", "BpfSharp.Compiler", "BpfSharp.Compilation", "BpfSharp.Observability", "BpfSharp.Templates"];

    private (XElement Metadata, string[] Files) Read(string id)
    {
        using var zip = ZipFile.OpenRead(Path.Combine(feed.EnsurePacked(), $"{id}.{PackageFeed.Version}.nupkg"));
        var nuspec = zip.Entries.Single(e => e.FullName == id + ".nuspec");
        using var s = nuspec.Open();
        var doc = XDocument.Load(s);
        var metadata = doc.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        return (metadata, zip.Entries.Select(e => e.FullName).ToArray());
    }

    private static string[] Dependencies(XElement metadata) =>
        metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).Order().ToArray();

    private static string? Value(XElement metadata, string name) => metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    [Fact]
    public void EveryPackageHasTheMetadataUsersExpectAndOneVersion()
    {
        foreach (var id in Packages)
        {
            var (m, files) = Read(id);
            Assert.Equal(PackageFeed.Version, Value(m, "version"));
            Assert.Equal("README.md", Value(m, "readme"));
            Assert.Contains("README.md", files);
            Assert.Equal("MIT", Value(m, "license"));
            Assert.False(string.IsNullOrWhiteSpace(Value(m, "description")), id);
            Assert.False(string.IsNullOrWhiteSpace(Value(m, "tags")), id);
            var repository = m.Elements().Single(e => e.Name.LocalName == "repository");
            Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? "");
            if (id != "BpfSharp.Templates" && id != "BpfSharp")
                Assert.True(File.Exists(Path.Combine(feed.Feed, $"{id}.{PackageFeed.Version}.snupkg")), $"{id} has no symbol package");
        }
    }

    [Fact]
    public void BpfSharpBringsKernelRuntimeAndBuildIntegrationButNoLibraryOfItsOwn()
    {
        var (m, files) = Read("BpfSharp");

        Assert.Equal(["BpfSharp.Kernel", "BpfSharp.Linux"], Dependencies(m));
        Assert.DoesNotContain(files, f => f.StartsWith("lib/", StringComparison.Ordinal));
        Assert.Contains("buildTransitive/BpfSharp.props", files);
        Assert.Contains("buildTransitive/BpfSharp.targets", files);
        Assert.Contains("tools/roslyn/BpfSharp.Generators.dll", files);
        Assert.Contains("tools/roslyn/BpfSharp.Generators.CodeFixes.dll", files);
        Assert.Contains("tasks/net10.0/BpfSharp.Build.dll", files);
        Assert.Contains("tasks/net10.0/BpfSharp.Compiler.dll", files);
        Assert.Contains("tasks/net10.0/Mono.Cecil.dll", files);
        Assert.DoesNotContain(files, f => f.StartsWith("tasks/", StringComparison.Ordinal) && f.Contains("Mono.Cecil.", StringComparison.Ordinal) && !f.EndsWith("Mono.Cecil.dll", StringComparison.Ordinal));
    }

    [Fact]
    public void DependenciesFollowTheLayers()
    {
        Assert.Empty(Dependencies(Read("BpfSharp.Core").Metadata));        // no LibObjectFile, no SharpCompress
        Assert.Empty(Dependencies(Read("BpfSharp.Kernel").Metadata));
        Assert.Equal(["BpfSharp.Core"], Dependencies(Read("BpfSharp.Linux").Metadata));  // the runtime needs no compiler
        Assert.Equal(["BpfSharp.Core"], Dependencies(Read("BpfSharp.Compiler").Metadata));
        Assert.Equal(["BpfSharp.Core", "SharpCompress"], Dependencies(Read("BpfSharp.CoRe.Tools").Metadata));
        Assert.Equal(["BpfSharp.Compiler", "BpfSharp.Linux"], Dependencies(Read("BpfSharp.Compilation").Metadata));
        // logging and metrics bring the Microsoft.Extensions abstractions; the runtime itself stays free of packages
        Assert.Equal(["BpfSharp.Linux", "Microsoft.Extensions.Logging.Abstractions"], Dependencies(Read("BpfSharp.Observability").Metadata));
    }

    [Fact]
    public void TemplatesReferenceThisVersionOfBpfSharp()
    {
        var (_, files) = Read("BpfSharp.Templates");
        Assert.Contains("content/bpfsharp-trace/.template.config/template.json", files);
        Assert.Contains("content/bpfsharp-xdp/.template.config/template.json", files);
        foreach (var template in new[] { "bpfsharp-trace", "bpfsharp-xdp" })
        {
            var json = File.ReadAllText(Path.Combine(Infrastructure.TestPaths.RepoRoot, "templates", "content", template, ".template.config", "template.json"));
            Assert.Contains($"\"defaultValue\": \"{PackageFeed.Version}\"", json);
        }
    }
}
