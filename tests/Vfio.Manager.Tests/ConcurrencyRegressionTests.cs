using Vfio.Errors;
using Vfio.Manager.Definitions;
using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;
using Vfio.Tests.Manager.Migration;
using Vfio.DeviceModels;
using Vfio.Devices;
using Vfio.Tests.Support;

namespace Vfio.Tests.Manager;

/// <summary>
/// The bugs the concurrency run (tools/Vfio.Reliability, docs/reliability.md "Concurrency") found, each pinned down.
/// Where the race can be staged exactly, an <see cref="ISysfs"/> wrapper makes "another process" act at the
/// racy moment; where it cannot, two threads repeat the racing operations a bounded number of times.
/// </summary>
public sealed class ConcurrencyRegressionTests : IDisposable
{
    private readonly EmulatedMigrationHost _host = new();
    private readonly string _configRoot;

    public ConcurrencyRegressionTests() => _configRoot = Path.Join(_host.Root, "etc", "mdevctl.d");

    public void Dispose() => _host.Dispose();

    [Fact]
    public void DefinitionStore_ChangesWaitForTheStoreLock_AndTimeOutWithE6015()
    {
        var store = new DefinitionStore(_configRoot, TimeSpan.FromMilliseconds(50));
        MdevDefinition definition = Definition(MdevUuid.NewUuid());
        Directory.CreateDirectory(_configRoot);

        // Another process in the middle of a change holds the lock.
        using (HostLock.Acquire(Path.Join(_configRoot, DefinitionStore.LockFileName), TimeSpan.FromSeconds(5)))
        {
            var e = Assert.Throws<VfioException>(() => store.Define(definition));
            Assert.Equal(ErrorCode.LockTimeout, e.Code);
            Assert.Contains(DefinitionStore.LockFileName, e.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(store.PathOf(definition.Parent, definition.Uuid)));
        }

        store.Define(definition);
        Assert.True(store.Find(definition.Uuid)!.SameAs(definition));
    }

    [Fact]
    public void DefinitionStore_TwoProcessesDefiningOneUuidUnderTwoParents_OnlyOneWins()
    {
        MdevUuid uuid = MdevUuid.NewUuid();
        var stores = new[] { new DefinitionStore(_configRoot), new DefinitionStore(_configRoot) };
        var outcomes = new ErrorCode?[2];
        const int Rounds = 40;
        for (int round = 0; round < Rounds; round++)
        {
            Parallel.For(0, 2, i =>
            {
                try
                {
                    stores[i].Define(Definition(uuid, i == 0 ? EmulatedMigrationHost.Parent : EmulatedMigrationHost.OldParent));
                    outcomes[i] = null;
                }
                catch (VfioException e)
                {
                    outcomes[i] = e.Code;
                }
            });
            Assert.Single(outcomes, o => o is null);
            Assert.Single(outcomes, o => o == ErrorCode.DefinitionExists);
            Assert.Single(stores[0].List(), d => d.Uuid == uuid);
            stores[0].Undefine(uuid);
        }
    }

    [Fact]
    public async Task DefinitionStore_ListWhileAnotherProcessUndefines_SkipsTheVanishedFile()
    {
        var writer = new DefinitionStore(_configRoot);
        var reader = new DefinitionStore(_configRoot);
        MdevDefinition[] definitions = [.. Enumerable.Range(0, 8).Select(_ => Definition(MdevUuid.NewUuid()))];
        using var done = new CancellationTokenSource();
        Task churn = Task.Run(() =>
        {
            try
            {
                for (int round = 0; round < 150; round++)
                {
                    foreach (MdevDefinition d in definitions)
                    {
                        writer.Define(d);
                    }
                    foreach (MdevDefinition d in definitions)
                    {
                        writer.Undefine(d.Uuid);
                    }
                }
            }
            finally
            {
                done.Cancel();
            }
        });
        int listings = 0;
        while (!done.IsCancellationRequested)
        {
            foreach (MdevDefinition listed in reader.List())
            {
                Assert.Contains(definitions, d => d.SameAs(listed));
            }
            listings++;
        }
        await churn;
        Assert.True(listings > 0);
        Assert.Empty(reader.List());
    }

    [Fact]
    public void GetDevices_DeviceRemovedWhileItsFilesAreRead_IsSkippedNotAnE1001()
    {
        MdevUuid doomed = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        MdevUuid stays = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        var racing = new InterleavingSysfs(_host.Sysfs);
        // Another process removes the device just as this one lists its migration/ directory.
        racing.BeforeList = path =>
        {
            if (path == racing.Layout.DeviceMigration(doomed))
            {
                racing.BeforeList = null;
                _host.Reopen().Host.Remove(doomed);
            }
        };

        IReadOnlyList<MdevDevice> devices = new MdevHost(racing).GetDevices();

        Assert.Equal([stays], devices.Select(d => d.Uuid));
    }

    [Fact]
    public async Task GetDevices_WhileAnotherProcessCreatesAndRemoves_NeverFails()
    {
        EmulatedMigrationHost other = _host.Reopen();
        using var done = new CancellationTokenSource();
        Task churn = Task.Run(() =>
        {
            try
            {
                for (int round = 0; round < 60; round++)
                {
                    MdevUuid uuid = other.CreateDevice(EmulatedMigrationHost.V2Type);
                    other.Host.Remove(uuid);
                }
            }
            finally
            {
                done.Cancel();
            }
        });
        while (!done.IsCancellationRequested)
        {
            foreach (MdevDevice device in _host.Host.GetDevices())
            {
                // A device seen at all is seen whole: its model and every parameter, no staged temporary file.
                Assert.Equal(TestNicModels.Current.Id, device.Migration!.Model);
                Assert.Equal(TestNicModels.Current.Parameters.Select(p => p.Name).Order(StringComparer.Ordinal),
                    device.Migration.Parameters.Select(p => p.Key.Value).Order(StringComparer.Ordinal));
            }
        }
        await churn;
        Assert.Empty(_host.Host.GetDevices());
    }

    [Fact]
    public async Task EmulatedTreeWrites_StageTheirTemporaryFilesOutsideSys()
    {
        MdevUuid uuid = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        SysfsPath migration = PathResolver.Resolve(_host.Sysfs.Layout.DeviceMigration(uuid));
        SysfsPath typeDirectory = PathResolver.Resolve(_host.Sysfs.Layout.Type(EmulatedMigrationHost.Parent, EmulatedMigrationHost.V2Type));
        var seen = new List<string>();
        using var done = new CancellationTokenSource();
        Task writes = Task.Run(() =>
        {
            try
            {
                ModelDescription model = _host.Host.GetSupportedType(EmulatedMigrationHost.Parent, EmulatedMigrationHost.V2Type).Migration!.DefaultModel;
                for (int round = 0; round < 60; round++)
                {
                    _host.Host.Configure(uuid, DeviceConfiguration.Parse(model, round % 2 == 0 ? "version=1" : "version=3"));
                    _host.Host.Remove(_host.CreateDevice(EmulatedMigrationHost.V2Type));
                }
            }
            finally
            {
                done.Cancel();
            }
        });
        while (!done.IsCancellationRequested)
        {
            seen.AddRange(Directory.EnumerateFileSystemEntries(migration.FullPath).Concat(Directory.EnumerateFileSystemEntries(typeDirectory.FullPath)));
        }
        await writes;

        Assert.DoesNotContain(seen, name => name.EndsWith(".tmp", StringComparison.Ordinal));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Join(_host.Root, "var", "lib", "vfio-emu", "tmp")));
    }

    [Fact]
    public void Remove_OfADeviceAnotherProcessHasOpen_IsRefusedWithE6017_AndLeavesItWhole()
    {
        MdevUuid uuid = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        int available = AvailableInstances();
        EmulatedMigrationHost other = _host.Reopen();

        using (IVfioDevice device = other.Opener.Open(uuid))
        {
            var e = Assert.Throws<VfioException>(() => _host.Host.Remove(uuid));
            Assert.Equal(ErrorCode.DeviceStateConflict, e.Code);
            Assert.Equal(uuid.ToString(), e.Device);
            Assert.NotNull(_host.Host.FindDevice(uuid));
            Assert.Equal(available, AvailableInstances());
            _ = device.GetInfo();
        }

        _host.Host.Remove(uuid);
        Assert.Null(_host.Host.FindDevice(uuid));
        Assert.Equal(available + 1, AvailableInstances());
        Assert.False(Directory.Exists(Path.Join(_host.Root, "var", "lib", "vfio-emu", "devices", uuid.ToString())));
    }

    [Fact]
    public void Remove_LosingARaceWithAnotherProcessesRemove_IsE6005NotE1001()
    {
        MdevUuid uuid = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        int available = AvailableInstances();
        var racing = new InterleavingSysfs(_host.Sysfs);
        // The other process's stop lands between this one's existence check and its write to remove.
        racing.BeforeWrite = path =>
        {
            racing.BeforeWrite = null;
            _host.Reopen().Host.Remove(uuid);
        };

        var e = Assert.Throws<VfioException>(() => new MdevHost(racing).Remove(uuid));

        Assert.Equal(ErrorCode.DeviceNotFound, e.Code);
        Assert.Equal(available + 1, AvailableInstances());
    }

    [Fact]
    public void Create_WhoseDeviceAnotherProcessRemovesMidConfiguration_IsE6005NotE1001()
    {
        int available = AvailableInstances();
        MdevUuid uuid = MdevUuid.NewUuid();
        var racing = new InterleavingSysfs(_host.Sysfs);
        // The other process stops the new device (picked from its listing) just as pinning reads the values back.
        racing.BeforeRead = path =>
        {
            if (path.FullPath.Contains("/migration/", StringComparison.Ordinal) && !path.FullPath.EndsWith("/model", StringComparison.Ordinal))
            {
                racing.BeforeRead = null;
                _host.Reopen().Host.Remove(uuid);
            }
        };
        var host = new MdevHost(racing);
        ModelDescription model = host.GetSupportedType(EmulatedMigrationHost.Parent, EmulatedMigrationHost.V2Type).Migration!.DefaultModel;

        var e = Assert.Throws<VfioException>(() => host.Create(EmulatedMigrationHost.Parent, EmulatedMigrationHost.V2Type, uuid, DeviceConfiguration.Parse(model, "version=3")));

        Assert.Equal(ErrorCode.DeviceNotFound, e.Code);
        Assert.Null(_host.Host.FindDevice(uuid));
        Assert.Equal(available, AvailableInstances());
    }

    [Fact]
    public void MarkOpened_OfADeviceRemovedMeanwhile_LeavesNoDeviceStateBehind()
    {
        MdevUuid uuid = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        _host.Host.Remove(uuid);
        // What an opener that checked the device before the remove has made by now: the device's state directory.
        string state = Path.Join(_host.Root, "var", "lib", "vfio-emu", "devices", uuid.ToString());
        Directory.CreateDirectory(state);
        File.WriteAllText(Path.Join(state, "device.lock"), string.Empty);

        var e = Assert.Throws<VfioException>(() => _host.Sysfs.MarkOpened(uuid));

        Assert.Equal(ErrorCode.DeviceNotFound, e.Code);
        Assert.False(Directory.Exists(state));
    }

    [Fact]
    public async Task Open_RacingARemoveAndReCreateUnderTheSameUuid_RunsTheNewIncarnationsConfiguration()
    {
        // Re-created with the other configuration each round; an open that read the configuration before taking the
        // device lock ran the old incarnation's code and left state the new one cannot load (E4008 on the next open).
        MdevUuid uuid = _host.CreateDevice(EmulatedMigrationHost.V2Type, "version=1");
        EmulatedMigrationHost other = _host.Reopen();
        var unexpected = new List<string>();
        using var done = new CancellationTokenSource();
        Task churn = Task.Run(() =>
        {
            try
            {
                ModelDescription model = other.Host.GetSupportedType(EmulatedMigrationHost.Parent, EmulatedMigrationHost.V2Type).Migration!.DefaultModel;
                for (int round = 0; round < 40; round++)
                {
                    try
                    {
                        if (other.Host.FindDevice(uuid) is not null)
                        {
                            other.Host.Remove(uuid);
                        }
                        other.Host.Create(EmulatedMigrationHost.Parent, EmulatedMigrationHost.V2Type, uuid,
                            DeviceConfiguration.Parse(model, round % 2 == 0 ? "version=3" : "version=1"));
                    }
                    catch (VfioException e) when (e.Code is ErrorCode.DeviceStateConflict or ErrorCode.DeviceAlreadyOpened or ErrorCode.DeviceExists)
                    {
                        // Open right now (the remove is refused), or opened while being created (the creation is
                        // rolled back, or left in place when that remove is refused too): next round.
                    }
                }
            }
            finally
            {
                done.Cancel();
            }
        });
        while (!done.IsCancellationRequested)
        {
            try
            {
                using IVfioDevice device = _host.Opener.Open(uuid);
                _ = device.GetInfo();
            }
            catch (VfioException e) when (e.Code == ErrorCode.DeviceNotFound)
            {
                // Between the other thread's remove and its create.
            }
            catch (VfioException e)
            {
                unexpected.Add($"{ErrorCatalogue.Id(e.Code)} {e.Message}");
            }
        }
        await churn;

        Assert.Empty(unexpected);
        if (_host.Host.FindDevice(uuid) is not null)
        {
            using IVfioDevice last = _host.Opener.Open(uuid);
            Assert.NotNull(last.GetInfo());
        }
    }

    private int AvailableInstances() => _host.Host.GetSupportedType(EmulatedMigrationHost.Parent, EmulatedMigrationHost.V2Type).AvailableInstances;

    private static MdevDefinition Definition(MdevUuid uuid, ParentDeviceName? parent = null) =>
        new(uuid, parent ?? EmulatedMigrationHost.Parent, EmulatedMigrationHost.V2Type, false, [new("migration/rss", "off")]);

    /// <summary>The emulated sysfs with a hook before a listing or a write, where a test lets "another process" act.</summary>
    private sealed class InterleavingSysfs(EmulatedSysfs inner) : ISysfs
    {
        public Action<SysfsPath>? BeforeList { get; set; }

        public Action<SysfsPath>? BeforeWrite { get; set; }

        public Action<SysfsPath>? BeforeRead { get; set; }

        public SysfsLayout Layout => inner.Layout;

        public string ReadText(SysfsPath path)
        {
            BeforeRead?.Invoke(path);
            return inner.ReadText(path);
        }

        public void Write(SysfsPath path, string value)
        {
            BeforeWrite?.Invoke(path);
            inner.Write(path, value);
        }

        public bool Exists(SysfsPath path) => inner.Exists(path);

        public IReadOnlyList<string> List(SysfsPath directory)
        {
            BeforeList?.Invoke(directory);
            return inner.List(directory);
        }

        public SysfsPath? Resolve(SysfsPath path) => inner.Resolve(path);
    }
}
