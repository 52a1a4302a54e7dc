using System.Globalization;
using System.Text;
using Spectre.Console;
using Spectre.Console.Rendering;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Output;

/// <summary>Plain human tables: no borders to copy around, no markup interpretation of device data.</summary>
internal static class Tables
{
    public static TextTable Create(params string[] headers) => new(headers);

    /// <summary>One row's cells, as literal text: a parameter value such as "[0-64]" is never read as Spectre markup.</summary>
    public static string[] Cells(params string[] values) => values;

    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// A table of literal text, laid out as Spectre.Console lays out a borderless table of columns that never wrap (what
/// vfioctl has always printed): each column as wide as its widest cell, one space after every column but the last,
/// spaces at the end of a line dropped (<see cref="LineEndTrimmingWriter"/>).
/// </summary>
/// <remarks>
/// A table whose every cell is printable ASCII (one character, one column) is written here directly; any other text
/// (a character of another width, a control character, a line break) goes through Spectre.Console, which measures it
/// with its Unicode width tables. Building those tables and the Spectre console was 4-5% of a native
/// <c>vfioctl list</c> (docs/benchmarks.md, "CLI start-up"); the tests compare both paths on random tables.
/// </remarks>
internal sealed class TextTable
{
    private readonly string[] _headers;
    private readonly List<string[]> _rows = [];

    public TextTable(string[] headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        _headers = [.. headers];
    }

    /// <summary>Adds a row of one cell per column.</summary>
    /// <param name="cells">The cells, as literal text.</param>
    public void AddRow(params string[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"a row of {cells.Length} cells in a table of {_headers.Length} columns", nameof(cells));
        }
        _rows.Add([.. cells]);
    }

    /// <summary>The table for Spectre.Console to render: what <see cref="CliConsole.Write"/> prints when a cell is not printable ASCII.</summary>
    /// <returns>The Spectre table.</returns>
    internal Table ToSpectre()
    {
        var table = new Table { Border = TableBorder.None };
        foreach (string header in _headers)
        {
            table.AddColumn(new TableColumn(new Text(header)) { NoWrap = true });
        }
        foreach (string[] row in _rows)
        {
            table.AddRow([.. row.Select(v => (IRenderable)new Text(v))]);
        }
        return table;
    }

    /// <summary>Writes the table when every cell is printable ASCII and the table fits the width Spectre is given.</summary>
    /// <param name="output">Where to write it.</param>
    /// <returns>False, having written nothing, otherwise.</returns>
    internal bool TryWritePlain(TextWriter output)
    {
        var widths = new int[_headers.Length];
        long total = 0;
        for (int column = 0; column < widths.Length; column++)
        {
            if (!IsPlain(_headers[column]))
            {
                return false;
            }
            int width = _headers[column].Length;
            foreach (string[] row in _rows)
            {
                if (!IsPlain(row[column]))
                {
                    return false;
                }
                width = Math.Max(width, row[column].Length);
            }
            widths[column] = width;
            total += width + 2;
        }
        // An empty table (Spectre prints an ellipsis), or one wider than Spectre's console (it would cut the rows).
        if (total <= 2L * widths.Length || total > CliConsole.UnwrappedWidth)
        {
            return false;
        }
        var line = new StringBuilder();
        WriteLine(output, line, _headers, widths);
        foreach (string[] row in _rows)
        {
            WriteLine(output, line, row, widths);
        }
        return true;
    }

    private static void WriteLine(TextWriter output, StringBuilder line, string[] cells, int[] widths)
    {
        line.Clear();
        for (int column = 0; column < cells.Length; column++)
        {
            line.Append(cells[column]).Append(' ', widths[column] - cells[column].Length + (column < cells.Length - 1 ? 1 : 0));
        }
        int end = line.Length;
        while (end > 0 && line[end - 1] == ' ')
        {
            end--;
        }
        line.Length = end;
        output.Write(line.Append('\n').ToString());
    }

    private static bool IsPlain(string text)
    {
        foreach (char c in text)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }
        return true;
    }
}
