using Vfio.DeviceModels;
using Vfio.DeviceModels.Streams;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Errors;
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CurrentBuild_OverTheV1Region_AlsoMoves(bool preCopy)
    {
        // The device code does not depend on the protocol: the same build behind a v1 migration region.
        var options = new EmulatedDeviceOptions { Protocol = MigrationProtocolKind.V1Region, V1DataSectionSize = 4096 };
        DeviceConfiguration configuration = DeviceConfiguration.Parse(NicModel.Current, "version=3");
        using var srcNic = new NicDevice("src", configuration, NicBuild.Current);
        using var dstNic = new NicDevice("dst", configuration, NicBuild.Current);
        using var src = new EmulatedVfioDevice("src", srcNic, options);
        using var dst = new EmulatedVfioDevice("dst", dstNic, options);
        srcNic.SimulateTraffic(seed: 8, packets: 500);

        byte[] data = Migrate.Save(MigrationDriver.Open(src), preCopy, whilePreCopy: () => srcNic.SimulateTraffic(seed: 9, packets: 5));
        Migrate.Load(MigrationDriver.Open(dst), data);

        Assert.Equal(srcNic.DescribeState(), dstNic.DescribeState());
    }

    [Fact]
    public void ThroughTheStreamEnvelope_HeaderOfAnotherConfiguration_IsRefusedBeforeAnyByteLoads()
    {
        using var src = new NicHost(NicImplementations.Current, "nic-src", "version=3");
        using var dst = new NicHost(NicImplementations.Old, "nic-dst", "version=2");
        src.Device.SimulateTraffic(seed: 1, packets: 10);
        using var envelope = new MemoryStream();
        using (MigrationDataStream saved = src.Driver.TransitionTo(MigrationState.StopCopy)!)
        {
            MigrationStreamWriter.CopyFrom(saved, envelope, src.Device.CreateStreamHeader());
        }
        envelope.Position = 0;
        IReadOnlyDictionary<string, string> before = dst.Device.DescribeState();

        using var reader = new MigrationStreamReader(envelope, dst.Device.ValidateStreamHeader);
        VfioException ex = Assert.ThrowsAny<VfioException>(() => reader.ReadHeader());

        Assert.Equal(ErrorCode.StreamHeaderMismatch, ex.Code);
        Assert.Equal(MigrationState.Running, dst.Driver.GetState());
        Assert.Equal(before, dst.Device.DescribeState());
    }
}
