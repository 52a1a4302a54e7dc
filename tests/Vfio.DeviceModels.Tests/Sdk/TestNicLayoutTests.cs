using Vfio.DeviceModels;
using Vfio.DeviceModels.State;
using Vfio.Devices;
using Vfio.Tests.Support;

namespace Vfio.Tests.DeviceModels.Sdk;

/// <summary>
/// The shared test NIC saves the core fields its model calls for (<see cref="TestNicLayout"/>): the design's NIC its
/// registers, the migration tests' NIC its counter, with the rss-key only when configured with rss=on.
/// </summary>
public sealed class TestNicLayoutTests
{
    [Theory]
    [InlineData("version=3", new[] { "ring", "ring/data", "counter", "mac", "rss-key" })]
    [InlineData("version=2", new[] { "ring", "ring/data", "counter", "mac" })]
    public void OnTheMigrationModel_TheNicSavesItsCounter_AndTheRssKeyOnlyWithRss(string configuration, string[] paths)
    {
        using var nic = new TestNic("nic", DeviceConfiguration.Parse(TestNicModels.Current, configuration), MigrationFeatures.StopCopy);

        DeviceStateSchema schema = nic.ExportSchema();

        Assert.Equal(TestNicLayout.Counter, nic.Layout);
        Assert.Equal(TestNicModels.MigrationId, schema.ModelId);
        Assert.Equal(paths, schema.Fields.Select(f => f.Path));
        Assert.Equal(TestNic.RingSize, nic.Ring.Length);
    }

    [Fact]
    public void OnTheDesignModel_TheNicSavesItsRegisters_InThreeRings()
    {
        using var nic = new TestNic("nic", TestNic.V3, MigrationFeatures.StopCopy);

        Assert.Equal(TestNicLayout.Registers, nic.Layout);
        Assert.Equal(["ring0", "ring1", "ring2"], nic.RingNames);
        Assert.All(nic.Rings, ring => Assert.Equal(1000, ring.Length));
    }

    [Fact]
    public void OnTheMigrationModel_SaveThenLoad_CarriesTheCounterTheMacTheKeyAndTheRing()
    {
        DeviceConfiguration configuration = DeviceConfiguration.Parse(TestNicModels.Current, "version=3");
        using var source = new TestNic("src", configuration, MigrationFeatures.StopCopy);
        source.Fill(seed: 7);
        using var destination = new TestNic("dst", configuration, MigrationFeatures.StopCopy);
        ((IMigrationBackend)source).Step(MigrationState.Stop);
        ((IMigrationBackend)source).Step(MigrationState.StopCopy);
        byte[] state = source.ReadAll();
        ((IMigrationBackend)destination).Step(MigrationState.Stop);
        ((IMigrationBackend)destination).Step(MigrationState.Resuming);

        ((IMigrationBackend)destination).WriteData(state);
        ((IMigrationBackend)destination).Step(MigrationState.Stop);

        destination.AssertSameState(source);
        Assert.Equal(source.Counter, destination.Counter);
        Assert.NotEmpty(destination.RssKey);
        Assert.Equal("", destination.Label); // not in this layout
    }
}
