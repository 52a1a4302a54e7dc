using Vfio.Devices;
using Vfio.Errors;

namespace Vfio.Migration;

/// <summary>
/// The mapping between the v1 region's <c>device_state</c> bits and the v2 states the driver plans with.
/// </summary>
/// <remarks>
/// Linux 5.8 vfio.h: <c>VFIO_DEVICE_STATE_VALID(state)</c> allows RESUMING only on its own;
/// <c>VFIO_DEVICE_STATE_SET_ERROR</c> marks a failed device with SAVING|RESUMING, which user space must never write.
/// </remarks>
internal static class V1States
{
    /// <summary>SAVING|RESUMING: what a v1 vendor driver reports after a failed transition.</summary>
    public const V1DeviceState ErrorBits = V1DeviceState.Saving | V1DeviceState.Resuming;

    /// <summary>Whether user space may write these bits (<c>VFIO_DEVICE_STATE_VALID</c>).</summary>
    public static bool IsValid(V1DeviceState bits) =>
        ((uint)bits & ~V1RegionLayout.StateMask) == 0
        && (!bits.HasFlag(V1DeviceState.Resuming) || bits == V1DeviceState.Resuming);

    /// <summary>The v1 bits for a v2 state; only the five states v1 can express have bits.</summary>
    public static V1DeviceState ToBits(MigrationState state, string device) => state switch
    {
        MigrationState.Running => V1DeviceState.Running,
        MigrationState.PreCopy => V1DeviceState.Saving | V1DeviceState.Running,
        MigrationState.StopCopy => V1DeviceState.Saving,
        MigrationState.Resuming => V1DeviceState.Resuming,
        MigrationState.Stop => V1DeviceState.Stop,
        _ => throw InteropErrors.NoV1State(device, state),
    };

    /// <summary>The v2 state for v1 bits read from a device; SAVING|RESUMING reads as ERROR.</summary>
    public static MigrationState FromBits(V1DeviceState bits, string device)
    {
        V1DeviceState masked = (V1DeviceState)((uint)bits & V1RegionLayout.StateMask);
        return masked switch
        {
            V1DeviceState.Running => MigrationState.Running,
            V1DeviceState.Saving | V1DeviceState.Running => MigrationState.PreCopy,
            V1DeviceState.Saving => MigrationState.StopCopy,
            V1DeviceState.Resuming => MigrationState.Resuming,
            V1DeviceState.Stop => MigrationState.Stop,
            ErrorBits => MigrationState.Error,
            _ => throw Invalid(masked, device),
        };
    }

    /// <summary>The exception for a <c>device_state</c> value outside the documented combinations.</summary>
    public static VfioException Invalid(V1DeviceState bits, string device) => InteropErrors.V1StateInvalid(bits, device);

}
