using Vfio.Errors;
using Vfio.Manager.Devices;
using Vfio.Manager.Emulation;
using Vfio.Manager.Errors;
using Vfio.Manager.Host;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.Manager.Plugins;
using Vfio.Manager.Sysfs;
using Vfio.Sdk;

namespace Vfio.Manager.Emulation;

/// <summary>
/// An emulated host at a root, opened once: its layout, its <see cref="EmulatedSysfs"/>, the <see cref="MdevHost"/>
/// over it and the <see cref="EmulatedDeviceOpener"/> that runs its devices' code. The one place a program turns an
/// emulated host directory into the manager's objects (vfioctl's <c>--emulated</c> and <c>--to-root</c>, the demo,
/// the reliability runs).
/// </summary>
/// <remarks>
/// The device code comes from the plug-ins the host's configuration names (<see cref="EmulatedHostConfiguration"/>),
/// loaded when a device is first opened, never before: reading the tree (types, devices, configurations) loads nothing.
/// A caller that already holds the implementations passes them as <see cref="EmulatedHostOptions.Catalog"/> instead.
/// </remarks>
public sealed class EmulatedHost
{
    private readonly Lazy<DeviceImplementationCatalog> _catalog;

    /// <summary>Opens the emulated host at <paramref name="root"/> (laid out by <see cref="EmulatedHostBuilder"/>).</summary>
    /// <param name="root">The host's root directory.</param>
    /// <param name="options">Timeouts, the manifest directory, and a catalog to use instead of the plug-ins; null for the defaults.</param>
    public EmulatedHost(string root, EmulatedHostOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        options ??= new EmulatedHostOptions();
        options.Validate();
        string full = Path.GetFullPath(root);
        Layout = new SysfsLayout(full, Path.GetFullPath(options.ManifestDirectory ?? DefaultManifestDirectory(full)));
        Sysfs = new EmulatedSysfs(Layout, options.LockTimeout);
        Tree = new MdevHost(Sysfs);
        DeviceImplementationCatalog? given = options.Catalog;
        _catalog = new Lazy<DeviceImplementationCatalog>(() => given ?? DevicePluginLoader.Load(EmulatedHostConfiguration.Read(full)));
        Opener = new EmulatedDeviceOpener(Sysfs, Tree, () => _catalog.Value, options.DeviceLockTimeout, given is null ? Missing : null);
    }

    /// <summary>The manifest directory of a host at <paramref name="root"/> unless told otherwise: <c>usr/share/vfio-migrate/manifests</c>.</summary>
    /// <param name="root">The host's root.</param>
    /// <returns>The directory's path.</returns>
    public static string DefaultManifestDirectory(string root) => Path.Join(Path.GetFullPath(root), "usr", "share", "vfio-migrate", "manifests");

    /// <summary>The host's root directory.</summary>
    public string Root => Layout.Root.FullPath;

    /// <summary>The host's paths.</summary>
    public SysfsLayout Layout { get; }

    /// <summary>The emulated kernel's tree.</summary>
    public EmulatedSysfs Sysfs { get; }

    /// <summary>The manager's view of the tree (its mediated devices, types and parents).</summary>
    public MdevHost Tree { get; }

    /// <summary>Opens the host's devices, running their code from the plug-ins (loaded at the first open).</summary>
    public EmulatedDeviceOpener Opener { get; }

    /// <summary>Whether the device implementations were loaded (plug-ins are loaded at the first device open).</summary>
    public bool ImplementationsLoaded => _catalog.IsValueCreated;

    /// <summary>The device implementations this host runs: the given catalog, or the plug-ins' (loading them now).</summary>
    /// <exception cref="VfioException">E6050-E6053, E6055 when a plug-in or the configuration cannot be used.</exception>
    public DeviceImplementationCatalog Implementations => _catalog.Value;

    /// <summary>The host as the orchestrator takes it.</summary>
    /// <returns>Its tree and opener.</returns>
    public MigrationEndpoint ToMigrationEndpoint() => new(Tree, Opener);

    private VfioException Missing(MdevUuid device, string type, string id)
    {
        EmulatedHostConfiguration configuration = EmulatedHostConfiguration.Read(Root);
        string plugins = configuration.Plugins.Count == 0
            ? $"it names no plug-ins ({configuration.Path} {(File.Exists(configuration.Path) ? "lists none" : "does not exist")})"
            : $"its plug-ins ({string.Join(", ", configuration.PluginPaths)}) provide {string.Join(", ", _catalog.Value.All.Select(i => i.Id).Order(StringComparer.Ordinal))}";
        return ManagerErrors.ImplementationMissing(device, type, id, Root, plugins, configuration.Path);
    }
}

/// <summary>How an <see cref="EmulatedHost"/> is opened.</summary>
public sealed class EmulatedHostOptions
{
    /// <summary>How long a change to the tree waits for another process's (the host lock); 10 seconds by default.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long opening a device waits for another process that has it open; 10 seconds by default.</summary>
    public TimeSpan DeviceLockTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The manifest directory; null for <see cref="EmulatedHost.DefaultManifestDirectory"/>.</summary>
    public string? ManifestDirectory { get; init; }

    /// <summary>The implementations to run instead of the plug-ins the host's configuration names (tests, tools that
    /// link the device code); null to load the plug-ins.</summary>
    public DeviceImplementationCatalog? Catalog { get; init; }

    /// <summary>The same limits <see cref="Options.MdevManagerOptions.LockTimeout"/> has: more than zero, at most 10 minutes.</summary>
    /// <exception cref="VfioException"><see cref="ErrorCode.OptionsInvalid"/>, naming every option out of range.</exception>
    internal void Validate()
    {
        var failures = new List<string>();
        foreach ((string name, TimeSpan value) in new[] { (nameof(LockTimeout), LockTimeout), (nameof(DeviceLockTimeout), DeviceLockTimeout) })
        {
            if (value <= TimeSpan.Zero || value > TimeSpan.FromMinutes(10))
            {
                failures.Add($"{name}: {value} is outside (0, 00:10:00]");
            }
        }
        if (failures.Count > 0)
        {
            throw ManagerErrors.HostOptionsInvalid(failures);

        }
    }
}
