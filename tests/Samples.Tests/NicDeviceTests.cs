using Vfio.Devices;
using Vfio.Samples.Nic;

namespace Vfio.Tests.Samples;

public sealed class NicDeviceTests
{
    private const int ChunkBytes = NicDevice.ChunkDescriptors * NicDevice.DescriptorSize;

    [Fact]
    public void PreCopy_TrafficAfterTheFirstRound_ResendsOnlyTheRingSectionsItTouched()
    {
        using var src = new NicHost(NicImplementations.Current, "nic-src", "version=3");
        using MigrationDataStream stream = src.Driver.TransitionTo(MigrationState.PreCopy)!;
        byte[] first = Migrate.Drain(stream, stopAtNothingNow: true);
        Assert.True(first.Length >= NicDevice.RingChunks * ChunkBytes, "the first round carries the whole ring");
        Assert.Equal(0UL, stream.GetPrecopyInfo().InitialBytes);

        // 20 received packets at most fill descriptors 0-19: ring section 0 only.
        src.Device.SimulateTraffic(seed: 5, packets: 20);
        PrecopyInfo pending = stream.GetPrecopyInfo();
        byte[] second = Migrate.Drain(stream, stopAtNothingNow: true);

        Assert.InRange(pending.DirtyBytes, (ulong)ChunkBytes, (ulong)(2 * ChunkBytes));
        Assert.InRange(second.Length, ChunkBytes, 2 * ChunkBytes);
        Assert.Equal(second.Length, src.Device.ResentBytes);
    }

    [Fact]
    public void PreCopy_NoTraffic_NothingIsResent()
    {
        using var src = new NicHost(NicImplementations.Current, "nic-src", "version=1");
        using MigrationDataStream stream = src.Driver.TransitionTo(MigrationState.PreCopy)!;
        Migrate.Drain(stream, stopAtNothingNow: true);

        Assert.Equal(0UL, stream.GetPrecopyInfo().DirtyBytes);
        Assert.Empty(Migrate.Drain(stream, stopAtNothingNow: true));
        Assert.Equal(0, src.Device.ResentBytes);
    }

    [Theory]
    [InlineData(MigrationState.Stop)]
    [InlineData(MigrationState.StopCopy)]
    public void Traffic_WhileStopped_IsRefused(MigrationState stopped)
    {
        using var nic = new NicHost(NicImplementations.Current, "nic", "version=3");
        nic.Driver.TransitionTo(stopped)?.Dispose();
        IReadOnlyDictionary<string, string> before = nic.Device.DescribeState();

        Assert.Throws<InvalidOperationException>(() => nic.Device.SimulateTraffic(seed: 1, packets: 1));
        Assert.Equal(before, nic.Device.DescribeState());
    }

    [Theory]
    [InlineData("version=1", false, false)]
    [InlineData("version=2", true, false)]
    [InlineData("version=3", true, true)]
    [InlineData("rss=on", false, true)]
    public void State_HoldsExactlyTheFeaturesTheConfigurationTurnsOn(string configuration, bool filter, bool rss)
    {
        using var nic = new NicHost(NicImplementations.Current, "nic", configuration);

        IReadOnlyDictionary<string, string> state = nic.Device.DescribeState();

        Assert.Equal(filter, state.ContainsKey("rx-filter/entries"));
        Assert.Equal(rss, state.ContainsKey("rss/key"));
        Assert.Equal(rss, nic.Device.ExportSchema().ToJson().Contains("\"rss/key\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Traffic_FillsTheFilterTableUpToItsConfiguredSize()
    {
        using var nic = new NicHost(NicImplementations.Current, "nic", "rx-filter-size=3");

        nic.Device.SimulateTraffic(seed: 9, packets: 2000);

        Assert.Equal(3 * 6 * 2, nic.Device.DescribeState()["rx-filter/entries"].Length);
    }

    [Fact]
    public void Reset_ReturnsToThePowerOnState()
    {
        using var nic = new NicHost(NicImplementations.Current, "nic", "version=3");
        IReadOnlyDictionary<string, string> powerOn = nic.Device.DescribeState();
        nic.Device.SetMtu(9000);
        nic.Device.SimulateTraffic(seed: 3, packets: 100);
        Assert.NotEqual(powerOn, nic.Device.DescribeState());

        nic.Vfio.Reset();

        Assert.Equal(powerOn, nic.Device.DescribeState());
    }

    [Fact]
    public void SameSeeds_SameState_DifferentNames_DifferentMac()
    {
        using var a = new NicHost(NicImplementations.Current, "nic-a", "version=3");
        using var b = new NicHost(NicImplementations.Current, "nic-b", "version=3");

        Assert.NotEqual(a.Device.DescribeState()["mac"], b.Device.DescribeState()["mac"]);
        Assert.Equal(0x02, Convert.FromHexString(a.Device.DescribeState()["mac"])[0]);
    }

    [Fact]
    public void CurrentBuild_RejectsAConfigurationOfTheOldDescription()
    {
        var old = Vfio.DeviceModels.DeviceConfiguration.Parse(NicModel.Old, "version=2");

        Assert.Throws<ArgumentException>(() => new NicDevice("nic", old, NicBuild.Current));
    }
}
