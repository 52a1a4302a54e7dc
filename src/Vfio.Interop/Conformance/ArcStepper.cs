using Vfio.Devices;
using Vfio.Migration;

namespace Vfio.Conformance;

/// <summary>
/// One direct arc per call, whichever protocol the device speaks: v2 sends one SET of MIG_DEVICE_STATE straight to
/// the device (the device is under test, not the planner); v1 writes one <c>device_state</c> through the
/// <see cref="MigrationDriver"/>, whose data session over the region is the only data path v1 has.
/// </summary>
internal abstract class ArcStepper
{
    public abstract bool IsV2 { get; }

    public abstract MigrationState State();

    public abstract MigrationDataStream? Step(MigrationState next);

    public abstract void Reset();

    public static ArcStepper For(IVfioDevice device, MigrationDriver driver) =>
        driver.Protocol == MigrationProtocolKind.V2Feature ? new V2(device) : new V1(device, driver);

    private sealed class V2(IVfioDevice device) : ArcStepper
    {
        public override bool IsV2 => true;

        public override MigrationState State() => device.GetMigrationState();

        public override MigrationDataStream? Step(MigrationState next) => device.SetMigrationState(next);

        public override void Reset() => device.Reset();
    }

    private sealed class V1(IVfioDevice device, MigrationDriver driver) : ArcStepper
    {
        public override bool IsV2 => false;

        public override MigrationState State() => driver.GetState();

        public override MigrationDataStream? Step(MigrationState next) => driver.TransitionTo(next);

        public override void Reset() => device.Reset();
    }
}
