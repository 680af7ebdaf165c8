using Spectre.Console;

namespace BpfSharp.Cli.Output;

/// <summary>
/// A titled table rendered with Spectre.Console on a terminal and as plain, stable, column-aligned text when the
/// output is redirected (so scripts and tests can rely on it).
/// </summary>
internal sealed class ReportTable(string title, params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public string Title { get; } = title;
    public IReadOnlyList<string> Headers { get; } = headers;
    public int RowCount => _rows.Count;

    public void Add(params string[] cells) => _rows.Add(cells);

    public void Write(TextWriter output, bool rich)
    {
        if (rich)
        {
            var table = new Table { Title = new TableTitle(Markup.Escape(Title)), Border = TableBorder.Rounded };
            foreach (var h in Headers) table.AddColumn(new TableColumn(Markup.Escape(h)));
            foreach (var row in _rows) table.AddRow(row.Select(c => new Text(c)).ToArray());
            AnsiConsole.Write(table);
            return;
        }
        output.WriteLine($"{Title}:");
        if (_rows.Count == 0)
        {
            output.WriteLine("  (none)");
            output.WriteLine();
            return;
        }
        var widths = new int[Headers.Count];
        for (int i = 0; i < widths.Length; i++)
            widths[i] = Math.Max(Headers[i].Length, _rows.Max(r => i < r.Length ? r[i].Length : 0));
        void Line(IReadOnlyList<string> cells)
        {
            var parts = new string[widths.Length];
            for (int i = 0; i < widths.Length; i++)
            {
                string c = i < cells.Count ? cells[i] : "";
                parts[i] = i == widths.Length - 1 ? c : c.PadRight(widths[i]);
            }
            output.WriteLine(("  " + string.Join("  ", parts)).TrimEnd());
        }
        Line(Headers);
        foreach (var row in _rows) Line(row);
        output.WriteLine();
    }
}
