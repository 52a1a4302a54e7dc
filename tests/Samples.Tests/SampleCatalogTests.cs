using Vfio.DeviceModels;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Errors;
using Vfio.Migration;
using Vfio.Samples;
using Vfio.Sdk;

namespace Vfio.Tests.Samples;

public sealed class SampleCatalogTests
{
    [Fact]
    public void Create_ListsEverySample()
    {
        Assert.Equal(
            ["vendor-a.com/my-nic@3", "vendor-a.com/my-nic@2", "kernel.org/samples/mtty-sdk@mtty-sdk-1", "kernel.org/samples/mtty-sdk@mtty-sdk-2"],
            SampleCatalog.Create().All.Select(i => i.Id));
    }

    [Fact]
    public void Create_ReturnsAFreshCatalogEachTime()
    {
        DeviceImplementationCatalog a = SampleCatalog.Create();
        a.Add(new DeviceImplementation("extra@1", Vfio.Samples.Nic.NicModel.Current, (n, c) => throw new NotSupportedException()));

        Assert.False(SampleCatalog.Create().TryGet("extra@1", out _));
    }

    public static TheoryData<string> Ids() => new(SampleCatalog.Create().All.Select(i => i.Id));

    [Theory]
    [MemberData(nameof(Ids))]
    public void EveryImplementation_CreatesARunningDevice_ThatSavesAndLoadsItsInitConfiguration(string id)
    {
        DeviceImplementation impl = SampleCatalog.Create().Get(id);
        DeviceConfiguration init = DeviceConfiguration.FromInit(impl.Model);
        using var srcBackend = (IDisposable)impl.Create("a", init);
        using var dstBackend = (IDisposable)impl.Create("b", init);
        using var src = new EmulatedVfioDevice("a", (IMigrationBackend)srcBackend, impl.Protocol, impl.Features);
        using var dst = new EmulatedVfioDevice("b", (IMigrationBackend)dstBackend, impl.Protocol, impl.Features);
        MigrationDriver source = MigrationDriver.Open(src);
        MigrationDriver destination = MigrationDriver.Open(dst);

        Migrate.Load(destination, Migrate.Save(source, preCopy: false));

        Assert.Equal(MigrationState.Running, destination.GetState());
        Assert.Equal(impl.Protocol, source.Protocol);
    }

    [Fact]
    public void Get_UnknownId_IsModelUnknown()
    {
        DeviceModelException ex = Assert.Throws<DeviceModelException>(() => SampleCatalog.Create().Get("vendor-a.com/my-nic@9"));

        Assert.Equal(ErrorCode.ModelUnknown, ex.Code);
    }
}
