using System.Diagnostics;
using Vfio.Manager.Emulation;
using Vfio.Manager.Names;
using Vfio.Reliability.Faults;
using Vfio.Samples.Nic;

namespace Vfio.Reliability.Attacks;

/// <summary>
/// One attack's world: a fresh copy (<c>cp -a</c>) of the template emulated host (the running sample NIC
/// <see cref="Source"/> with traffic behind it, defined, and a second definition <see cref="Defined"/>), an output
/// directory for streams, and the vfioctl that is attacked.
/// </summary>
internal sealed class AttackHost(string root, string output, VfioctlProcess cli)
{
    public const string Parent = "0000:00:03.0";
    public const string Type = "mynic-4q";
    public const string Source = "a1000000-0000-4000-8000-000000000001";
    public const string Defined = "a1000000-0000-4000-8000-000000000002";
    public const string Config = "version=3";

    /// <summary>The emulated host's root (the <c>--emulated</c> directory).</summary>
    public string Root { get; } = root;

    /// <summary>Where streams are saved.</summary>
    public string Output { get; } = output;

    public VfioctlProcess Cli { get; } = cli;

    public string Definitions => Path.Join(Root, "etc", "mdevctl.d");

    public string DefinitionFile(string uuid) => Path.Join(Definitions, Parent, uuid);

    public string Journal => Path.Join(Root, "var", "lib", "vfio-migrate", "journal");

    /// <summary>Builds the template every attack copies.</summary>
    public static async Task BuildTemplateAsync(string template, VfioctlProcess cli)
    {
        new EmulatedHostBuilder(template).AddPlugin(SamplePlugins.Path).AddType(ParentDeviceName.Parse(Parent), MdevTypeName.Parse(Type), "My NIC, 4 queues", 4,
            NicImplementations.Current, "vendor-a.com/my-nic sample NIC");
        var host = new AttackHost(template, template, cli);
        await host.MustAsync("start", "-u", Source, "-p", Parent, "-t", Type, "--config", Config).ConfigureAwait(false);
        await host.MustAsync("traffic", Source, "-n", "400", "--seed", "3").ConfigureAwait(false);
        await host.MustAsync("define", "-u", Source).ConfigureAwait(false);
        await host.MustAsync("define", "-u", Defined, "-p", Parent, "-t", Type, "--config", Config).ConfigureAwait(false);
    }

    /// <summary>Runs vfioctl on this host: <c>vfioctl --emulated ROOT args...</c>.</summary>
    public Task<ProcessResult> RunAsync(params string[] args) => Cli.RunAsync(["--emulated", Root, .. args]);

    /// <summary>Runs vfioctl on this host with extra environment (the fault shim's).</summary>
    public Task<ProcessResult> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Cli.RunAsync(["--emulated", Root, .. args], environment);

    public async Task MustAsync(params string[] args)
    {
        ProcessResult result = await RunAsync(args).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"vfioctl {result.Command} exited {result.ExitCode}: {result.Err}");
        }
    }

    /// <summary>The state <c>describe</c> reports for a device, or "absent".</summary>
    public async Task<string> StateOfAsync(string uuid)
    {
        ProcessResult describe = await RunAsync("describe", uuid).ConfigureAwait(false);
        if (describe.ExitCode != 0)
        {
            return "absent";
        }
        string? line = describe.Out.Split('\n').FirstOrDefault(l => l.StartsWith("state ", StringComparison.Ordinal));
        return line is null ? "unknown" : line["state".Length..].Trim();
    }

    /// <summary>Temporary and partial files anywhere in the host or the output directory: a durable write left one behind.</summary>
    public IReadOnlyList<string> StrayFiles() =>
        [.. new[] { Root, Output }.Distinct(StringComparer.Ordinal).Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
            .Where(f => f.EndsWith(".tmp", StringComparison.Ordinal) || f.EndsWith(".partial", StringComparison.Ordinal))];

    /// <summary>Entries left in the migration journal.</summary>
    public IReadOnlyList<string> JournalEntries() => Directory.Exists(Journal) ? Directory.GetFiles(Journal) : [];

    /// <summary>The UUIDs of the devices that exist on the host.</summary>
    public IReadOnlyList<string> Devices()
    {
        string devices = Path.Join(Root, "sys", "bus", "mdev", "devices");
        return Directory.Exists(devices) ? [.. Directory.GetFileSystemEntries(devices).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)] : [];
    }

    /// <summary>Copies a template into a new attack host directory.</summary>
    public static Task CopyAsync(string from, string to) => FaultHosts.CopyAsync(from, to);

    /// <summary>Makes every directory from <paramref name="top"/> down traversable by others (for the unprivileged runs), leaving files alone.</summary>
    public static void OpenForOthers(string top)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(top, File.GetUnixFileMode(top) | UnixFileMode.OtherExecute | UnixFileMode.OtherRead | UnixFileMode.GroupExecute | UnixFileMode.GroupRead);
        }
    }
}
