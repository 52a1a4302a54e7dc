using Vfio.Manager.Devices;
using Vfio.Manager.Names;
using Vfio.Tests.Vfioctl.Support;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Host;

namespace Vfio.Tests.Vfioctl.Safety;

/// <summary>
/// Device state never reaches a person's screen or a log: a NIC with RSS on holds a 40-byte hash key, and ~20 verbose
/// runs of vfioctl over that device must never print it (hex in either case, base64, or the first 6 bytes), while
/// <c>describe --state</c> still shows that the key is there, as a digest.
/// </summary>
public sealed class SecretLeakTests : IDisposable
{
    private const string Parent = "0000:00:03.0";
    private const string Type = "mynic-4q";
    private const string Uuid = "a0000000-0000-4000-8000-0000000000aa";
    private const string Other = "a0000000-0000-4000-8000-0000000000bb";
    private readonly DemoHostFixture _hosts = new();

    public void Dispose() => _hosts.Dispose();

    [Fact]
    public async Task Verbose_runs_never_print_the_devices_hash_key()
    {
        Assert.Equal(0, (await Run("start", "-u", Uuid, "-p", Parent, "-t", Type, "--config", "version=2,rss=on")).ExitCode);
        Assert.Equal(0, (await Run("traffic", Uuid, "-n", "200", "--seed", "7")).ExitCode);
        byte[] key = Convert.FromHexString(ReadKey());
        Assert.Equal(40, key.Length);
        Assert.Contains(key, b => b != 0);
        string[] forms = [Convert.ToHexString(key), Convert.ToHexStringLower(key), Convert.ToBase64String(key), Convert.ToHexString(key)[..12], Convert.ToHexStringLower(key)[..12]];
        string stream = Path.Join(_hosts.Root, "a.stream");

        string[][] runs =
        [
            ["list"], ["list", "--dumpjson"], ["types"], ["types", "--dumpjson"], ["models"], ["capabilities"],
            ["describe", Uuid], ["describe", Uuid, "--open"], ["describe", Uuid, "--state"],
            ["traffic", Uuid, "-n", "50"],
            ["check", "-u", Uuid, "--to-type", Parent + "/" + Type],
            ["check", "-u", Uuid, "--to-type", Parent + "/" + Type, "--to-root", _hosts.HostB],
            ["fault", Uuid, "--cut-after", "100"], ["fault", Uuid, "--clear"],
            ["save", Uuid, "-o", stream], ["resume", "--force", Uuid],
            ["save", Uuid, "-o", "-"], ["resume", "--force", Uuid],
            ["migrate", Uuid, "--to-type", Parent + "/" + Type, "--to-uuid", Other],
            ["describe", Other, "--state"],
            ["fault", Other, "--corrupt-byte", "200"],
            ["migrate", Other, "--to-type", Parent + "/" + Type, "--to-uuid", Uuid, "--to-root", _hosts.HostB],
            ["load", Uuid, "-i", stream, "-p", Parent, "-t", Type],
            ["stop", Other],
        ];
        int succeeded = 0;
        foreach (string[] run in runs)
        {
            CliResult r = await Run(run);
            succeeded += r.ExitCode == 0 ? 1 : 0;
            foreach (string form in forms)
            {
                Assert.False(r.Out.Contains(form, StringComparison.Ordinal), $"'{string.Join(' ', run)}' printed the key on stdout:\n{r.Out}");
                Assert.False(r.Err.Contains(form, StringComparison.Ordinal), $"'{string.Join(' ', run)}' printed the key on stderr:\n{r.Err}");
            }
            Assert.DoesNotContain("Exception", r.Err, StringComparison.Ordinal);
        }
        // The runs did what they say: most succeed (the corrupted migrate and the load into a host that already
        // runs the UUID are meant to fail), so the check above looked at real output.
        Assert.True(succeeded >= runs.Length - 4, $"only {succeeded} of {runs.Length} runs succeeded");
        Assert.Contains("rss/key", (await Run("describe", Other, "--state")).Out, StringComparison.Ordinal);
    }

    private Task<CliResult> Run(params string[] args) => Cli.RunAsync(["--verbose", "--emulated", _hosts.HostA, .. args]);

    private string ReadKey()
    {
        using var app = new CliApplication(TextWriter.Null, TextWriter.Null, () => Stream.Null, () => Stream.Null, errorIsTerminal: false, outputIsTerminal: false);
        _ = app.RunAsync(RootCommandDefinition.Create(app), ["--emulated", _hosts.HostA, "list"]).GetAwaiter().GetResult();
        return StateFields.Read(app.Get<IDeviceOpener>(), MdevUuid.Parse(Uuid))["rss/key"];
    }
}
