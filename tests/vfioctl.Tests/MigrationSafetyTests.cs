using System.Runtime.InteropServices;
using Vfio.Tests.Support;
using Vfio.Tests.Vfioctl.Support;
using Vfio.Ctl.Cli;

namespace Vfio.Tests.Vfioctl;

/// <summary>
/// Migration safety through the CLI, as an operator meets it: no split brain after a migration that completed (on one
/// host, between two emulated hosts, and through a saved stream), and SIGINT, SIGTERM or SIGHUP during save, load and
/// migrate roll back exactly as a failure does and exit 128 + the signal, leaving no journal entry.
/// </summary>
public sealed class MigrationSafetyTests : IDisposable
{
    private const string Parent = "0000:00:03.0";
    private const string Type = "mynic-4q";
    private const string Source = "c1300000-0000-4000-8000-000000000001";
    private const string Destination = "c1300000-0000-4000-8000-000000000002";
    private readonly DemoHostFixture _hosts = new();

    public void Dispose() => _hosts.Dispose();

    private string A => _hosts.HostA;

    private string Journal(string host) => Path.Join(host, "var", "lib", "vfio-migrate", "journal");

    private bool NoJournal(string host) => !Directory.Exists(Journal(host)) || !Directory.EnumerateFileSystemEntries(Journal(host)).Any();

    private async Task StartSourceAsync(string host, int traffic = 0)
    {
        Assert.Equal(0, (await Cli.RunAsync(["--emulated", host, "start", "-u", Source, "-p", Parent, "-t", Type, "--config", "version=1"])).ExitCode);
        if (traffic > 0)
        {
            Assert.Equal(0, (await Cli.RunAsync(["--emulated", host, "traffic", Source, "-n", traffic.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed", "5"])).ExitCode);
        }
    }

    private static async Task<string?> StateAsync(string host, string uuid)
    {
        CliResult describe = await Cli.RunAsync(["--emulated", host, "describe", uuid, "--open"]);
        if (describe.ExitCode != 0)
        {
            Assert.Contains("E6005 device-not-found", describe.Err, StringComparison.Ordinal);
            return null;
        }
        return System.Text.RegularExpressions.Regex.Match(describe.Out, @"(?m)^state\s+(\S+)").Groups[1].Value;
    }

    [Fact]
    public async Task Resume_after_a_completed_migrate_to_another_host_is_refused_and_only_the_destination_runs()
    {
        await StartSourceAsync(A);
        CliResult migrate = await BuiltCli.RunAsync("--emulated", A, "migrate", Source, "--to-type", $"{Parent}/{Type}", "--to-uuid", Destination, "--to-root", _hosts.HostB);
        Assert.True(migrate.ExitCode == 0, migrate.Err);

        CliResult resume = await BuiltCli.RunAsync("--emulated", A, "resume", Source);

        // Before: exit 0, "is running again", and both the source and the destination RUNNING.
        Assert.Equal(1, resume.ExitCode);
        Assert.Contains("error E6030 state-moved-away", resume.Err, StringComparison.Ordinal);
        Assert.Equal("STOP", await StateAsync(A, Source));
        Assert.Equal("RUNNING", await StateAsync(_hosts.HostB, Destination));
        Assert.Contains("moved away (destination-running)", (await Cli.RunAsync(["--emulated", A, "list"])).Out, StringComparison.Ordinal);
        Assert.Contains($"migration     moved away: its state runs in {Destination}", (await Cli.RunAsync(["--emulated", A, "describe", Source])).Out, StringComparison.Ordinal);
        // --force does not run it either while the destination is seen RUNNING.
        Assert.Contains("even with --force", (await BuiltCli.RunAsync("--emulated", A, "resume", "--force", Source)).Err, StringComparison.Ordinal);
        Assert.Equal("STOP", await StateAsync(A, Source));
    }

    [Fact]
    public async Task Resume_after_save_piped_into_load_on_one_host_is_refused()
    {
        await StartSourceAsync(A);
        CliResult pipe = await BuiltCli.PipelineAsync($"$VFIOCTL --emulated '{A}' save {Source} | $VFIOCTL --emulated '{A}' load {Destination} -p {Parent} -t {Type}");
        Assert.True(pipe.ExitCode == 0, pipe.Err);

        CliResult resume = await BuiltCli.RunAsync("--emulated", A, "resume", Source);

        Assert.Equal(1, resume.ExitCode);
        Assert.Contains("error E6030 state-moved-away", resume.Err, StringComparison.Ordinal);
        Assert.Contains($"its state runs in {Destination}", resume.Err, StringComparison.Ordinal);
        Assert.Equal("STOP", await StateAsync(A, Source));
        Assert.Equal("RUNNING", await StateAsync(A, Destination));
    }

    [Fact]
    public async Task A_whole_saved_stream_marks_the_source_and_resume_force_runs_it_loudly()
    {
        await StartSourceAsync(A);
        string file = Path.Join(_hosts.Root, "s.bin");
        Assert.Equal(0, (await BuiltCli.RunAsync("--emulated", A, "save", Source, "-o", file)).ExitCode);

        CliResult refused = await BuiltCli.RunAsync("--emulated", A, "resume", Source);
        CliResult forced = await BuiltCli.RunAsync("--emulated", A, "resume", "--force", Source);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("its whole state was saved", refused.Err, StringComparison.Ordinal);
        Assert.Equal(0, forced.ExitCode);
        Assert.Contains("warning E6030 state-moved-away: --force", forced.Err, StringComparison.Ordinal);
        Assert.Contains($"resume --force {Source}", File.ReadAllText(Path.Join(A, "var", "lib", "vfio-migrate", "migration.log")), StringComparison.Ordinal);
        Assert.Equal("RUNNING", await StateAsync(A, Source));
    }

    [Fact]
    public async Task Sigint_while_save_is_blocked_on_a_pipe_rolls_back_and_no_end_record_leaves()
    {
        await StartSourceAsync(A, traffic: 800);
        using VfioctlChild save = VfioctlChild.Start(["--emulated", A, "save", Source, "--chunk-size", "4096"]);
        // Nobody drains stdout: once the pipe is full the save blocks there. The pipe is cut to one page (before the
        // child, still starting its runtime, has opened it): the ~66 KB stream then blocks in its first records. vfioctl
        // leaves a pipe sized by another program as it is; one left at the kernel's 64 KiB it grows to 1 MiB, where the
        // whole stream would fit.
        var stdout = Assert.IsAssignableFrom<System.IO.Pipes.PipeStream>(save.Process.StandardOutput.BaseStream);
        Assert.Equal(4096, Posix.SetPipeSize(stdout.SafePipeHandle, 4096));
        await save.WaitUntilBlockedAsync(TimeSpan.FromSeconds(1), () => File.Exists(Path.Join(Journal(A), Source + ".json")));

        save.Signal(Posix.SIGINT);
        var drained = new MemoryStream();
        Task drain = save.Process.StandardOutput.BaseStream.CopyToAsync(drained);
        (int exit, string err) = await save.ExitAsync();
        await drain;

        // Before: exit 130 after System.CommandLine's 2 s, no rollback, the journal left and the source in PRE_COPY.
        Assert.True(exit == 130, $"exit {exit}: {err}");
        Assert.Contains("error E6014 migration-cancelled", err, StringComparison.Ordinal);
        Assert.Contains("by SIGINT", err, StringComparison.Ordinal);
        Assert.Equal("RUNNING", await StateAsync(A, Source));
        Assert.True(NoJournal(A));
        // What did get through is not a whole stream: a load of it fails and leaves nothing behind.
        CliResult load = await Cli.RunAsync(["--emulated", A, "load", Destination, "-p", Parent, "-t", Type], stdin: drained.ToArray());
        Assert.Equal(4, load.ExitCode);
        Assert.Null(await StateAsync(A, Destination));
        Assert.Equal(0, (await BuiltCli.RunAsync("--emulated", A, "save", Source, "-o", Path.Join(_hosts.Root, "again.bin"))).ExitCode);
    }

    [Theory]
    [InlineData("StopCopyEntered")]
    [InlineData("DestinationLoaded")]
    [InlineData("SourceStopped")]
    public async Task Sigterm_during_migrate_rolls_back_the_source_and_removes_the_destination(string checkpoint)
    {
        await StartSourceAsync(A);
        string marker = Path.Join(_hosts.Root, "pause.marker");
        using VfioctlChild migrate = VfioctlChild.Start(["--emulated", A, "migrate", Source, "--to-type", $"{Parent}/{Type}", "--to-uuid", Destination], checkpoint, marker);
        await migrate.WaitForPauseAsync(marker);

        migrate.Signal(Posix.SIGTERM);
        (int exit, string err) = await migrate.ExitAsync();

        // Before: exit 143 after 2 s, the journal left, the source stopped and the destination half made.
        Assert.True(exit == 143, $"exit {exit}: {err}");
        Assert.Contains("error E6014 migration-cancelled", err, StringComparison.Ordinal);
        Assert.Equal("RUNNING", await StateAsync(A, Source));
        Assert.Null(await StateAsync(A, Destination));
        Assert.True(NoJournal(A));
    }

    [Fact]
    public async Task Sighup_while_load_waits_for_the_rest_of_the_stream_removes_the_destination()
    {
        await StartSourceAsync(A);
        string file = Path.Join(_hosts.Root, "s.bin");
        Assert.Equal(0, (await BuiltCli.RunAsync("--emulated", A, "save", Source, "-o", file, "--chunk-size", "4096")).ExitCode);
        byte[] stream = File.ReadAllBytes(file);
        using VfioctlChild load = VfioctlChild.Start(["--emulated", A, "load", Destination, "-p", Parent, "-t", Type]);
        Task<string> output = load.Process.StandardOutput.ReadToEndAsync();
        // Half the stream, then nothing more (stdin stays open): the load waits in RESUMING.
        await load.Process.StandardInput.BaseStream.WriteAsync(stream.AsMemory(0, stream.Length / 2));
        await load.Process.StandardInput.BaseStream.FlushAsync();
        await load.WaitUntilBlockedAsync(TimeSpan.FromSeconds(1), () => Directory.Exists(Path.Join(A, "sys", "bus", "mdev", "devices", Destination)));

        load.Signal(Posix.SIGHUP);
        (int exit, string err) = await load.ExitAsync();
        await output;

        // Before: SIGHUP ended the process at once, leaving the journal and a destination in RESUMING.
        Assert.True(exit == 129, $"exit {exit}: {err}");
        Assert.Contains("error E6014 migration-cancelled", err, StringComparison.Ordinal);
        Assert.Null(await StateAsync(A, Destination));
        Assert.True(NoJournal(A));
    }

    [Fact]
    public void A_signal_cancels_only_inside_a_verb_that_moves_state_and_a_second_one_ends_the_process()
    {
        using TerminationSignals signals = TerminationSignals.None(TextWriter.Null);

        Assert.False(signals.OnSignal(PosixSignal.SIGINT));
        Assert.False(signals.Token.IsCancellationRequested);
        using (signals.MoveState())
        {
            Assert.True(signals.OnSignal(PosixSignal.SIGTERM));
            Assert.True(signals.Token.IsCancellationRequested);
            Assert.Equal(PosixSignal.SIGTERM, signals.Received);
            // The second: the default action (the process ends), the rollback left to resume or abort.
            Assert.False(signals.OnSignal(PosixSignal.SIGINT));
        }
        Assert.Equal(143, ExitCodes.Signalled(PosixSignal.SIGTERM));
        Assert.Equal(130, ExitCodes.Signalled(PosixSignal.SIGINT));
        Assert.Equal(129, ExitCodes.Signalled(PosixSignal.SIGHUP));
    }

    [Fact]
    public async Task A_journal_entry_left_behind_is_shown_by_list()
    {
        await StartSourceAsync(A);
        string marker = Path.Join(_hosts.Root, "pause.marker");
        using (VfioctlChild save = VfioctlChild.Start(["--emulated", A, "save", Source, "-o", Path.Join(_hosts.Root, "s.bin")], "StopCopyEntered", marker))
        {
            await save.WaitForPauseAsync(marker);
            save.Signal(Posix.SIGKILL);
            await save.ExitAsync();
        }

        CliResult list = await Cli.RunAsync(["--emulated", A, "list"]);

        Assert.Contains("migration interrupted (save)", list.Out, StringComparison.Ordinal);
        Assert.Contains($"warning E6018 migration-interrupted: the migration journal holds an unfinished save of {Source}", list.Err, StringComparison.Ordinal);
    }
}
