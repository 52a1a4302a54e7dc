using Spectre.Console;

namespace Vfio.Ctl.Cli;

/// <summary>
/// The process's standard streams as the verbs see them. Results go to <see cref="Output"/>; progress and
/// diagnostics go to <see cref="Error"/> only, so <c>vfioctl save A | vfioctl load B</c> never mixes a log line
/// into the migration stream.
/// </summary>
internal sealed class CliConsole
{
    private readonly Func<Stream> _openInput;
    private readonly Func<Stream> _openOutput;

    public CliConsole(TextWriter output, TextWriter error, Func<Stream> openInput, Func<Stream> openOutput, bool errorIsTerminal, bool outputIsTerminal = false, bool inputIsTerminal = false)
    {
        Output = output;
        Error = error;
        _openInput = openInput;
        _openOutput = openOutput;
        ErrorIsTerminal = errorIsTerminal;
        OutputIsTerminal = outputIsTerminal;
        InputIsTerminal = inputIsTerminal;
        Tables = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(new LineEndTrimmingWriter(output)),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        // Tables never wrap a cell: redirected output has no width, and a narrow terminal folds a long line itself
        // rather than have a name broken in the middle ("stats/rx-b" / "ytes"). A table is as wide as its cells.
        Tables.Profile.Width = UnwrappedWidth;
        // Tables have no height, and a console's height is never asked for here: left unset, Spectre reads it from
        // the terminal at every write (on Linux by loading the terminfo database), a tenth of a native 'list'.
        Tables.Profile.Height = UnwrappedHeight;
    }

    /// <summary>The height Spectre is told the output has; nothing vfioctl writes depends on it.</summary>
    internal const int UnwrappedHeight = 24;

    /// <summary>The width tables are laid out in: wider than any row, so no cell is ever wrapped or cut.</summary>
    internal const int UnwrappedWidth = 100_000;

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    /// <summary>True when stderr is a terminal: progress bars then; one quiet line per step otherwise.</summary>
    public bool ErrorIsTerminal { get; }

    /// <summary>True when stdout is a terminal: <c>save -o -</c> then refuses to print binary data on it.</summary>
    public bool OutputIsTerminal { get; }

    /// <summary>True when stdin is a terminal: <c>load -i -</c> then refuses to wait for a stream typed by hand.</summary>
    public bool InputIsTerminal { get; }

    /// <summary>A Spectre console over <see cref="Output"/> for human tables (no colour, no cursor tricks).</summary>
    public IAnsiConsole Tables { get; }

    /// <summary>The binary standard input, for <c>load -i -</c>.</summary>
    public Stream OpenInput() => _openInput();

    /// <summary>The binary standard output, for <c>save -o -</c>.</summary>
    public Stream OpenOutput() => _openOutput();
}

/// <summary>Passes text on line by line without the spaces a table pads its last column with.</summary>
internal sealed class LineEndTrimmingWriter(TextWriter inner) : TextWriter
{
    private readonly System.Text.StringBuilder _line = new();

    public override System.Text.Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        if (value == '\n')
        {
            inner.Write(_line.ToString().TrimEnd(' '));
            inner.Write('\n');
            _line.Clear();
            return;
        }
        _line.Append(value);
    }

    public override void Write(string? value)
    {
        foreach (char c in value ?? "")
        {
            Write(c);
        }
    }

    public override void Flush()
    {
        inner.Write(_line.ToString());
        _line.Clear();
        inner.Flush();
    }
}
