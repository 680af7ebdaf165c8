using System.Text.RegularExpressions;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Tools;

/// <summary>
/// The C# snippets of docs/tools.md's "Writing a tool" are excerpts of the tools in examples/tools (which the build
/// compiles and the twin tests run): each must appear, character for character, in one of their sources, so the
/// guide cannot drift from code that works.
/// </summary>
public sealed class ToolDocSnippetTests
{
    [Fact]
    public void WritingAToolSnippetsAreToolSourceExcerpts()
    {
        var doc = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "tools.md"));
        var start = doc.IndexOf("\n## Writing a tool\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/tools.md has no '## Writing a tool' section");
        var end = doc.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = doc[start..(end < 0 ? doc.Length : end)];
        var snippets = Regex.Matches(section, "```csharp\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();
        Assert.True(snippets.Count >= 5, $"only {snippets.Count} snippets found");

        var sources = Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "examples", "tools"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(File.ReadAllText).ToList();
        foreach (var snippet in snippets)
            Assert.True(sources.Any(s => s.Contains(snippet, StringComparison.Ordinal)), $"not in any examples/tools source:\n{snippet}");
    }
}
