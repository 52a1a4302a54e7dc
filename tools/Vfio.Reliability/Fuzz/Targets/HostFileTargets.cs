using Vfio.Manager.Devices;
using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.Manager.Plugins;
using Vfio.Manager.Sysfs;
using Vfio.DeviceModels;
using Vfio.Devices;
using Vfio.Migration;
using Vfio.Samples;
using Vfio.Samples.Nic;
using DeviceFaults = Vfio.Emulation.EmulatedFaults;

namespace Vfio.Reliability.Fuzz.Targets;

/// <summary>
/// Files of an emulated host that another process (or a user) may have written: type and device attributes, a
/// type's migration_info.json, an emulated device's migration_state and faults.json. Each case writes the fuzzed
/// file into a real emulated host tree and runs the manager code that reads it.
/// </summary>
internal sealed class HostFileTargets
{
    private static readonly ParentDeviceName Parent = ParentDeviceName.Parse("0000:00:05.0");
    private static readonly MdevTypeName Type = MdevTypeName.Parse("my-nic");

    private readonly Lazy<Host> _host;

    public HostFileTargets(string workDirectory) => _host = new(() => new Host(Path.Join(workDirectory, "host")));

    public IEnumerable<FuzzTarget> All()
    {
        yield return new FuzzTarget("migration-state-file",
            "an emulated device's migration_state file, read by EmulatedDeviceOpener.Open and PeekMigrationState",
            () => SeedCorpus.Utf8(Enum.GetNames<MigrationState>().Select(n => n + "\n")),
            input => _host.Value.MigrationStateFile(input));
        yield return new FuzzTarget("emulated-faults-file",
            "an emulated device's faults.json (armed faults, arcs as 'Running -> Stop'), read by EmulatedDeviceFaults.Get",
            () => _host.Value.FaultSeeds(),
            input => _host.Value.FaultsFile(input));
        yield return new FuzzTarget("type-attribute-files",
            "type attributes (name, description, device_api, available_instances) and a device's migration/ files, read by MdevHost",
            () => SeedCorpus.Utf8("my-nic\n", "NIC (current driver)\n", "vfio-pci\n", "4\n", "32\n", "on\n", NicModel.Id + "\n"),
            input => _host.Value.AttributeFile(input));
        yield return new FuzzTarget("type-migration-info-file",
            "a type's migration_info.json, read by MdevHost.GetSupportedType (the manager's capability source)",
            () => SeedCorpus.Utf8(SeedCorpus.MigrationInfoJson(NicModel.Current), SeedCorpus.MigrationInfoJson(NicModel.Old)),
            input => _host.Value.MigrationInfoFile(input));
    }

    /// <summary>One emulated host with one NIC device, shared by the cases of every target here.</summary>
    private sealed class Host
    {
        private readonly EmulatedSysfs _sysfs;
        private readonly MdevHost _mdev;
        private readonly EmulatedDeviceOpener _opener;
        private readonly EmulatedDeviceFiles _files;
        private readonly MdevUuid _device = MdevUuid.Parse("83b8f4f2-509f-382f-3c1e-e6bfe0fa1001");
        private readonly (string Path, byte[] Content)[] _attributes;

        public Host(string root)
        {
            new EmulatedHostBuilder(root).AddType(Parent, Type, "NIC (current driver)", 4, NicImplementations.Current, "one queue pair");
            var emulated = new EmulatedHost(root, new EmulatedHostOptions
            {
                LockTimeout = TimeSpan.FromSeconds(30),
                DeviceLockTimeout = TimeSpan.FromSeconds(30),
                Catalog = SampleCatalog.Create(),
            });
            _sysfs = emulated.Sysfs;
            _mdev = emulated.Tree;
            _mdev.Create(Parent, Type, _device, DeviceConfiguration.Parse(NicModel.Current, "version=2"));
            _opener = emulated.Opener;
            _files = new EmulatedDeviceFiles(_sysfs.Layout);
            using (_opener.Open(_device))
            {
                // Opened once so that device.state and migration_state exist.
            }
            SysfsLayout l = _sysfs.Layout;
            _attributes =
            [
                .. new[]
                {
                    l.TypeName(Parent, Type), l.TypeDescription(Parent, Type), l.TypeDeviceApi(Parent, Type),
                    l.TypeAvailableInstances(Parent, Type), l.DeviceParameter(_device, AttributeName.Parse(NicModel.RxFilterSize)),
                    l.DeviceParameter(_device, AttributeName.Parse(NicModel.Rss)), l.DeviceModel(_device), l.TypeMigrationInfo(Parent, Type),
                }.Select(p => (p.FullPath, File.ReadAllBytes(p.FullPath))),
                (_files.DeviceState(_device), File.ReadAllBytes(_files.DeviceState(_device))),
            ];
        }

        public List<byte[]> FaultSeeds()
        {
            var seeds = new List<byte[]>();
            var faults = new EmulatedDeviceFaults(_sysfs.Layout);
            foreach (DeviceFaults f in new DeviceFaults[]
            {
                new() { RefuseArc = new StateArc(MigrationState.Running, MigrationState.Stop) },
                new() { ErrorOnArc = new StateArc(MigrationState.StopCopy, MigrationState.Stop), CutStreamAfterBytes = 100 },
                new() { CorruptSavedByteAt = 7, CrashAfterBytes = 4096, RefuseArc = new StateArc(MigrationState.Resuming, MigrationState.Stop) },
                new() { DriverBugs = Vfio.Emulation.EmulatedDriverBugs.EndlessStopCopyData | Vfio.Emulation.EmulatedDriverBugs.ResetKeepsError },
                new(),
            })
            {
                faults.Set(_device, f);
                seeds.Add(File.ReadAllBytes(_files.Faults(_device)));
            }
            faults.Clear(_device);
            return seeds;
        }

        public void MigrationStateFile(byte[] input)
        {
            Restore();
            File.WriteAllBytes(_files.MigrationState(_device), input);
            // As every reader of the file sees it (File.ReadAllText drops a byte order mark).
            string text = File.ReadAllText(_files.MigrationState(_device)).Trim();
            MigrationState peeked = _opener.PeekMigrationState(_device);
            using IVfioDevice device = _opener.Open(_device);
            MigrationState opened = device.GetMigrationState();
            // The opener restores exactly the state the file names (by its name: a number or a list of names is
            // not a state), and Peek reads the same file the same way.
            if (!Enum.IsDefined(opened) || opened != peeked || opened.ToString() != text)
            {
                throw new InvalidOperationException($"migration_state {NameRules.Quote(TextTargets.Text(input))} opened as {opened}, peeked as {peeked}");
            }
        }

        public void FaultsFile(byte[] input)
        {
            Directory.CreateDirectory(_files.Directory(_device));
            File.WriteAllBytes(_files.Faults(_device), input);
            DeviceFaults faults = new EmulatedDeviceFaults(_sysfs.Layout).Get(_device);
            // An arc is armed only when the file names two states by name ("Running -> Stop"); numbers or lists of
            // names must be refused, not read as some other state.
            using var document = System.Text.Json.JsonDocument.Parse(input);
            foreach ((StateArc? arc, string field) in new[] { (faults.RefuseArc, "refuse_arc"), (faults.ErrorOnArc, "error_on_arc") })
            {
                if (arc is not { } a)
                {
                    continue;
                }
                string written = document.RootElement.GetProperty(field).GetString()!;
                string[] parts = written.Split("->", StringSplitOptions.TrimEntries);
                if (!Enum.IsDefined(a.From) || !Enum.IsDefined(a.To) || parts.Length != 2 || parts[0] != a.From.ToString() || parts[1] != a.To.ToString())
                {
                    throw new InvalidOperationException($"faults.json arc {NameRules.Quote(written)} was armed as {a}");
                }
            }
        }

        public void AttributeFile(byte[] input)
        {
            Restore();
            File.WriteAllBytes(_attributes[input.Length % 7].Path, input);
            MdevType type = _mdev.GetSupportedType(Parent, Type);
            _ = type.Migration?.DefaultModel;
            _ = _mdev.GetDevice(_device);
            _ = _mdev.ReadConfiguration(_device);
        }

        public void MigrationInfoFile(byte[] input)
        {
            Restore();
            File.WriteAllBytes(_sysfs.Layout.TypeMigrationInfo(Parent, Type).FullPath, input);
            _ = _mdev.GetSupportedType(Parent, Type).Migration?.DefaultModel;
            _ = _mdev.ReadConfiguration(_device);
        }

        private void Restore()
        {
            foreach ((string path, byte[] content) in _attributes)
            {
                File.WriteAllBytes(path, content);
            }
            File.WriteAllText(_files.MigrationState(_device), "Running\n");
        }
    }
}
