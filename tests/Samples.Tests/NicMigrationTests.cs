using Vfio.Devices;
using Vfio.Migration;
using Vfio.Samples.Nic;

namespace Vfio.Tests.Samples;

public sealed class NicMigrationTests
{
    public static TheoryData<string, bool> CurrentBuildConfigurations() => new()
    {
        { "version=1", false },
        { "version=2", false },
        { "version=3", false },
        { "version=3", true },
        { "version=2,rx-filter-size=64", true },
        { "rss=on", true },
    };

    [Theory]
    [MemberData(nameof(CurrentBuildConfigurations))]
    public void CurrentBuild_V2Protocol_DestinationStateEqualsSource(string configuration, bool preCopy)
    {
        using var src = new NicHost(NicImplementations.Current, "nic-src", configuration);
        using var dst = new NicHost(NicImplementations.Current, "nic-dst", configuration);
        src.Device.SetMtu(9000);
        src.Device.SimulateTraffic(seed: 1, packets: 700);
        Assert.NotEqual(src.Device.DescribeState(), dst.Device.DescribeState());

        byte[] data = Migrate.Save(src.Driver, preCopy, whilePreCopy: () => src.Device.SimulateTraffic(seed: 2, packets: 50));
        Migrate.Load(dst.Driver, data);

        Assert.Equal(MigrationProtocolKind.V2Feature, src.Driver.Protocol);
        Assert.Equal(src.Device.DescribeState(), dst.Device.DescribeState());
        Assert.Equal(MigrationState.Running, dst.Driver.GetState());
    }

    [Theory]
    [InlineData("version=1", false)]
    [InlineData("version=2", true)]
    [InlineData("rx-filter-size=7", true)]
    public void OldBuild_V1Region_DestinationStateEqualsSource(string configuration, bool preCopy)
    {
        using var src = new NicHost(NicImplementations.Old, "nic-src", configuration);
        using var dst = new NicHost(NicImplementations.Old, "nic-dst", configuration);
        src.Device.SimulateTraffic(seed: 3, packets: 900);

        byte[] data = Migrate.Save(src.Driver, preCopy, whilePreCopy: () => src.Device.SimulateTraffic(seed: 4, packets: 10));
        Migrate.Load(dst.Driver, data);

        Assert.Equal(MigrationProtocolKind.V1Region, src.Driver.Protocol);
        Assert.Equal(src.Device.DescribeState(), dst.Device.DescribeState());
    }
}
