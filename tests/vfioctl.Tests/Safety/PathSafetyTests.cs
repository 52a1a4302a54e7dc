using Vfio.Tests.Vfioctl.Support;
using Vfio.Ctl.Output;

namespace Vfio.Tests.Vfioctl.Safety;

/// <summary>
/// Hostile names and paths on the command line: each is refused with its catalogue code before it reaches a path,
/// and nothing about the refusal writes a control character to the terminal. The rows are docs/reliability.md's audit.
/// </summary>
public sealed class PathSafetyTests : IDisposable
{
    private const string Parent = "0000:00:03.0";
    private const string Type = "mynic-4q";
    private const string Uuid = "a0000000-0000-4000-8000-0000000000aa";
    private readonly DemoHostFixture _hosts = new();

    public void Dispose() => _hosts.Dispose();

    private Task<CliResult> OnA(params string[] args) => Cli.RunAsync(["--emulated", _hosts.HostA, .. args]);

    public static TheoryData<string, string[]> HostileNames => new()
    {
        { "uuid traversal", ["describe", "../../../etc/passwd"] },
        { "uuid absolute", ["describe", "/etc/passwd"] },
        { "uuid newline", ["describe", Uuid + "\n"] },
        { "uuid NUL", ["describe", Uuid + "\0"] },
        { "uuid upper case", ["describe", Uuid.ToUpperInvariant()] },
        { "uuid braces", ["describe", "{" + Uuid + "}"] },
        { "uuid escape", ["describe", "\u001b]0;owned\u0007" + Uuid] },
        { "uuid long", ["describe", new string('a', 5000)] },
        { "uuid fullwidth digits", ["describe", "\uff41" + Uuid[1..]] },
        { "uuid leading dash", ["save", "-a0000000-0000-4000-8000-0000000000aa"] },
        { "parent traversal", ["start", "-u", Uuid, "-p", "../../..", "-t", Type] },
        { "parent absolute", ["start", "-u", Uuid, "-p", "/sys/class", "-t", Type] },
        { "parent dot-dot", ["start", "-u", Uuid, "-p", "..", "-t", Type] },
        { "parent NUL", ["start", "-u", Uuid, "-p", "0000:00:03.0\0x", "-t", Type] },
        { "parent newline", ["start", "-u", Uuid, "-p", "0000:00:03.0\n", "-t", Type] },
        { "parent look-alike", ["start", "-u", Uuid, "-p", "0000\uff1a00\uff1a03.0", "-t", Type] },
        { "parent bidi override", ["start", "-u", Uuid, "-p", "0000:00:\u202e0.30", "-t", Type] },
        { "parent long", ["start", "-u", Uuid, "-p", new string('p', 256), "-t", Type] },
        { "type traversal", ["start", "-u", Uuid, "-p", Parent, "-t", "../../../../etc"] },
        { "type absolute", ["start", "-u", Uuid, "-p", Parent, "-t", "/etc"] },
        { "type slash", ["start", "-u", Uuid, "-p", Parent, "-t", "mynic-4q/../x"] },
        { "type NUL", ["start", "-u", Uuid, "-p", Parent, "-t", "mynic-4q\0"] },
        { "type shell", ["start", "-u", Uuid, "-p", Parent, "-t", "mynic;rm -rf ~"] },
        { "type look-alike", ["start", "-u", Uuid, "-p", Parent, "-t", "mynic\u20124q"] },
        { "to-type traversal", ["check", "-u", Uuid, "--to-type", "../x/mynic-4q"] },
        { "to-type absolute", ["migrate", Uuid, "--to-type", "/etc/mynic-4q"] },
        { "load parent traversal", ["load", Uuid, "-i", "x", "-p", "..", "-t", Type] },
    };

    [Theory]
    [MemberData(nameof(HostileNames))]
    public async Task A_hostile_name_is_a_usage_error_before_any_path_is_built(string kind, string[] args)
    {
        string before = Snapshot(_hosts.Root);

        CliResult r = await OnA(args);

        Assert.True(r.ExitCode == 64, $"{kind}: exit {r.ExitCode}: {r.Err}");
        Assert.StartsWith("error E7001 usage-error: ", r.Err, StringComparison.Ordinal);
        AssertNoControlCharacters(r.Err);
        Assert.Equal(before, Snapshot(_hosts.Root));
    }

    [Theory]
    [InlineData("../rss=on", "E2005")]
    [InlineData("/etc/passwd=1", "E2005")]
    [InlineData("-rss=on", "E2005")]
    [InlineData("r\u0455s=on", "E2005")]
    [InlineData("rss=on,rss=off", "E2006")]
    [InlineData("rx-filter-size=99999999999999999999", "E2007")]
    [InlineData("rx-filter-size=-1", "E2007")]
    [InlineData("rss=on\0", "E2004")]
    [InlineData("version=../../2", "E2008")]
    public async Task Hostile_configuration_text_is_refused_with_its_code_and_creates_no_device(string config, string code)
    {
        string before = Snapshot(_hosts.Root);

        CliResult r = await OnA("start", "-u", Uuid, "-p", Parent, "-t", Type, "--config", config);

        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith($"error {code} ", r.Err, StringComparison.Ordinal);
        AssertNoControlCharacters(r.Err);
        Assert.Equal(before, Snapshot(_hosts.Root));
    }

    [Fact]
    public async Task An_overlong_configuration_value_is_refused_and_its_echo_is_cut()
    {
        CliResult r = await OnA("start", "-u", Uuid, "-p", Parent, "-t", Type, "--config", "rss=" + new string('a', 100_000));

        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("error E2007 ", r.Err, StringComparison.Ordinal);
        // The message quotes the value; the error line is cut rather than filling the terminal with it.
        Assert.True(r.Err.Length < global::Vfio.Ctl.Cli.ErrorReport.MaxMessageLength + 200, $"{r.Err.Length} characters");
        Assert.Contains("more characters)", r.Err, StringComparison.Ordinal);
    }

    public static TheoryData<string, string[]> HostilePaths
    {
        get
        {
            var data = new TheoryData<string, string[]>();
            string[][] forms =
            [
                ["--emulated", "{0}", "list"],
                ["--sysfs-root", "{0}", "list"],
                ["--config-root", "{0}", "list"],
                ["save", Uuid, "-o", "{0}"],
                ["load", Uuid, "-i", "{0}"],
                ["check", "-d", "{0}", "--to-host", "/dev/null"],
                ["check", "-u", Uuid, "--to-host", "{0}"],
                ["check", "-u", Uuid, "--to-type", Parent + "/" + Type, "--to-root", "{0}"],
                ["find", "{0}", "-u", Uuid],
                ["find", "/tmp", "-d", "{0}"],
                ["migrate", Uuid, "--to-type", Parent + "/" + Type, "--to-root", "{0}"],
                ["demo", "--root", "{0}"],
            ];
            foreach (string[] form in forms)
            {
                foreach ((string what, string value) in new[] { ("empty", string.Empty), ("NUL", "/tmp/a\0b"), ("over PATH_MAX", "/" + new string('x', 5000)) })
                {
                    data.Add($"{form[0]} {form[^2]} {what}", form.Select(a => a == "{0}" ? value : a).ToArray());
                }
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(HostilePaths))]
    public async Task An_empty_NUL_or_overlong_path_is_a_usage_error(string kind, string[] args)
    {
        CliResult r = await Cli.RunAsync(args);

        Assert.True(r.ExitCode == 64, $"{kind}: exit {r.ExitCode}: {r.Err}");
        Assert.StartsWith("error E7001 usage-error: ", r.Err, StringComparison.Ordinal);
        AssertNoControlCharacters(r.Err);
    }

    [Fact]
    public async Task Emulated_root_with_a_NUL_was_an_unhandled_exception_and_is_now_a_usage_error()
    {
        // Regression: Path.GetFullPath threw ArgumentException out of the option binding.
        CliResult r = await Cli.RunAsync(["--emulated", _hosts.HostA + "\0/x", "list"]);

        Assert.Equal(64, r.ExitCode);
        Assert.Contains("NUL", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_to_an_empty_file_name_leaves_no_partial_file_in_the_working_directory()
    {
        // Regression: "-o ''" wrote the stream to ".partial" in the working directory, then failed the rename.
        await StartNic("version=2");

        CliResult r = await OnA("save", Uuid, "-o", string.Empty);

        Assert.Equal(64, r.ExitCode);
        Assert.False(File.Exists(Path.Join(Environment.CurrentDirectory, ".partial")));
        Assert.Contains("running", (await OnA("describe", Uuid, "--open")).Out.ToLowerInvariant(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_refuses_a_symbolic_link_at_the_target_and_leaves_its_target_alone()
    {
        await StartNic("version=2");
        string victim = Path.Join(_hosts.Root, "victim");
        File.WriteAllText(victim, "precious");
        string output = Path.Join(_hosts.Root, "stream.bin");
        File.CreateSymbolicLink(output, victim);

        CliResult r = await OnA("save", Uuid, "-o", output);

        Assert.Equal(64, r.ExitCode);
        Assert.Contains("symbolic link", r.Err, StringComparison.Ordinal);
        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.False(File.Exists(output + ".partial"));
    }

    [Fact]
    public async Task Save_refuses_a_symbolic_link_planted_at_the_partial_name()
    {
        // Regression: the .partial file was opened with O_CREAT|O_TRUNC, which follows a link planted at its name and
        // overwrote the link's target with the device's state.
        await StartNic("version=2");
        string victim = Path.Join(_hosts.Root, "victim");
        File.WriteAllText(victim, "precious");
        string output = Path.Join(_hosts.Root, "stream.bin");
        File.CreateSymbolicLink(output + ".partial", victim);

        CliResult r = await OnA("save", Uuid, "-o", output);

        Assert.Equal(64, r.ExitCode);
        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Save_replaces_a_stale_partial_file_left_by_a_killed_save()
    {
        await StartNic("version=2");
        string output = Path.Join(_hosts.Root, "stream.bin");
        File.WriteAllText(output + ".partial", "left by a save that was killed");

        CliResult r = await OnA("save", Uuid, "-o", output);

        Assert.True(r.ExitCode == 0, r.Err);
        Assert.False(File.Exists(output + ".partial"));
        byte[] stream = File.ReadAllBytes(output);
        Assert.False(stream.AsSpan().StartsWith("left by"u8));
        Assert.True(stream.Length > 1000);
    }

    [Fact]
    public async Task Load_from_a_terminal_on_stdin_is_refused_instead_of_waiting()
    {
        // Regression: "load -i -" with nothing piped in waited for the operator to type a binary stream.
        CliResult r = await Cli.RunAsync(["--emulated", _hosts.HostB, "load", Uuid, "-i", "-"], inputIsTerminal: true);

        Assert.Equal(64, r.ExitCode);
        Assert.Contains("terminal", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_to_a_terminal_on_stdout_is_refused_and_the_source_keeps_running()
    {
        await StartNic("version=2");

        CliResult r = await Cli.RunAsync(["--emulated", _hosts.HostA, "save", Uuid, "-o", "-"], outputIsTerminal: true);

        Assert.Equal(64, r.ExitCode);
        Assert.Contains("terminal", r.Err, StringComparison.Ordinal);
        Assert.Empty(r.Stdout);
        Assert.Contains("state         RUNNING", (await OnA("describe", Uuid, "--open")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Find_with_a_missing_device_document_is_E2009_not_a_crash()
    {
        // Regression: File.ReadAllText's FileNotFoundException escaped as an unhandled exception.
        CliResult r = await Cli.RunAsync(["find", _hosts.Root, "-d", Path.Join(_hosts.Root, "missing.json")]);

        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("error E2009 document-invalid: ", r.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("find")]
    [InlineData("check")]
    public async Task A_device_document_that_never_ends_is_refused_not_read(string verb)
    {
        // Regression: "-d /dev/zero" read until memory ran out.
        string[] args = verb == "find" ? ["find", _hosts.Root, "-d", "/dev/zero"] : ["check", "-d", "/dev/zero", "--to-host", "/dev/null"];

        CliResult r = await Cli.RunAsync(args);

        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("error E2009 document-invalid: ", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_FIFO_as_a_document_is_refused_not_waited_on()
    {
        string fifo = Path.Join(_hosts.Root, "doc.json");
        Assert.Equal(0, Vfio.Tests.Support.Posix.MkFifo(fifo));

        CliResult r = await Cli.RunAsync(["check", "-d", fifo, "--to-host", fifo]);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not a regular file", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oversized_or_non_UTF8_document_is_E2009()
    {
        string big = Path.Join(_hosts.Root, "big.json");
        using (FileStream f = File.Create(big))
        {
            f.SetLength(global::Vfio.Ctl.Cli.CliFiles.MaxDocumentBytes + 1);
        }
        string binary = Path.Join(_hosts.Root, "binary.json");
        File.WriteAllBytes(binary, [0x7b, 0xff, 0xfe, 0x7d]);

        CliResult tooBig = await Cli.RunAsync(["check", "-d", big, "--to-host", big]);
        CliResult notText = await Cli.RunAsync(["check", "-d", binary, "--to-host", binary]);

        Assert.StartsWith("error E2009 document-invalid: ", tooBig.Err, StringComparison.Ordinal);
        Assert.Contains("larger than", tooBig.Err, StringComparison.Ordinal);
        Assert.StartsWith("error E2009 document-invalid: ", notText.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fleet_folder_with_an_oversized_document_is_E2009()
    {
        string fleet = Directory.CreateDirectory(Path.Join(_hosts.Root, "fleet")).FullName;
        using (FileStream f = File.Create(Path.Join(fleet, "huge.json")))
        {
            f.SetLength(global::Vfio.Ctl.Cli.CliFiles.MaxDocumentBytes + 1);
        }
        await StartNic("version=2");

        CliResult r = await OnA("find", fleet, "-u", Uuid);

        Assert.StartsWith("error E2009 document-invalid: ", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Terminal_escapes_and_newlines_in_input_cannot_forge_or_hide_an_error_line()
    {
        // Regression: the parser's message quoted the token raw, so ESC sequences reached the terminal.
        CliResult escape = await OnA("describe", "\u001b[2J\u001b[31mfake\u001b[0m");
        CliResult newline = await OnA("start", "-u", Uuid, "-p", Parent, "-t", Type, "--config", "rss=on\nerror E0000 forged: all good\r");

        AssertNoControlCharacters(escape.Err);
        Assert.Contains("\\e[2J", escape.Err, StringComparison.Ordinal);
        AssertNoControlCharacters(newline.Err);
        Assert.DoesNotContain(newline.Err.Split('\n'), l => l.StartsWith("error E0000", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\u001b[31mb", "a\\e[31mb")]
    [InlineData("a\rb", "a\\rb")]
    [InlineData("a\nb", "a\\nb")]
    [InlineData("\u009b31m", "\\u009b31m")]
    [InlineData("ab\u202ecd", "ab\\u202ecd")]
    [InlineData("x\u2066y", "x\\u2066y")]
    [InlineData("a\u007fb", "a\\u007fb")]
    public void TerminalText_Line_makes_every_control_character_visible(string input, string expected) =>
        Assert.Equal(expected, TerminalText.Line(input));

    [Fact]
    public void TerminalText_Block_keeps_newlines_but_indents_a_line_that_would_stand_alone()
    {
        Assert.Equal("2 problems:\n  a\n  error E0000 forged", TerminalText.Block("2 problems:\n  a\nerror E0000 forged"));
        Assert.Equal("x\\e[0m", TerminalText.Block("x\u001b[0m"));
    }

    [Theory]
    [InlineData("02B07BF65A2F", "02B07BF65A2F")]
    [InlineData("1500", "1500")]
    [InlineData("12345678901234567890", "12345678901234567890")]
    [InlineData("not hex at all, and long", "not hex at all, and long")]
    public void StateText_shows_short_and_non_byte_values_as_they_are(string value, string shown) =>
        Assert.Equal(shown, StateText.Display(value));

    [Fact]
    public void StateText_digests_long_byte_values()
    {
        string key = Convert.ToHexString(Enumerable.Range(0, 40).Select(i => (byte)(i * 7 + 3)).ToArray());

        string shown = StateText.Display(key);

        Assert.Matches("^xxh128:[0-9a-f]{12} \\(40 B\\)$", shown);
        Assert.DoesNotContain(key[..8], shown, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(shown, StateText.Display(key.ToLowerInvariant()));
    }

    internal static void AssertNoControlCharacters(string text)
    {
        foreach (char c in text)
        {
            Assert.False((char.IsControl(c) && c != '\n') || c is >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069',
                $"U+{(int)c:X4} reached the terminal in: {text}");
        }
    }

    private async Task StartNic(string config)
    {
        CliResult r = await OnA("start", "-u", Uuid, "-p", Parent, "-t", Type, "--config", config);
        Assert.True(r.ExitCode == 0, r.Err);
    }

    private static string Snapshot(string root) =>
        string.Join('\n', Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
}
