using Vfio.Manager.Definitions;
using Vfio.Manager.Names;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Diff;
using Vfio.DeviceModels.Documents;
using Vfio.DeviceModels.Fleet;
using Vfio.DeviceModels.State;
using Vfio.Samples.Nic;
using Vfio.Samples.Serial;

namespace Vfio.Reliability.Fuzz.Targets;

/// <summary>The JSON documents: capabilities, migration info (model descriptions), device documents, definitions, schemas.</summary>
internal static class JsonTargets
{
    // tests/testdata of the checkout the tool runs from (found by walking up from the binary), when there is one.
    private static readonly string? TestData = FindTestData();

    public static IEnumerable<FuzzTarget> All()
    {
        yield return new FuzzTarget("migration-info-json",
            "MigrationInfo.Parse (a type's migration_info.json or manifest: model descriptions), then the diff against the current NIC",
            () => SeedCorpus.Utf8(SeedCorpus.MigrationInfoJson(NicModel.Current), SeedCorpus.MigrationInfoJson(NicModel.Old, SerialModel.DualPort), ManifestWithBase),
            ParseMigrationInfo);
        yield return new FuzzTarget("host-capabilities-json",
            "HostCapabilities.Parse ('vfioctl capabilities' output fed to 'find'), then a fleet scan for a NIC source",
            () => SeedCorpus.Utf8([SeedCorpus.HostCapabilitiesJson(), .. TestDataFiles("capabilities-*.json")]),
            ParseHostCapabilities);
        yield return new FuzzTarget("device-document-json",
            "DeviceDocument.Parse (a device's model and configuration as 'vfioctl describe' prints it) and its foreign configuration",
            () => SeedCorpus.Utf8(
                DeviceDocument.From(DeviceConfiguration.Parse(NicModel.Current, "version=3"), "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001", "my-nic").ToJson(),
                DeviceDocument.From(DeviceConfiguration.FromInit(SerialModel.DualPort)).ToJson()),
            input => _ = DeviceDocument.Parse(TextTargets.Text(input)).ToForeign());
        yield return new FuzzTarget("definition-json",
            "DefinitionJson.Read (an mdevctl-compatible persistent definition) and its migration/ attributes as a NIC configuration",
            DefinitionSeeds, ReadDefinition);
        yield return new FuzzTarget("state-schema-json",
            "DeviceStateSchema.FromJson (an exported device-state schema) and the schema diff against the NIC's",
            () => SeedCorpus.Utf8(SeedCorpus.SchemaJson()),
            ParseSchema);
    }

    private const string ManifestWithBase =
        """{"models":{"vendor-a.com/my-nic":{"params":{"rx-filter-size":{"type":"int","allowed_values":"0-64","off_value":"0","init_value":"32","description":"d","since":"2"},"rss":{"type":"bool","off_value":"off","init_value":"on"}},"versions":{"1":{},"2":{"$base":"1","rx-filter-size":"32"},"3":{"$base":"2","rss":"on"}},"latest":"3"}}}""";

    private static IEnumerable<string> TestDataFiles(string pattern) =>
        TestData is not null ? Directory.GetFiles(TestData, pattern).Order(StringComparer.Ordinal).Select(File.ReadAllText) : [];

    private static string? FindTestData()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Join(d.FullName, "tests", "testdata", "vfioctl");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static void ParseMigrationInfo(byte[] input)
    {
        MigrationInfo info = MigrationInfo.Parse(TextTargets.Text(input));
        foreach (ModelDescription model in info.Models)
        {
            _ = MigrationInfo.Fingerprint(model);
            _ = MigrationInfoDiff.Compare(NicModel.Current, model);
            foreach (ModelVersion version in model.Versions)
            {
                _ = DeviceConfiguration.Parse(model, "version=" + version.Name);
            }
        }
        // What was read prints as a document that reads back to the same models.
        MigrationInfo again = MigrationInfo.Parse(info.ToJson());
        if (again.Models.Count != info.Models.Count || again.ToJson() != info.ToJson())
        {
            throw new InvalidOperationException("a migration info document does not survive a write and read");
        }
    }

    private static void ParseHostCapabilities(byte[] input)
    {
        HostCapabilities host = HostCapabilities.Parse(TextTargets.Text(input));
        ForeignConfiguration source = DeviceConfiguration.Parse(NicModel.Current, "version=2").ToForeign("fuzz-src");
        _ = FleetIndex.FindByScan([host], source);
        _ = HostCapabilities.Parse(host.ToJson());
    }

    private static IReadOnlyList<byte[]> DefinitionSeeds()
    {
        var parent = ParentDeviceName.Parse("0000:00:05.0");
        var uuid = MdevUuid.Parse("83b8f4f2-509f-382f-3c1e-e6bfe0fa1001");
        DeviceConfiguration config = DeviceConfiguration.Parse(NicModel.Current, "version=2,rx-filter-size=64");
        return SeedCorpus.Utf8(
            DefinitionJson.Write(new MdevDefinition(uuid, parent, MdevTypeName.Parse("my-nic"), true, DefinitionAttributes.FromConfiguration(config))),
            DefinitionJson.Write(new MdevDefinition(uuid, parent, MdevTypeName.Parse("mtty-2"), false, [])),
            """{"mdev_type":"nvidia-35","start":"manual","attrs":[{"some/attr":"1"},{"migration/rss":"on"}]}""");
    }

    private static void ReadDefinition(byte[] input)
    {
        MdevDefinition definition = DefinitionJson.Read("fuzz.json", MdevUuid.Parse("83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"),
            ParentDeviceName.Parse("0000:00:05.0"), TextTargets.Text(input));
        _ = DefinitionJson.Write(definition);
        _ = DefinitionAttributes.ToConfiguration(NicModel.Current, definition.Attributes);
    }

    private static void ParseSchema(byte[] input)
    {
        DeviceStateSchema schema = DeviceStateSchema.FromJson(TextTargets.Text(input));
        _ = DeviceStateSchemaDiff.Compare(SeedCorpus.ReferenceSchema, schema);
        _ = DeviceStateSchemaDiff.Compare(schema, schema);
        _ = DeviceStateSchema.FromJson(schema.ToJson());
    }
}
