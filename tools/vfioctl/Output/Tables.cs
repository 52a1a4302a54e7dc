using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Vfio.Ctl.Output;

/// <summary>Plain human tables: no borders to copy around, no markup interpretation of device data.</summary>
internal static class Tables
{
    public static Table Create(params string[] headers)
    {
        var table = new Table { Border = TableBorder.None };
        foreach (string header in headers)
        {
            table.AddColumn(new TableColumn(new Text(header)) { NoWrap = true });
        }
        return table;
    }

    /// <summary>Cells as literal text: a parameter value such as "[0-64]" is never read as Spectre markup.</summary>
    public static IRenderable[] Cells(params string[] values) => [.. values.Select(v => (IRenderable)new Text(v))];

    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
