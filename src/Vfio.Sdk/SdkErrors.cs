using Vfio.DeviceModels;
using Vfio.DeviceModels.State;
using Vfio.Devices;
using Vfio.Errors;

namespace Vfio.Sdk;

/// <summary>
/// Every exception the SDK raises for a vendor's device, one factory per situation: each fact (the device, the state,
/// the arc, the expectation) is passed once and lands both in the message and on its property.
/// </summary>
internal static class SdkErrors
{
    /// <summary>model-unknown: no implementation of that id in this process.</summary>
    internal static DeviceModelException ImplementationUnknown(string id, IEnumerable<string> known) =>
        new(ErrorCode.ModelUnknown, $"no device implementation '{id}' in this process; known: {string.Join(", ", known)}") { Value = id };

    /// <summary>model-mismatch: a configuration of another model given to an implementation.</summary>
    internal static DeviceModelException ConfigurationOfAnotherModel(string device, DeviceModelId given, string implementation, DeviceModelId runs) =>
        new(ErrorCode.ModelMismatch, $"device {device}: configuration is of model {given}, implementation {implementation} runs {runs}")
        {
            Device = device,
            Value = given.ToString(),
            Expected = runs.ToString(),
        };

    /// <summary>device-refused-state: saved state read outside PRE_COPY and STOP_COPY.</summary>
    internal static VfioException NotSaving(string device, MigrationState state) =>
        new(ErrorCode.DeviceRefusedState, $"device {device}: saved state is read in PRE_COPY or STOP_COPY, the device is in {state}")
        { Device = device, Value = state.ToString(), Expected = "PreCopy, PreCopyP2P or StopCopy" };

    /// <summary>device-refused-state: state to load written outside RESUMING.</summary>
    internal static VfioException NotResuming(string device, MigrationState state) =>
        new(ErrorCode.DeviceRefusedState, $"device {device}: state to load is written in RESUMING, the device is in {state}")
        { Device = device, Value = state.ToString(), Expected = "Resuming" };

    /// <summary>device-refused-state: the vendor's hook for an arc threw.</summary>
    internal static VfioException ArcRefused(string device, MigrationState from, MigrationState next, Exception inner) =>
        new(ErrorCode.DeviceRefusedState, $"device {device} refused {from} -> {next}: {inner.Message}", inner)
        { Device = device, Value = $"{from} -> {next}" };

    /// <summary>device-in-error-state: a transition asked of a device in ERROR.</summary>
    internal static VfioException InErrorState(string device, MigrationState next) =>
        new(ErrorCode.DeviceInErrorState, $"device {device} is in ERROR after a failed transition; reset it before asking for {next}")
        { Device = device, Value = next.ToString(), Expected = "a reset first" };

    /// <summary>illegal-state-arc: an arc that is not direct for the device's features.</summary>
    internal static VfioException NotADirectArc(string device, MigrationState from, MigrationState next, MigrationFeatures features) =>
        new(ErrorCode.IllegalStateArc, $"device {device}: {from} -> {next} is not a direct arc for migration features {features}")
        { Device = device, Value = $"{from} -> {next}", Expected = "a direct arc (plan the path with MigrationArcs.NextStep)" };

    /// <summary>device-state-malformed: a section an early-loading device needs never arrived.</summary>
    internal static DeviceStateException SectionMissing(string device, string section) =>
        new(ErrorCode.DeviceStateMalformed, device, section, $"device {device}: required section '{section}' never arrived in the saved state");

    /// <summary>device-state-load-failed: the vendor's load code threw; the field it named, if any, is kept.</summary>
    internal static DeviceStateException LoadFailed(string device, Exception inner) =>
        new(ErrorCode.DeviceStateLoadFailed, device, inner is VfioException { Parameter: { } field } ? field : null,
            $"device {device}: its load code refused the saved state: {inner.Message}", inner);
}
