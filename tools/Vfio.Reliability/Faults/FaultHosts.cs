using System.Diagnostics;
using System.Security.Cryptography;
using Vfio.Manager.Emulation;
using Vfio.Manager.Names;
using Vfio.DeviceModels.Streams;
using Vfio.Samples.Nic;

namespace Vfio.Reliability.Faults;

/// <summary>
/// The emulated hosts the cells start from, built once and copied (<c>cp -a</c>) for every cell: per protocol, a
/// host with the running source S (traffic run, defined in the definitions store), an existing never-run destination E
/// of the same configuration and one more stored definition; and per protocol and pre-copy setting, the same host
/// after <c>save S</c> with the saved stream beside it (the start of a load).
/// </summary>
internal sealed class FaultHosts(string root, VfioctlProcess cli)
{
    public const string Parent = "0000:00:03.0";
    public const string Type = "mynic-4q";
    public const string Source = "f0000000-0000-4000-8000-000000000001";
    public const string Existing = "f0000000-0000-4000-8000-000000000002";
    public const string NewDestination = "f0000000-0000-4000-8000-000000000003";
    public const string Defined = "f0000000-0000-4000-8000-000000000004";
    public const string ChunkSize = "16384";

    public string Template(Protocol protocol) => Path.Join(root, "templates", protocol.ToString().ToLowerInvariant());

    public string SavedTemplate(Protocol protocol, bool preCopy) => Template(protocol) + (preCopy ? "-saved-precopy" : "-saved-no-precopy");

    public static string Configuration(Protocol protocol) => protocol == Protocol.V2 ? "version=3" : "version=2";

    public async Task BuildAsync()
    {
        foreach (Protocol protocol in Enum.GetValues<Protocol>())
        {
            string host = Template(protocol);
            new EmulatedHostBuilder(host).AddPlugin(SamplePlugins.Path).AddType(ParentDeviceName.Parse(Parent), MdevTypeName.Parse(Type), "My NIC, 4 queues", 4,
                protocol == Protocol.V2 ? NicImplementations.Current : NicImplementations.Old, "vendor-a.com/my-nic sample NIC");
            string config = Configuration(protocol);
            await Must(host, "start", "-u", Source, "-p", Parent, "-t", Type, "--config", config).ConfigureAwait(false);
            await Must(host, "traffic", Source, "-n", "800", "--seed", "7").ConfigureAwait(false);
            await Must(host, "define", "-u", Source).ConfigureAwait(false);
            await Must(host, "start", "-u", Existing, "-p", Parent, "-t", Type, "--config", config).ConfigureAwait(false);
            await Must(host, "define", "-u", Defined, "-p", Parent, "-t", Type, "--config", config).ConfigureAwait(false);
            foreach (bool preCopy in new[] { true, false })
            {
                string saved = SavedTemplate(protocol, preCopy);
                await CopyAsync(host, saved).ConfigureAwait(false);
                List<string> save = ["save", Source, "-o", Path.Join(saved, "stream.bin"), "--chunk-size", ChunkSize];
                if (!preCopy)
                {
                    save.Add("--no-precopy");
                }
                await Must(saved, [.. save]).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// How many bytes of device data the source's saved stream holds (the saved template of a protocol and pre-copy
    /// setting): what the source driver delivers, so a cell can corrupt its last byte.
    /// </summary>
    public long DeviceDataLength(Protocol protocol, bool preCopy)
    {
        using FileStream file = File.OpenRead(Path.Join(SavedTemplate(protocol, preCopy), "stream.bin"));
        using var reader = new MigrationStreamReader(file, _ => { }, int.Parse(ChunkSize, System.Globalization.CultureInfo.InvariantCulture));
        return reader.CopyTo(Stream.Null);
    }

    private async Task Must(string host, params string[] args)
    {
        ProcessResult result = await cli.RunAsync(["--emulated", host, .. args]).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"building the fault hosts: vfioctl {result.Command} exited {result.ExitCode}: {result.Err}");
        }
    }

    /// <summary>Copies a host directory with its relative sysfs links, as <c>cp -a</c> does.</summary>
    public static async Task CopyAsync(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        var info = new ProcessStartInfo("cp") { UseShellExecute = false, RedirectStandardError = true };
        info.ArgumentList.Add("-a");
        info.ArgumentList.Add(from);
        info.ArgumentList.Add(to);
        using Process cp = Process.Start(info)!;
        string error = await cp.StandardError.ReadToEndAsync().ConfigureAwait(false);
        await cp.WaitForExitAsync().ConfigureAwait(false);
        if (cp.ExitCode != 0)
        {
            throw new IOException($"cp -a {from} {to} failed: {error}");
        }
    }

    /// <summary>The definitions store of a host as path -> SHA-256, to prove a cell changed none of it.</summary>
    public static SortedDictionary<string, string> Definitions(string host)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        string store = Path.Join(host, "etc", "mdevctl.d");
        if (!Directory.Exists(store))
        {
            return files;
        }
        foreach (string file in Directory.EnumerateFiles(store, "*", SearchOption.AllDirectories))
        {
            files[Path.GetRelativePath(store, file)] = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));
        }
        return files;
    }
}
