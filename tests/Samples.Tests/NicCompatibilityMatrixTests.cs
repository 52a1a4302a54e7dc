using Vfio.DeviceModels;
using Vfio.DeviceModels.State;
using Vfio.Samples.Nic;
using Vfio.Sdk;

namespace Vfio.Tests.Samples;

/// <summary>
/// The compatibility matrix a vendor runs in CI (docs/vendor-guide.md, step 8): every build as source, every version
/// and boundary value it accepts, every build as destination. Where the check says "compatible" the state must
/// really move; where it says "no", it must say so with a 3xxx code before anything moves.
/// </summary>
public sealed class NicCompatibilityMatrixTests
{
    private static readonly DeviceImplementation[] Builds = [NicImplementations.Old, NicImplementations.Current];

    public static TheoryData<string, string, string> Matrix()
    {
        var data = new TheoryData<string, string, string>();
        foreach (DeviceImplementation source in Builds)
        {
            foreach (string configuration in ConfigurationsOf(source.Model))
            {
                foreach (DeviceImplementation destination in Builds)
                {
                    data.Add(source.Id, configuration, destination.Id);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void CheckAndMigrationAgree(string sourceId, string configuration, string destinationId)
    {
        DeviceImplementation sourceBuild = Builds.Single(b => b.Id == sourceId);
        DeviceImplementation destinationBuild = Builds.Single(b => b.Id == destinationId);
        using var source = new NicHost(sourceBuild, "src", configuration);
        source.Device.SimulateTraffic(seed: 7, packets: 300);

        CompatibilityResult check = CompatibilityChecker.Check(source.Device.Configuration, destinationBuild.Model, "src");

        if (!check.IsCompatible)
        {
            Assert.All(check.Problems, p => Assert.InRange((int)p.Code, 3000, 3999));
            return;
        }
        using var destination = new NicHost(destinationBuild, "dst", check.DestinationConfiguration!);
        Migrate.Load(destination.Driver, Migrate.Save(source.Driver, preCopy: true));
        IReadOnlyDictionary<string, string> before = source.Device.DescribeState(), after = destination.Device.DescribeState();
        if (sourceBuild == destinationBuild)
        {
            Assert.Equal(before, after);
            return;
        }
        foreach (string field in before.Keys.Intersect(after.Keys))
        {
            Assert.True(before[field] == after[field] || IsOptional(field), $"{field}: {before[field]} -> {after[field]}");
        }
        // Fields only one side has must be optional ones, or the load would have failed.
        Assert.All(before.Keys.Except(after.Keys).Concat(after.Keys.Except(before.Keys)), f => Assert.True(IsOptional(f), f));
    }

    [Theory]
    [InlineData("version=1")]
    [InlineData("version=2")]
    public void SchemaDiff_OldToCurrent_BreaksNoDirection(string configuration)
    {
        using var old = new NicHost(NicImplementations.Old, "old", configuration);
        using var current = new NicHost(NicImplementations.Current, "new", configuration);

        IReadOnlyList<SchemaChange> changes = DeviceStateSchemaDiff.Compare(old.Device.ExportSchema(), current.Device.ExportSchema());

        SchemaChange change = Assert.Single(changes);
        Assert.Equal(("stats/rx-crc-errors", SchemaChangeKind.OptionalFieldAdded, MigrationDirections.None), (change.Path, change.Kind, change.Breaks));
    }

    // Every version, all-off, every parameter at each end of its allowed ranges.
    private static IEnumerable<string> ConfigurationsOf(ModelDescription model)
    {
        yield return "";
        foreach (ModelVersion v in model.Versions)
        {
            yield return "version=" + v.Name;
        }
        foreach (ParameterSpec p in model.Parameters)
        {
            IEnumerable<string> values = p.AllowedValues.Ranges.Count > 0
                ? p.AllowedValues.Ranges.SelectMany(r => new[] { r.Min, r.Max }).Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture))
                : p.AllowedValues.Tokens;
            foreach (string value in values.Distinct().Where(x => x != p.OffValue))
            {
                yield return p.Name + "=" + value;
            }
        }
    }

    private static bool IsOptional(string field) => field == "stats/rx-crc-errors";
}
