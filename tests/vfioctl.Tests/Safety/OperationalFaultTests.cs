using Vfio.Manager.Devices;
using Vfio.Manager.Names;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using Vfio.Reliability.Attacks;
using Vfio.Tests.Vfioctl.Support;
using Vfio.Ctl.Cli;

namespace Vfio.Tests.Vfioctl.Safety;

/// <summary>
/// Operational faults on an ordinary host end in a catalogued code naming the path, the operation and the errno,
/// never in a stack trace; a durable write keeps the old content (or creates nothing) and leaves no temporary or
/// partial file. Disk faults are injected into a real vfioctl process by the LD_PRELOAD errno shim (tools/faultshim).
/// </summary>
public sealed class OperationalFaultTests : IDisposable
{
    private const string Parent = "0000:00:03.0";
    private const string Type = "mynic-4q";
    private const string Source = "c0000000-0000-4000-8000-0000000000e0";
    private const string New = "c0000000-0000-4000-8000-0000000000e1";
    private readonly DemoHostFixture _hosts = new();

    public OperationalFaultTests()
    {
        CliResult start = Cli.RunAsync(["--emulated", Host, "start", "-u", Source, "-p", Parent, "-t", Type, "--config", "version=3"]).GetAwaiter().GetResult();
        Assert.True(start.ExitCode == 0, start.Err);
        // Opened once, so describe reports its migration state.
        CliResult traffic = Cli.RunAsync(["--emulated", Host, "traffic", Source, "-n", "20"]).GetAwaiter().GetResult();
        Assert.True(traffic.ExitCode == 0, traffic.Err);
    }

    public void Dispose() => _hosts.Dispose();

    private string Host => _hosts.HostA;

    private string DefinitionFile(string uuid) => Path.Join(Host, "etc", "mdevctl.d", Parent, uuid);

    [Theory]
    [InlineData("open", "ENOSPC", "E6092 file-system-full")]
    [InlineData("write", "ENOSPC", "E6092 file-system-full")]
    [InlineData("fsync", "ENOSPC", "E6092 file-system-full")]
    [InlineData("rename", "ENOSPC", "E6092 file-system-full")]
    [InlineData("open", "EIO", "E6093 file-io-failed")]
    [InlineData("write", "EIO", "E6093 file-io-failed")]
    [InlineData("fsync", "EIO", "E6093 file-io-failed")]
    [InlineData("rename", "EIO", "E6093 file-io-failed")]
    [InlineData("open", "EROFS", "E6090 file-system-read-only")]
    [InlineData("rename", "EROFS", "E6090 file-system-read-only")]
    [InlineData("open", "EACCES", "E6091 file-permission-denied")]
    [InlineData("rename", "EACCES", "E6091 file-permission-denied")]
    public async Task Define_failing_at_each_durable_write_step_creates_nothing_and_names_the_errno(string op, string errno, string code)
    {
        // Regression: ENOSPC while writing a definition was an unhandled IOException (exit 134, stack trace).
        CliResult define = await BuiltCli.RunWithEnvironmentAsync(FaultShim.Environment($"mdevctl.d/{Parent}/.", op, errno),
            "--emulated", Host, "define", "-u", New, "-p", Parent, "-t", Type, "--config", "version=3");

        AssertNamed(define, code, errno, $"mdevctl.d/{Parent}/{New}");
        Assert.False(File.Exists(DefinitionFile(New)));
        Assert.Contains("was not created", define.Err, StringComparison.Ordinal);
        AssertNoStrayFiles();
    }

    [Theory]
    [InlineData("write", "ENOSPC", "E6092 file-system-full")]
    [InlineData("fsync", "EIO", "E6093 file-io-failed")]
    [InlineData("rename", "EIO", "E6093 file-io-failed")]
    public async Task Modify_failing_keeps_the_old_definition_byte_for_byte(string op, string errno, string code)
    {
        Assert.Equal(0, (await Cli.RunAsync(["--emulated", Host, "define", "-u", New, "-p", Parent, "-t", Type, "--config", "version=3"])).ExitCode);
        byte[] before = File.ReadAllBytes(DefinitionFile(New));

        CliResult modify = await BuiltCli.RunWithEnvironmentAsync(FaultShim.Environment($"mdevctl.d/{Parent}/.", op, errno),
            "--emulated", Host, "modify", "-u", New, "--auto");

        AssertNamed(modify, code, errno, New);
        Assert.Contains("the old content", modify.Err, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(DefinitionFile(New)));
        AssertNoStrayFiles();
    }

    [Theory]
    [InlineData("write", "ENOSPC", "E6092 file-system-full")]
    [InlineData("fsync", "EIO", "E6093 file-io-failed")]
    [InlineData("rename", "EIO", "E6093 file-io-failed")]
    public async Task Save_to_a_file_failing_on_disk_leaves_no_file_nor_partial_and_the_source_runs(string op, string errno, string code)
    {
        // Regression: ENOSPC left FILE.partial behind and ended in an unhandled exception; a failed fsync went unnoticed.
        string output = Path.Join(_hosts.Root, "saved.bin");

        CliResult save = await BuiltCli.RunWithEnvironmentAsync(FaultShim.Environment(output, op, errno), "--emulated", Host, "save", Source, "-o", output);

        AssertNamed(save, code, errno, output);
        Assert.False(File.Exists(output));
        Assert.False(File.Exists(output + ".partial"));
        Assert.Contains("state         RUNNING", (await Cli.RunAsync(["--emulated", Host, "describe", Source])).Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rename", "EIO", "E6093 file-io-failed")]
    [InlineData("write", "ENOSPC", "E6092 file-system-full")]
    public async Task Migrate_whose_journal_cannot_be_written_names_the_errno_not_a_kernel_call_and_rolls_back(string op, string errno, string code)
    {
        // Regression: EIO or ENOSPC on the journal's rename was reported as E1001 kernel-call-failed.
        CliResult migrate = await BuiltCli.RunWithEnvironmentAsync(FaultShim.Environment("vfio-migrate/journal", op, errno),
            "--emulated", Host, "migrate", Source, "--to-type", $"{Parent}/{Type}");

        AssertNamed(migrate, code, errno, "vfio-migrate/journal");
        Assert.DoesNotContain("E1001", migrate.Err, StringComparison.Ordinal);
        Assert.Contains("state         RUNNING", (await Cli.RunAsync(["--emulated", Host, "describe", Source])).Out, StringComparison.Ordinal);
        string journal = Path.Join(Host, "var", "lib", "vfio-migrate", "journal");
        Assert.True(!Directory.Exists(journal) || Directory.GetFiles(journal).Length == 0);
    }

    [Fact]
    public async Task A_read_only_definitions_store_is_refused_at_once_not_after_a_lock_timeout()
    {
        // Regression: EROFS opening the store lock was taken for another holder and waited out: E6015 after 10 s. The code
        // tells the two apart (a wait would end in E6015 lock-timeout), so no clock is needed.
        CliResult define = await BuiltCli.RunWithEnvironmentAsync(FaultShim.Environment(".vfioctl.lock", "open", "EROFS"),
            "--emulated", Host, "define", "-u", New, "-p", Parent, "-t", Type, "--config", "version=3");

        AssertNamed(define, "E6090 file-system-read-only", "EROFS", ".vfioctl.lock");
        Assert.DoesNotContain("E6015", define.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_to_a_directory_is_refused_before_the_source_stops()
    {
        // Regression: the stream went to DIR.partial, the rename over the directory threw, and the source stayed stopped.
        CliResult save = await Cli.RunAsync(["--emulated", Host, "save", Source, "-o", _hosts.Root]);

        Assert.Equal(1, save.ExitCode);
        Assert.Contains("error E6094 file-kind-invalid", save.Err, StringComparison.Ordinal);
        Assert.Contains("EISDIR", save.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(_hosts.Root + ".partial"));
        Assert.Contains("state         RUNNING", (await Cli.RunAsync(["--emulated", Host, "describe", Source])).Out, StringComparison.Ordinal);
    }

    [RootOnlyFact]
    public async Task Save_to_a_character_device_writes_into_it_and_never_replaces_it()
    {
        // Regression: -o /dev/null wrote /dev/null.partial and renamed it over /dev/null. Tried on a private node of
        // the null device (1:3), never on the machine's own /dev/null.
        string device = Path.Join(_hosts.Root, "null");
        Assert.Equal(0, Vfio.Tests.Support.Posix.MkCharDevice(device, 1, 3));

        CliResult save = await Cli.RunAsync(["--emulated", Host, "save", Source, "-o", device]);

        Assert.True(save.ExitCode == 0, save.Err);
                Assert.True(Vfio.IO.UnixFileStatus.TryLstat(device, out Vfio.IO.UnixFileStatus status, out _));
        Assert.Equal(Vfio.IO.UnixFileKind.CharacterDevice, status.Kind);
        Assert.False(File.Exists(device + ".partial"));
    }

    [Fact]
    public async Task Save_to_a_fifo_streams_into_it_and_leaves_it_a_fifo()
    {
        string fifo = Path.Join(_hosts.Root, "pipe");
        Assert.Equal(0, Vfio.Tests.Support.Posix.MkFifo(fifo));
        // The reader is a child process: a save that never opens the FIFO must fail the test, not block the test host.
        using var reader = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("cat", [fifo]) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var received = new MemoryStream();
        Task copy = reader.StandardOutput.BaseStream.CopyToAsync(received);

        CliResult save = await Cli.RunAsync(["--emulated", Host, "save", Source, "-o", fifo]);

        if (await Task.WhenAny(copy, Task.Delay(TimeSpan.FromSeconds(20))) != copy)
        {
            reader.Kill();
        }
        Assert.True(save.ExitCode == 0, save.Err);
        Assert.True(received.Length > 8 && "VFIOMIG1"u8.SequenceEqual(received.GetBuffer().AsSpan(0, 8)), $"the reader got {received.Length} bytes");
                Assert.True(Vfio.IO.UnixFileStatus.TryLstat(fifo, out Vfio.IO.UnixFileStatus status, out _));
        Assert.Equal(Vfio.IO.UnixFileKind.Fifo, status.Kind);
    }

    [Fact]
    public async Task Save_through_a_fifo_grows_it_to_a_chunk()
    {
        string fifo = Path.Join(_hosts.Root, "pipe");
        Assert.Equal(0, Vfio.Tests.Support.Posix.MkFifo(fifo));
        // The test holds an end itself, opened read-write so the open does not wait for a writer, and reads nothing
        // until the save has ended: the whole stream (this device's is a little over 64 KiB) must fit in the FIFO.
        using var end = new FileStream(fifo, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
        int? before = Vfio.IO.UnixPipe.Capacity(end.SafeFileHandle);
        Assert.True(before < Vfio.IO.UnixPipe.StreamCapacity, $"a new FIFO holds {before} bytes");

        Task<CliResult> saving = Task.Run(() => Cli.RunAsync(["--emulated", Host, "save", Source, "-o", fifo]));
        if (await Task.WhenAny(saving, Task.Delay(TimeSpan.FromSeconds(30))) != saving)
        {
            end.Dispose(); // the blocked write then fails with EPIPE and the save ends
            Assert.Fail($"the save blocked on a FIFO of {before} bytes");
        }
        CliResult save = await saving;

        Assert.True(save.ExitCode == 0, save.Err);
        Assert.Equal(Vfio.IO.UnixPipe.StreamCapacity, Vfio.IO.UnixPipe.Capacity(end.SafeFileHandle));
        byte[] received = new byte[Vfio.IO.UnixPipe.StreamCapacity];
        int n = end.Read(received); // what the save wrote is there: a pipe read returns it without waiting for more
        Assert.True(n > 8 && "VFIOMIG1"u8.SequenceEqual(received.AsSpan(0, 8)), $"the FIFO held {n} bytes");
    }

    [Fact]
    public async Task A_fifo_planted_at_the_journal_path_is_refused_not_waited_on()
    {
        // Regression: migrate, resume and save opened the FIFO and blocked forever.
        string journal = Path.Join(Host, "var", "lib", "vfio-migrate", "journal");
        Directory.CreateDirectory(journal);
        Assert.Equal(0, Vfio.Tests.Support.Posix.MkFifo(Path.Join(journal, Source + ".json")));

        foreach (string[] verb in new[] { new[] { "migrate", Source, "--to-type", $"{Parent}/{Type}" }, ["resume", Source], ["save", Source, "-o", Path.Join(_hosts.Root, "s.bin")] })
        {
            // On a thread of its own: the old code blocked inside the call, before any Task was returned to time out.
            CliResult run = await Task.Run(() => Cli.RunAsync(["--emulated", Host, .. verb])).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Contains("error E6094 file-kind-invalid", run.Err, StringComparison.Ordinal);
            Assert.Contains("a FIFO", run.Err, StringComparison.Ordinal);
        }
        CliResult described = await Cli.RunAsync(["--emulated", Host, "describe", Source]);
        Assert.True(described.Out.Contains("state         RUNNING", StringComparison.Ordinal), described.Out + described.Err);
    }

    [Fact]
    public async Task Traffic_on_a_stopped_device_is_a_state_conflict_not_a_crash()
    {
        // Regression: an unhandled InvalidOperationException from the sample NIC.
        Assert.Equal(0, (await Cli.RunAsync(["--emulated", Host, "save", Source, "-o", Path.Join(_hosts.Root, "s.bin")])).ExitCode);

        CliResult traffic = await Cli.RunAsync(["--emulated", Host, "traffic", Source, "-n", "5"]);

        Assert.Equal(1, traffic.ExitCode);
        Assert.Contains("error E6017 device-state-conflict", traffic.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_reports_a_malformed_definition_as_a_warning_and_lists_the_others()
    {
        // Regression: one malformed definition made list, list --defined and start -u of every other device fail.
        Assert.Equal(0, (await Cli.RunAsync(["--emulated", Host, "define", "-u", New, "-p", Parent, "-t", Type, "--config", "version=3"])).ExitCode);
        const string bad = "c0000000-0000-4000-8000-0000000000e2";
        File.WriteAllText(DefinitionFile(bad), "{ not json");

        CliResult list = await Cli.RunAsync(["--emulated", Host, "list", "--defined"]);
        CliResult startGood = await Cli.RunAsync(["--emulated", Host, "start", "-u", New]);
        CliResult startBad = await Cli.RunAsync(["--emulated", Host, "start", "-u", bad]);

        Assert.True(list.ExitCode == 0, list.Err);
        Assert.Contains(New, list.Out, StringComparison.Ordinal);
        Assert.Contains($"warning E6009 definition-invalid", list.Err, StringComparison.Ordinal);
        Assert.Contains(bad, list.Err, StringComparison.Ordinal);
        Assert.True(startGood.ExitCode == 0, startGood.Err);
        Assert.Contains("error E6009 definition-invalid", startBad.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oversized_migration_info_document_is_refused_unread()
    {
        // Regression: a 93 MiB migration_info.json made 'models' use 5 GiB.
        string document = Directory.EnumerateFiles(Path.Join(Host, "sys", "devices"), "migration_info.json", SearchOption.AllDirectories).First();
        string text = File.ReadAllText(document).TrimEnd();
        File.WriteAllText(document, text[..^1] + new string(' ', 5 * 1024 * 1024) + "}");

        CliResult models = await Cli.RunAsync(["--emulated", Host, "models"]);

        Assert.Equal(1, models.ExitCode);
        Assert.Contains("error E2009 document-invalid", models.Err, StringComparison.Ordinal);
        Assert.Contains("refused unread", models.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_exception_no_layer_names_is_one_internal_error_line_and_the_trace_only_with_verbose()
    {
        var opener = new Mock<IDeviceOpener>();
        opener.Setup(o => o.Open(It.IsAny<MdevUuid>())).Throws(new InvalidOperationException("Sequence contains no elements"));

        (int code, string err) = await RunWith(opener.Object, "--emulated", Host, "traffic", Source);
        (int verboseCode, string verboseErr) = await RunWith(opener.Object, "--emulated", Host, "--verbose", "traffic", Source);

        Assert.Equal(70, code);
        Assert.Contains("error E7099 internal-error: internal error: InvalidOperationException: Sequence contains no elements", err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        Assert.Equal(70, verboseCode);
        Assert.Contains("   at ", verboseErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_error_no_layer_named_is_printed_with_its_errnos_code()
    {
        var opener = new Mock<IDeviceOpener>();
        opener.Setup(o => o.Open(It.IsAny<MdevUuid>())).Throws(new IOException("No space left on device : '/var/lib/x'", 28));

        (int code, string err) = await RunWith(opener.Object, "--emulated", Host, "traffic", Source);

        Assert.Equal(1, code);
        Assert.Contains("error E6092 file-system-full", err, StringComparison.Ordinal);
        Assert.Contains("ENOSPC", err, StringComparison.Ordinal);
        Assert.Contains("/var/lib/x", err, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Err)> RunWith(IDeviceOpener opener, params string[] args)
    {
        var error = new StringWriter();
        using var app = new CliApplication(new StringWriter(), error, () => new MemoryStream(), () => new MemoryStream(), errorIsTerminal: false, outputIsTerminal: false, inputIsTerminal: false)
        {
            ConfigureServices = services => services.AddSingleton(opener),
        };
        int code = await app.RunAsync(RootCommandDefinition.Create(app), args);
        return (code, error.ToString());
    }

    private static void AssertNamed(CliResult run, string code, string errno, string path)
    {
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains($"error {code}: ", run.Err, StringComparison.Ordinal);
        Assert.Contains(errno, run.Err, StringComparison.Ordinal);
        Assert.Contains(path, run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Err, StringComparison.Ordinal);
    }

    private void AssertNoStrayFiles()
    {
        string[] stray = Directory.EnumerateFiles(_hosts.Root, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".tmp", StringComparison.Ordinal) || f.EndsWith(".partial", StringComparison.Ordinal)).ToArray();
        Assert.Empty(stray);
    }
}

/// <summary>A fact that needs root (mknod of a character device); skipped, naming why, for anyone else.</summary>
[Xunit.Sdk.XunitTestCaseDiscoverer(Vfio.Tests.Shared.ExplainedSkipFactDiscoverer.TypeName, "vfioctl.Tests")]
internal sealed class RootOnlyFactAttribute : FactAttribute
{
    public RootOnlyFactAttribute()
    {
        if (Vfio.Tests.Support.Posix.GetUid() != 0)
        {
            Skip = "needs root to create a character device node with mknod";
        }
    }
}
