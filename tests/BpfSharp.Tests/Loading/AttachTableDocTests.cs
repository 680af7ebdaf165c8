using System.Reflection;
using System.Text.RegularExpressions;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Loading;

/// <summary>
/// docs/loader.md's attach-point tables promise a test per row: every row must name at least one test class of this
/// assembly, and every <c>Class.Method</c> it names must exist, so a renamed or deleted test cannot leave a row
/// pointing at nothing.
/// </summary>
public sealed partial class AttachTableDocTests(ITestOutputHelper output)
{
    [GeneratedRegex(@"`(?<class>[A-Z]\w*Tests)(\.(?<method>[A-Z]\w*))?(\([^`]*\))?`")]
    private static partial Regex TestReference();

    [Fact]
    public void EveryAttachTableRowNamesTestsThatExist()
    {
        var text = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "loader.md"));
        var start = text.IndexOf("## Program types and attach points", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/loader.md has no 'Program types and attach points' section");
        var end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? text[start..] : text[start..end];
        var testTypes = typeof(AttachTableDocTests).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("Tests", StringComparison.Ordinal))
            .GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.ToArray());

        var rows = 0;
        var problems = new List<string>();
        foreach (var line in section.Split('\n'))
        {
            if (!line.StartsWith('|') || line.StartsWith("|---", StringComparison.Ordinal)) continue;
            var cells = line.Trim().Trim('|').Split(" | ");
            var testCell = cells[^1];
            if (testCell.Trim() is "test") continue;
            rows++;
            var references = TestReference().Matches(testCell);
            if (references.Count == 0) problems.Add($"row '{cells[0].Trim()}' names no test class: {testCell.Trim()}");
            foreach (Match m in references)
            {
                var className = m.Groups["class"].Value;
                if (!testTypes.TryGetValue(className, out var types)) { problems.Add($"row '{cells[0].Trim()}': no test class {className}"); continue; }
                var method = m.Groups["method"];
                if (method.Success && !types.Any(t => t.GetMethod(method.Value, BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static) is not null))
                    problems.Add($"row '{cells[0].Trim()}': {className} has no test {method.Value}");
            }
        }
        output.WriteLine($"{rows} rows checked");
        Assert.True(rows >= 30, $"only {rows} attach-table rows found: has the table's layout changed?");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
