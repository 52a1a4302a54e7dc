using System.Globalization;
using Vfio.Devices;
using Vfio.Errors;
using Vfio.Migration;

namespace Vfio.Emulation;

/// <summary>
/// Every <see cref="VfioException"/> (and <see cref="EmulatedCrashException"/>) the emulated device raises, one factory
/// per situation: each fact (device, state, arc, offset, length) is passed once and lands both in the message and on
/// its property. Sites throw what a factory returns; ErrorFactoryTests keep it that way.
/// </summary>
internal static class EmulationErrors
{
    // ---- regions and IRQs ----

    /// <summary>region-not-found: an IRQ index outside vfio-pci's 0-4.</summary>
    internal static VfioException NoSuchIrq(string device, uint index) =>
        new(ErrorCode.RegionNotFound, $"{device}: no IRQ index {index}; expected 0-4")
        {
            Device = device,
            Value = index.ToString(CultureInfo.InvariantCulture),
            Expected = "0-4",
        };

    /// <summary>region-not-found: a region index the device does not have; <paramref name="regionCount"/> is null before the regions exist.</summary>
    internal static VfioException NoSuchRegion(string device, uint index, int? regionCount) =>
        new(ErrorCode.RegionNotFound, $"{device}: no region {index}; the device has {regionCount ?? 0} regions")
        {
            Device = device,
            Value = index.ToString(CultureInfo.InvariantCulture),
            Expected = $"0-{(regionCount ?? 1) - 1}",
        };

    /// <summary>region-access-invalid: an access that does not lie inside its region.</summary>
    internal static VfioException OutOfRegion(string device, uint index, ulong offset, int length, ulong size) =>
        new(ErrorCode.RegionAccessInvalid, $"{device}: {length} bytes at offset {offset} lie outside region {index} of {size} bytes")
        {
            Device = device,
            Value = $"offset {offset} length {length}",
            Expected = $"within {size} bytes",
        };

    // ---- state arcs ----

    /// <summary>device-in-error-state: an arc asked of a device in ERROR.</summary>
    internal static VfioException InErrorState(string device, MigrationState target) =>
        new(ErrorCode.DeviceInErrorState, $"{device}: the device is in ERROR; only VFIO_DEVICE_RESET leaves it (asked for {target})")
        {
            Device = device,
            Value = target.ToString(),
            Expected = "a reset first",
        };

    /// <summary>illegal-state-arc: a target state the device's features do not include (the kernel answers EINVAL).</summary>
    internal static VfioException StateUnsupported(string device, MigrationState target, MigrationFeatures features) =>
        new(ErrorCode.IllegalStateArc, $"{device}: the device does not support {target} (features {features}); the kernel answers EINVAL")
        {
            Device = device,
            Value = target.ToString(),
            Expected = $"a state supported by {features}",
        };

    /// <summary>device-refused-state: a combination arc refused (emulated driver bug RefusesCombinationArcs).</summary>
    internal static VfioException CombinationArcRefused(string device, MigrationState at, MigrationState target) =>
        new(ErrorCode.DeviceRefusedState, $"{device}: {at} -> {target} is not a direct arc (emulated driver bug)")
        {
            Device = device,
            Value = $"{at} -> {target}",
        };

    /// <summary>The planner's illegal- or unsafe-state-arc refusal, told for this device; the planner's exception is the inner one.</summary>
    internal static VfioException PlanRefused(string device, VfioException ex) =>
        new(ex.Code, $"{device}: {ex.Message}", ex)
        {
            Device = device,
            Value = ex.Value,
            Expected = ex.Expected,
        };

    /// <summary>device-refused-state: an arc refused by an emulated fault.</summary>
    internal static VfioException ArcRefused(string device, StateArc arc) =>
        new(ErrorCode.DeviceRefusedState, $"{device}: the device refused the arc {arc} (emulated fault)")
        {
            Device = device,
            Value = arc.ToString(),
        };

    /// <summary>device-in-error-state: an arc failed by an emulated fault, leaving the device in ERROR.</summary>
    internal static VfioException ArcFailed(string device, StateArc arc) =>
        new(ErrorCode.DeviceInErrorState, $"{device}: the arc {arc} failed and the device went to ERROR (emulated fault)")
        {
            Device = device,
            Value = arc.ToString(),
        };

    // ---- features and data sessions ----

    /// <summary>feature-unsupported: a v2 feature asked of a device speaking the v1 migration region.</summary>
    internal static VfioException V2FeatureOnV1(string device, string feature) =>
        new(ErrorCode.FeatureUnsupported, $"{device}: {feature} is not supported by this device (it speaks the v1 migration region); expected a v2 device")
        {
            Device = device,
            Value = feature,
            Expected = "a device reporting VFIO_MIGRATION_STOP_COPY",
        };

    /// <summary>feature-unsupported: VFIO_MIG_GET_PRECOPY_INFO outside the PRE_COPY states (EINVAL).</summary>
    internal static VfioException PrecopyInfoOutsidePreCopy(string device, MigrationState state) =>
        new(ErrorCode.FeatureUnsupported, $"{device}: VFIO_MIG_GET_PRECOPY_INFO is valid only in PRE_COPY states; the device is in {state} (EINVAL)")
        {
            Device = device,
            Value = state.ToString(),
            Expected = "PreCopy or PreCopyP2P",
        };

    /// <summary>kernel-call-failed: a write to the data session cut by an emulated fault (EIO).</summary>
    internal static VfioException DataWriteCut(string device, long sessionBytes) =>
        new(ErrorCode.KernelCallFailed, $"{device}: write to the migration data session failed after {sessionBytes} bytes: EIO (emulated cut stream)")
        {
            Device = device,
            Value = sessionBytes.ToString(CultureInfo.InvariantCulture),
        };

    /// <summary>kernel-call-failed: <paramref name="operation"/> on a data session that has ended (ENODEV).</summary>
    internal static VfioException SessionEnded(string device, string operation) =>
        new(ErrorCode.KernelCallFailed, $"{device}: {operation} on a migration data session that has ended (the device left the state that opened it): ENODEV")
        {
            Device = device,
            Value = operation,
            Expected = "an open data session",
        };

    /// <summary>An emulated crash (not a <see cref="VfioException"/>) after <paramref name="sessionBytes"/> bytes of <paramref name="direction"/> data ("saved" or "loaded").</summary>
    internal static EmulatedCrashException Crash(string device, long sessionBytes, string direction) =>
        new($"{device}: emulated crash after {sessionBytes} bytes of {direction} data");

    // ---- the v1 migration region ----

    /// <summary>region-access-invalid: a v1 data_size larger than the data section (EINVAL).</summary>
    internal static VfioException V1DataSizeTooLarge(string device, ulong size, int sectionLength) =>
        new(ErrorCode.RegionAccessInvalid, $"{device}: data_size {size} exceeds the {sectionLength}-byte data section (EINVAL)")
        {
            Device = device,
            Value = size.ToString(CultureInfo.InvariantCulture),
            Expected = $"<= {sectionLength}",
        };

    /// <summary>kernel-call-failed: a v1 region field accessed outside the states that allow it (EINVAL).</summary>
    internal static VfioException V1FieldNotAccessible(string device, string field, MigrationState state, bool saving) =>
        new(ErrorCode.KernelCallFailed,
            $"{device}: {field} of the migration region is not accessible in {state} (EINVAL); expected {(saving ? "a saving state" : "RESUMING")}")
        {
            Device = device,
            Value = state.ToString(),
            Expected = saving ? "PreCopy or StopCopy" : "Resuming",
        };

    /// <summary>region-access-invalid: a v1 region access that does not address one writable field (EINVAL).</summary>
    internal static VfioException V1HeaderAccess(string device, ulong offset, int length, string op) =>
        new(ErrorCode.RegionAccessInvalid,
            $"{device}: {op} of {length} bytes at offset {offset} of the migration region does not address one writable field of " +
            "vfio_device_migration_info (EINVAL); expected device_state (4 bytes at 0) or the read-only u64 fields at 8, 16, 24 (data_size is also written)")
        {
            Device = device,
            Value = $"offset {offset} length {length}",
            Expected = "one whole field",
        };
}
