using Vfio.Ctl.Cli;
using Vfio.Ctl.Output;

namespace Vfio.Tests.Vfioctl;

/// <summary>
/// <see cref="TextTable"/> writes a table of printable ASCII itself, laid out as Spectre.Console lays it out; these tests
/// hold the two to the same bytes, and every other table to Spectre.
/// </summary>
public sealed class TableTests
{
    private const string Plain = "abcxyz019 -_=,./:()[]{}<>'\"\\|~";
    private const string Other = "\u00e9\u4e2d\u0301\t\n\r\u001b\u007f\u00a0";

    [Fact]
    public void Random_tables_of_printable_ASCII_are_written_as_Spectre_writes_them()
    {
        var random = new Random(23);
        for (int i = 0; i < 2000; i++)
        {
            (TextTable table, bool hasText) = RandomTable(random, Plain);
            var plain = new StringWriter();
            // Only a table with no text at all is left to Spectre (what it prints for one is its business).
            Assert.Equal(hasText, table.TryWritePlain(plain));
            Assert.Equal(hasText ? Spectre(table) : "", plain.ToString());
        }
    }

    [Fact]
    public void Tables_with_other_text_are_left_to_Spectre()
    {
        var random = new Random(29);
        for (int i = 0; i < 500; i++)
        {
            (TextTable table, _) = RandomTable(random, Plain + Other);
            var plain = new StringWriter();
            bool written = table.TryWritePlain(plain);
            if (!written)
            {
                Assert.Equal("", plain.ToString());
            }
            else
            {
                // Taken only when no character outside printable ASCII was drawn; then it must match too.
                Assert.Equal(Spectre(table), plain.ToString());
            }
            var output = new StringWriter();
            new CliConsole(output, TextWriter.Null, () => Stream.Null, () => Stream.Null, errorIsTerminal: false).Write(table);
            Assert.Equal(Spectre(table), output.ToString());
        }
        var accented = Tables.Create("Name", "Model");
        accented.AddRow(Tables.Cells("caf\u00e9", "m"));
        Assert.False(accented.TryWritePlain(new StringWriter()));
    }

    [Fact]
    public void A_row_must_have_one_cell_per_column()
    {
        var table = Tables.Create("A", "B");
        Assert.Throws<ArgumentException>(() => table.AddRow(Tables.Cells("1")));
        Assert.Throws<ArgumentException>(() => table.AddRow(Tables.Cells("1", "2", "3")));
    }

    private static string Spectre(TextTable table)
    {
        var output = new StringWriter();
        new CliConsole(output, TextWriter.Null, () => Stream.Null, () => Stream.Null, errorIsTerminal: false).Tables.Write(table.ToSpectre());
        return output.ToString();
    }

    private static (TextTable Table, bool HasText) RandomTable(Random random, string alphabet)
    {
        int columns = random.Next(1, 8);
        string[] headers = [.. Enumerable.Range(0, columns).Select(_ => RandomText(random, alphabet, 12))];
        var table = Tables.Create(headers);
        bool hasText = headers.Any(h => h.Length > 0);
        int rows = random.Next(0, 6);
        for (int r = 0; r < rows; r++)
        {
            string[] cells = [.. Enumerable.Range(0, columns).Select(_ => RandomText(random, alphabet, random.Next(3) == 0 ? 60 : 10))];
            hasText |= cells.Any(c => c.Length > 0);
            table.AddRow(cells);
        }
        return (table, hasText);
    }

    // Often empty or all spaces, to reach empty columns, tables without text and trailing spaces.
    private static string RandomText(Random random, string alphabet, int max) => random.Next(4) switch
    {
        0 => "",
        1 => new string(' ', random.Next(1, 4)),
        _ => new string([.. Enumerable.Range(0, random.Next(max + 1)).Select(_ => alphabet[random.Next(alphabet.Length)])]),
    };
}
