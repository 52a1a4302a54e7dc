using Vfio.Devices;

namespace Vfio.Migration;

/// <summary>The v2 protocol: each arc is one SET of <c>VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE</c>.</summary>
internal sealed class V2FeatureProtocol(IVfioDevice device, MigrationFeatures features) : IMigrationProtocol
{
    public MigrationProtocolKind Kind => MigrationProtocolKind.V2Feature;

    public MigrationFeatures Features { get; } = features;

    public MigrationState GetState() => device.GetMigrationState();

    // vfio.h: PRE_COPY(_P2P) -> STOP_COPY keeps the session's fd, so that arc returns no new stream.
    public MigrationDataStream? Step(MigrationState from, MigrationState next) => device.SetMigrationState(next);

    public ulong GetStopCopySize() => device.GetMigrationDataSize();
}
