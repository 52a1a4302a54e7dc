using System.Reflection;
using Vfio.DeviceModels;
using Vfio.Devices;
using Vfio.Errors;
using Vfio.Migration;
using Vfio.Sdk;
using Vfio.Tests.Support;

namespace Vfio.Tests.DeviceModels.Sdk;

/// <summary>
/// The vendor SDK stands alone (docs/sdk.md): it reaches the contracts and the model code, never the emulator, and a
/// vendor's device class shows the contract only through the interface.
/// </summary>
public sealed class SdkSurfaceTests
{
    [Theory]
    [InlineData(typeof(MigratableDevice))]
    [InlineData(typeof(DeviceConfiguration))]
    public void TheSdkAndTheModelCode_DoNotReferenceTheEmulatorsAssembly(Type fromAssembly)
    {
        string[] references = [.. fromAssembly.Assembly.GetReferencedAssemblies().Select(a => a.Name!)];

        Assert.Contains("Vfio.Contracts", references);
        Assert.DoesNotContain("Vfio.Interop", references);
    }

    [Fact]
    public void TheContract_LivesInTheContractsAssembly()
    {
        Assert.Equal("Vfio.Contracts", typeof(IMigrationBackend).Assembly.GetName().Name);
        Assert.Equal("Vfio.Contracts", typeof(MigrationProtocolKind).Assembly.GetName().Name);
        Assert.Equal("Vfio.Contracts", typeof(VfioException).Assembly.GetName().Name);
        Assert.True(typeof(IPersistentMigrationBackend).IsAssignableFrom(typeof(MigratableDevice)));
    }

    [Fact]
    public void AVendorsClass_ShowsNoContractMember()
    {
        string[] contract = [.. typeof(IPersistentMigrationBackend).GetInterfaces().Append(typeof(IPersistentMigrationBackend))
            .SelectMany(i => i.GetMembers()).Select(m => m.Name)];
        string[] shown = [.. typeof(TestNic).GetMembers(BindingFlags.Public | BindingFlags.Instance).Select(m => m.Name)];

        Assert.Contains("Step", contract);
        Assert.Contains("ExportState", contract);
        Assert.Empty(shown.Intersect(contract));
        Assert.Contains("MarkDirty", typeof(MigratableDevice).GetMembers(BindingFlags.NonPublic | BindingFlags.Instance).Select(m => m.Name));
    }

    [Fact]
    public void ABuild_StatesItsProtocol_V2ByDefault()
    {
        var v2 = new DeviceImplementation("a@1", TestNicModels.NicV3, Create);
        var v1 = new DeviceImplementation("a@2", TestNicModels.NicV3, Create, MigrationProtocolKind.V1Region);
        var flags = new DeviceImplementation("a@3", TestNicModels.NicV3, Create, features: MigrationFeatures.StopCopy | MigrationFeatures.P2P);

        Assert.Equal((MigrationProtocolKind.V2Feature, (MigrationFeatures?)null), (v2.Protocol, v2.Features));
        Assert.Equal((MigrationProtocolKind.V1Region, (MigrationFeatures?)null), (v1.Protocol, v1.Features));
        Assert.Equal(MigrationFeatures.StopCopy | MigrationFeatures.P2P, flags.Features);
    }

    [Theory]
    [InlineData(MigrationProtocolKind.V1Region, MigrationFeatures.StopCopy)]
    [InlineData(MigrationProtocolKind.V2Feature, MigrationFeatures.PreCopy)]
    [InlineData((MigrationProtocolKind)7, null)]
    public void ABuild_RefusesFlagsItsProtocolCannotReport(MigrationProtocolKind protocol, MigrationFeatures? features)
    {
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(() => new DeviceImplementation("a@1", TestNicModels.NicV3, Create, protocol, features));

        Assert.Contains("a@1", e.Message);
    }

    private static TestNic Create(string name, DeviceConfiguration configuration) =>
        new(name, configuration, MigrationFeatures.StopCopy | MigrationFeatures.P2P | MigrationFeatures.PreCopy);
}
