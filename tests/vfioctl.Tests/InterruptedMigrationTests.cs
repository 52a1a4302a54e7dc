using System.Diagnostics;
using Vfio.Errors;
using Vfio.Manager.Migration;
using Vfio.Tests.Vfioctl.Support;
using Vfio.Ctl.Cli;

namespace Vfio.Tests.Vfioctl;

/// <summary>
/// The fault matrix's seams and recovery, through the CLI: the pause hook, a vfioctl process killed at a checkpoint
/// and finished by a fresh one, a save whose reader goes away, and <c>fault --error-arc</c>.
/// </summary>
public sealed class InterruptedMigrationTests : IDisposable
{
    private const string Parent = "0000:00:03.0";
    private const string Type = "mynic-4q";
    private const string Source = "d0000000-0000-4000-8000-000000000001";
    private const string Destination = "d0000000-0000-4000-8000-000000000002";
    private readonly DemoHostFixture _hosts = new();

    public void Dispose() => _hosts.Dispose();

    [Fact]
    public void Pause_hook_blocks_only_at_the_named_occurrence_and_announces_it()
    {
        string marker = Path.Join(_hosts.Root, "marker");
        int blocked = 0;
        Action<MigrationCheckpoint> hook = PauseHook.Create("streamchunkwritten#2", marker, TextWriter.Null, () => blocked++)!;

        hook(MigrationCheckpoint.StreamChunkWritten);
        hook(MigrationCheckpoint.StopCopyEntered);
        Assert.Equal(0, blocked);
        Assert.False(File.Exists(marker));
        hook(MigrationCheckpoint.StreamChunkWritten);

        Assert.Equal(1, blocked);
        Assert.StartsWith("paused at StreamChunkWritten#2 pid ", File.ReadAllText(marker), StringComparison.Ordinal);
        Assert.Null(PauseHook.Create(null, marker, TextWriter.Null, () => blocked++));
        VfioException bad = Assert.Throws<VfioException>(() => PauseHook.Create("NoSuchPoint", marker, TextWriter.Null, () => { }));
        Assert.Equal(ErrorCode.UsageError, bad.Code);
    }

    [Fact]
    public async Task Fault_error_arc_puts_the_device_in_error_and_the_save_names_it()
    {
        string a = _hosts.HostA;
        Assert.Equal(0, (await Cli.RunAsync(["--emulated", a, "start", "-u", Source, "-p", Parent, "-t", Type, "--config", "version=3"])).ExitCode);
        Assert.Equal(0, (await Cli.RunAsync(["--emulated", a, "fault", Source, "--error-arc", "STOP->STOP_COPY"])).ExitCode);

        CliResult save = await Cli.RunAsync(["--emulated", a, "save", Source, "--no-precopy", "-o", Path.Join(_hosts.Root, "s.bin")]);

        Assert.Equal(3, save.ExitCode);
        Assert.Contains("error E4003 device-in-error-state", save.Err, StringComparison.Ordinal);
        Assert.Contains("state         RUNNING", (await Cli.RunAsync(["--emulated", a, "describe", Source])).Out, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Join(_hosts.Root, "s.bin")));
        Assert.False(File.Exists(Path.Join(_hosts.Root, "s.bin.partial")));
    }

    [Fact]
    public async Task Migrate_killed_at_stop_copy_is_named_and_finished_by_resume_in_a_fresh_process()
    {
        string a = _hosts.HostA;
        Assert.Equal(0, (await Cli.RunAsync(["--emulated", a, "start", "-u", Source, "-p", Parent, "-t", Type, "--config", "version=3"])).ExitCode);
        string marker = Path.Join(_hosts.Root, "pause.marker");

        await RunAndKillAtAsync(marker, "StopCopyEntered", "--emulated", a, "migrate", Source, "--to-type", $"{Parent}/{Type}", "--to-uuid", Destination);

        // What the killed process left: a truthful state on disk, and the journal that names the interruption.
        Assert.Matches(@"state\s+STOP_?COPY", (await BuiltCli.RunAsync("--emulated", a, "describe", Source)).Out);
        CliResult save = await BuiltCli.RunAsync("--emulated", a, "save", Source, "-o", Path.Join(_hosts.Root, "again.bin"));
        Assert.Equal(1, save.ExitCode);
        Assert.Contains("error E6018 migration-interrupted", save.Err, StringComparison.Ordinal);
        CliResult resume = await BuiltCli.RunAsync("--emulated", a, "resume", Source);
        Assert.True(resume.ExitCode == 0, resume.Err);
        Assert.Contains("warning E6018 migration-interrupted", resume.Err, StringComparison.Ordinal);
        Assert.Contains("state         RUNNING", (await BuiltCli.RunAsync("--emulated", a, "describe", Source)).Out, StringComparison.Ordinal);
        Assert.Contains("E6005 device-not-found", (await BuiltCli.RunAsync("--emulated", a, "describe", Destination)).Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_into_a_reader_that_goes_away_fails_named_and_the_source_runs()
    {
        string a = _hosts.HostA;
        Assert.Equal(0, (await Cli.RunAsync(["--emulated", a, "start", "-u", Source, "-p", Parent, "-t", Type, "--config", "version=3"])).ExitCode);
        Assert.Equal(0, (await Cli.RunAsync(["--emulated", a, "traffic", Source, "-n", "800", "--seed", "3"])).ExitCode);

        // Before the fix, stdout swallowed EPIPE: the save "succeeded" and stopped the source while the state went nowhere.
        CliResult pipe = await BuiltCli.PipelineAsync($"$VFIOCTL --emulated '{a}' save {Source} --chunk-size 4096 | head -c 100 > /dev/null");

        Assert.Equal(3, pipe.ExitCode);
        Assert.Contains("error E1001 kernel-call-failed", pipe.Err, StringComparison.Ordinal);
        Assert.Contains("Broken pipe", pipe.Err, StringComparison.Ordinal);
        Assert.Contains("state         RUNNING", (await Cli.RunAsync(["--emulated", a, "describe", Source])).Out, StringComparison.Ordinal);
    }

    private static async Task RunAndKillAtAsync(string marker, string checkpoint, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add(BuiltCli.Dll);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment[PauseHook.PauseAtVariable] = checkpoint;
        info.Environment[PauseHook.MarkerVariable] = marker;
        using Process process = Process.Start(info)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (!File.Exists(marker))
        {
            if (process.HasExited)
            {
                Assert.Fail($"vfioctl ended before {checkpoint}: {await error}");
            }
            await Task.Delay(20, timeout.Token);
        }
        process.Kill();
        await process.WaitForExitAsync(timeout.Token);
        await Task.WhenAll(error, output);
    }
}
