using System.Text.Json;
using Vfio.Errors;
using Vfio.Manager.Definitions;
using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.DeviceModels;
using Vfio.Tests.Shared;
using Vfio.Tests.Support;

namespace Vfio.Tests.Manager;

public sealed class DefinitionTests : IDisposable
{
    private static readonly ParentDeviceName Parent = ParentDeviceName.Parse("0000:00:03.0");
    private static readonly MdevTypeName Type = MdevTypeName.Parse("vendor-nic-1");
    private readonly TempTree _tree = new();
    private readonly EmulatedSysfs _sysfs;
    private readonly MdevHost _host;
    private readonly DefinitionStore _store;
    private readonly MdevDefinitions _definitions;

    public DefinitionTests()
    {
        _sysfs = new EmulatedHostBuilder(_tree.PathOf("host")).AddType(Parent, Type, "Vendor NIC", 4, TestNicModels.Design).Build();
        _host = new MdevHost(_sysfs);
        _store = new DefinitionStore(_tree.PathOf("etc/mdevctl.d"));
        _definitions = new MdevDefinitions(_host, _store);
    }

    public void Dispose() => _tree.Dispose();

    private static DeviceConfiguration Config(string text) => DeviceConfiguration.Parse(TestNicModels.Design, text);

    [Fact]
    public void PinnedDefinition_WritesEveryParameterOnceWithTheValueTheDeviceRuns()
    {
        MdevDefinition definition = _definitions.Pinned(MdevUuid.NewUuid(), Parent, Type, Config("rx-filter-size=16"));

        Assert.Equal(
            ["migration/rss=off", "migration/rx-filter-size=16"],
            definition.Attributes.Select(a => $"{a.Key}={a.Value}"));
    }

    [Fact]
    public void ADefinitionWrittenTheOldWay_OffValuesThenTheDifferences_ReadsAsTheSameConfiguration()
    {
        KeyValuePair<string, string>[] old =
            [new("migration/rss", "off"), new("migration/rx-filter-size", "0"), new("migration/rss", "on"), new("migration/rx-filter-size", "16")];

        Assert.Equal(Config("rx-filter-size=16,rss=on"), DefinitionAttributes.ToConfiguration(TestNicModels.Design, old));
        Assert.Equal(Config("rx-filter-size=16,rss=on"), DefinitionAttributes.ToConfiguration(TestNicModels.Design,
            DefinitionAttributes.FromConfiguration(Config("rx-filter-size=16,rss=on"))));
    }

    [Theory]
    [InlineData("")]
    [InlineData("rss=on")]
    [InlineData("version=2,rx-filter-size=64")]
    public void DefineThenStart_CreatesTheDeviceWithThePinnedConfiguration(string text)
    {
        MdevUuid uuid = MdevUuid.NewUuid();
        _store.Define(_definitions.Pinned(uuid, Parent, Type, Config(text)));

        MdevDevice device = _definitions.Start(uuid);

        Assert.Equal(Type, device.Type);
        Assert.Equal(Config(text), _host.ReadConfiguration(uuid));
        Assert.Equal(Config(text), DefinitionAttributes.ToConfiguration(TestNicModels.Design, _store.Require(uuid).Attributes));
    }

    [Fact]
    public void Definition_RoundTripsThroughTheFile()
    {
        MdevDefinition definition = _definitions.Pinned(MdevUuid.NewUuid(), Parent, Type, Config("rss=on"), autoStart: true);
        _store.Define(definition);

        MdevDefinition read = _store.Require(definition.Uuid, Parent);

        Assert.True(definition.SameAs(read));
        Assert.Equal(Path.Join(_tree.Root, "etc/mdevctl.d", Parent.Value, definition.Uuid.ToString()), _store.PathOf(Parent, definition.Uuid));
        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(_store.PathOf(Parent, definition.Uuid))!, ".*"));
    }

    [Fact]
    public void DefineTwice_ModifyAndUndefine_HaveTheirCodes()
    {
        MdevUuid uuid = MdevUuid.NewUuid();
        _store.Define(new MdevDefinition(uuid, Parent, Type, false, []));

        Assert.Equal(ErrorCode.DefinitionExists,
            Assert.Throws<VfioException>(() => _store.Define(new MdevDefinition(uuid, ParentDeviceName.Parse("mtty"), Type, false, []))).Code);

        _store.Modify(new MdevDefinition(uuid, Parent, Type, true, [new("migration/rss", "on")]));
        Assert.True(_store.Require(uuid).AutoStart);

        _store.Undefine(uuid);
        Assert.Null(_store.Find(uuid));
        Assert.Equal(ErrorCode.DefinitionNotFound, Assert.Throws<VfioException>(() => _store.Undefine(uuid)).Code);
        Assert.Equal(ErrorCode.DefinitionNotFound, Assert.Throws<VfioException>(() => _store.Modify(new MdevDefinition(uuid, Parent, Type, true, []))).Code);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[]", "top level is not an object")]
    [InlineData("{\"start\": \"manual\"}", "\"mdev_type\" is missing")]
    [InlineData("{\"mdev_type\": \"vendor-nic-1\"}", "\"start\" is missing")]
    [InlineData("{\"mdev_type\": \"vendor-nic-1\", \"start\": \"sometimes\"}", "expected \"auto\" or \"manual\"")]
    [InlineData("{\"mdev_type\": \"../x\", \"start\": \"auto\"}", "not a valid type name")]
    [InlineData("{\"mdev_type\": \"vendor-nic-1\", \"start\": \"auto\", \"attrs\": {}}", "\"attrs\" is not an array")]
    [InlineData("{\"mdev_type\": \"vendor-nic-1\", \"start\": \"auto\", \"attrs\": [{\"a\": \"1\", \"b\": \"2\"}]}", "exactly one")]
    [InlineData("{\"mdev_type\": \"vendor-nic-1\", \"start\": \"auto\", \"attrs\": [{\"a\": 1}]}", "not a string")]
    [InlineData("{\"mdev_type\": \"vendor-nic-1\", \"start\": \"auto\", \"attrs\": [{\"../../remove\": \"1\"}]}", "not a safe path")]
    public void MalformedDefinition_IsDefinitionInvalidNamingTheFile(string content, string problem)
    {
        MdevUuid uuid = MdevUuid.NewUuid();
        _tree.File($"etc/mdevctl.d/{Parent}/{uuid}", content);

        var e = Assert.Throws<VfioException>(() => _store.List());

        Assert.Equal(ErrorCode.DefinitionInvalid, e.Code);
        Assert.Contains(_store.PathOf(Parent, uuid), e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void List_ShowsDefinedActiveAndBoth_AndSkipsForeignEntries()
    {
        MdevUuid definedOnly = MdevUuid.NewUuid(), both = MdevUuid.NewUuid(), activeOnly = MdevUuid.NewUuid();
        _store.Define(new MdevDefinition(definedOnly, Parent, Type, false, []));
        _store.Define(new MdevDefinition(both, Parent, Type, false, []));
        _definitions.Start(both);
        _host.Create(Parent, Type, activeOnly);
        _tree.Dir("etc/mdevctl.d/scripts.d/callouts").File($"etc/mdevctl.d/{Parent}/README", "not a definition");

        var entries = _definitions.List().ToDictionary(e => e.Uuid);

        Assert.Equal(3, entries.Count);
        Assert.Equal((true, false), (entries[definedOnly].Definition is not null, entries[definedOnly].Active is not null));
        Assert.Equal((true, true), (entries[both].Definition is not null, entries[both].Active is not null));
        Assert.Equal((false, true), (entries[activeOnly].Definition is not null, entries[activeOnly].Active is not null));
    }

    [Fact]
    public void StartAutomatic_StartsOnlyAutoDefinitionsNotYetActive()
    {
        MdevUuid auto = MdevUuid.NewUuid(), manual = MdevUuid.NewUuid();
        _store.Define(_definitions.Pinned(auto, Parent, Type, Config("rss=on"), autoStart: true));
        _store.Define(new MdevDefinition(manual, Parent, Type, false, []));

        var started = _definitions.StartAutomatic();
        var again = _definitions.StartAutomatic();

        Assert.Equal([(auto, (VfioException?)null)], started);
        Assert.Empty(again);
        Assert.Null(_host.FindDevice(manual));
        Assert.Equal(Config("rss=on"), _host.ReadConfiguration(auto));
    }

    [Fact]
    public void Start_FailingAttributeWrite_RemovesTheDevice()
    {
        MdevUuid uuid = MdevUuid.NewUuid();
        _store.Define(new MdevDefinition(uuid, Parent, Type, false, [new("migration/rss", "on"), new("vendor_knob", "1")]));

        var e = Assert.Throws<VfioException>(() => _definitions.Start(uuid));

        Assert.Equal(ErrorCode.KernelCallFailed, e.Code);
        Assert.Null(_host.FindDevice(uuid));
        Assert.Equal(4, _host.GetSupportedType(Parent, Type).AvailableInstances);
    }

    [RequiresMdevctlFact]
    public void OurDefinition_IsListedByMdevctlIdentically()
    {
        using var mdevctl = new Mdevctl();
        var store = new DefinitionStore(mdevctl.ConfigRoot);
        MdevDefinition definition = _definitions.Pinned(MdevUuid.NewUuid(), Parent, Type, Config("version=2,rx-filter-size=64"), autoStart: true);
        store.Define(definition);

        using JsonDocument listed = JsonDocument.Parse(mdevctl.Run("list", "--defined", "--dumpjson"));

        JsonElement entry = listed.RootElement[0].GetProperty(Parent.Value)[0].GetProperty(definition.Uuid.ToString());
        using JsonDocument ours = JsonDocument.Parse(File.ReadAllText(store.PathOf(Parent, definition.Uuid)));
        Assert.Equal(JsonSerializer.Serialize(ours.RootElement), JsonSerializer.Serialize(entry));
    }

    [RequiresMdevctlFact]
    public void MdevctlDefinition_IsReadByUs()
    {
        using var mdevctl = new Mdevctl();
        MdevUuid uuid = MdevUuid.NewUuid();
        mdevctl.Run("define", "-u", uuid.ToString(), "-p", Parent.Value, "-t", Type.Value, "--auto");
        mdevctl.Run("modify", "-u", uuid.ToString(), "--addattr=migration/rss", "--value=off");
        mdevctl.Run("modify", "-u", uuid.ToString(), "--addattr=migration/rss", "--value=on");

        MdevDefinition read = new DefinitionStore(mdevctl.ConfigRoot).Require(uuid);

        Assert.Equal((Parent, Type, true), (read.Parent, read.Type, read.AutoStart));
        Assert.Equal(["migration/rss=off", "migration/rss=on"], read.Attributes.Select(a => $"{a.Key}={a.Value}"));
        Assert.Equal(Config("rss=on,rx-filter-size=32"), DefinitionAttributes.ToConfiguration(TestNicModels.Design, read.Attributes));
    }
}
