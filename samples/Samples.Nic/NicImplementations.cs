using Vfio.Migration;
using Vfio.Sdk;

namespace Vfio.Samples.Nic;

/// <summary>
/// The two builds of the sample NIC driver as hosts run them. Both implement model <c>vendor-a.com/my-nic</c>;
/// between them they show migration in both directions and both kernel protocols.
/// </summary>
public static class NicImplementations
{
    /// <summary>
    /// The current build, <c>vendor-a.com/my-nic@3</c>: versions 1-3 (<see cref="NicModel.Current"/>), the v2
    /// <c>VFIO_DEVICE_FEATURE</c> protocol with STOP_COPY, P2P and PRE_COPY (Linux 5.18+).
    /// </summary>
    public static DeviceImplementation Current { get; } = new(
        NicModel.Id + "@3",
        NicModel.Current,
        (name, configuration) => new NicDevice(name, configuration, NicBuild.Current),
        MigrationProtocolKind.V2Feature,
        NicDevice.FeaturesOf(NicBuild.Current));

    /// <summary>
    /// The old build, <c>vendor-a.com/my-nic@2</c>: versions 1-2 (<see cref="NicModel.Old"/>), the v1 migration
    /// region of Linux 5.8-5.17, with pre-copy (<c>_SAVING|_RUNNING</c>).
    /// </summary>
    public static DeviceImplementation Old { get; } = new(
        NicModel.Id + "@2",
        NicModel.Old,
        (name, configuration) => new NicDevice(name, configuration, NicBuild.Old),
        MigrationProtocolKind.V1Region);
}
