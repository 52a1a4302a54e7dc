using System.Globalization;
using Vfio.Devices;
using Vfio.Kernel;

namespace Vfio.Errors;

/// <summary>
/// Every plain <see cref="VfioException"/> the bindings, the driver and the conformance kit raise (catalogue range 1xxx
/// and the migration codes they meet), one factory per situation: each fact (device, parameter, value, expectation) is
/// passed once and lands both in the message and on its property. <see cref="VfioErrnoException"/> and
/// <see cref="VfioFileException"/> build their own messages from their facts, and <see cref="Migration.MigrationStateException"/>'s
/// factories live with it. Sites throw what a factory returns; RepositoryTests keep it that way.
/// </summary>
internal static class InteropErrors
{
    // ---- container, group, regions ----

    /// <summary>api-version-unsupported: the container speaks another VFIO API version.</summary>
    internal static VfioException ApiVersionUnsupported(string path, int version) =>
        new(ErrorCode.ApiVersionUnsupported,
            string.Create(CultureInfo.InvariantCulture, $"{path} reports VFIO API version {version}, this library speaks version {Interop.Vfio.VFIO_API_VERSION}"))
        {
            Value = version.ToString(CultureInfo.InvariantCulture),
            Expected = Interop.Vfio.VFIO_API_VERSION.ToString(CultureInfo.InvariantCulture),
        };

    /// <summary>extension-unsupported: the container lacks an IOMMU type.</summary>
    internal static VfioException IommuTypeUnsupported(string path, VfioExtension type) =>
        new(ErrorCode.ExtensionUnsupported, $"{path} does not support IOMMU type {type}")
        {
            Value = type.ToString(),
        };

    /// <summary>group-not-viable: a device of the group is not bound to a VFIO driver.</summary>
    internal static VfioException GroupNotViable(int number, string path, VfioGroupFlags flags) =>
        new(ErrorCode.GroupNotViable,
            $"IOMMU group {number} ({path}) is not viable: bind every device in /sys/kernel/iommu_groups/{number.ToString(CultureInfo.InvariantCulture)}/devices to a VFIO driver")
        {
            Value = flags.ToString(),
            Expected = nameof(VfioGroupFlags.Viable),
        };

    /// <summary>region-access-invalid: a read or write that leaves its region.</summary>
    internal static VfioException AccessOutsideRegion(string device, string access, int length, ulong offset, uint index, ulong regionSize) =>
        new(ErrorCode.RegionAccessInvalid,
            string.Create(CultureInfo.InvariantCulture, $"{device}: {access} of {length} bytes at 0x{offset:x} leaves region {index} of 0x{regionSize:x} bytes"))
        {
            Device = device,
            Parameter = "offset",
            Value = offset.ToString(CultureInfo.InvariantCulture),
            Expected = string.Create(CultureInfo.InvariantCulture, $"offset + length <= {regionSize}"),
        };

    /// <summary>region-access-invalid: a VFIO_DEVICE_GET_REGION_INFO request whose argsz is outside the struct and the buffer.</summary>
    internal static VfioException RegionInfoArgszInvalid(uint index, uint argsz, int min, int max) =>
        new(ErrorCode.RegionAccessInvalid, $"VFIO_DEVICE_GET_REGION_INFO for region {index}: argsz {argsz} is outside {min}..{max}")
        {
            Parameter = "argsz",
            Value = argsz.ToString(CultureInfo.InvariantCulture),
        };

    /// <summary>capability-chain-malformed: a region's chain breaks a rule; <paramref name="detail"/> says which.</summary>
    internal static VfioException ChainMalformed(string? device, uint offset, string detail) =>
        new(ErrorCode.CapabilityChainMalformed, (device is null ? "" : device + ": ") + "region capability chain is malformed: " + detail)
        {
            Device = device,
            Parameter = "cap_offset",
            Value = offset.ToString(CultureInfo.InvariantCulture),
        };

    /// <summary>capability-chain-malformed: the kernel keeps asking for a larger argsz.</summary>
    internal static VfioException ArgszUnstable(string device, uint index, uint argsz, int attempts, uint max) =>
        new(ErrorCode.CapabilityChainMalformed,
            string.Create(CultureInfo.InvariantCulture, $"{device}: region {index} still asks for argsz {argsz} after {attempts} VFIO_DEVICE_GET_REGION_INFO calls"))
        {
            Device = device,
            Parameter = "argsz",
            Value = argsz.ToString(CultureInfo.InvariantCulture),
            Expected = string.Create(CultureInfo.InvariantCulture, $"a stable size up to {max}"),
        };

    /// <summary>capability-chain-malformed: cap_offset points into struct vfio_region_info itself.</summary>
    internal static VfioException CapOffsetInsideStruct(string device, uint index, uint capOffset, int structSize) =>
        new(ErrorCode.CapabilityChainMalformed,
            string.Create(CultureInfo.InvariantCulture, $"{device}: region {index} cap_offset {capOffset} points into struct vfio_region_info itself"))
        {
            Device = device,
            Parameter = "cap_offset",
            Value = capOffset.ToString(CultureInfo.InvariantCulture),
            Expected = string.Create(CultureInfo.InvariantCulture, $">= {structSize}"),
        };

    // ---- v2 features ----

    /// <summary>feature-unsupported: the device has no VFIO_DEVICE_FEATURE_MIG_DATA_SIZE.</summary>
    internal static VfioException MigDataSizeUnsupported(string device, VfioErrnoException cause) =>
        new(ErrorCode.FeatureUnsupported, $"{device} does not support VFIO_DEVICE_FEATURE_MIG_DATA_SIZE ({cause.ErrnoName})", cause)
        {
            Device = device,
            Parameter = "VFIO_DEVICE_FEATURE_MIG_DATA_SIZE",
        };

    /// <summary>feature-unsupported: VFIO_MIG_GET_PRECOPY_INFO is not available on a data_fd.</summary>
    internal static VfioException PrecopyInfoUnavailable(string device, string description, VfioErrnoException cause) =>
        new(ErrorCode.FeatureUnsupported, $"{device}: VFIO_MIG_GET_PRECOPY_INFO is not available on {description} ({cause.ErrnoName})", cause)
        {
            Device = device,
            Parameter = "VFIO_MIG_GET_PRECOPY_INFO",
        };

    // ---- the migration driver and the v1 protocol ----

    /// <summary>migration-unsupported: the device speaks neither v2 nor v1.</summary>
    internal static VfioException NoMigrationProtocol(string device, MigrationFeatures features) =>
        new(ErrorCode.MigrationUnsupported,
            $"{device}: the device supports no migration protocol: VFIO_DEVICE_FEATURE_MIGRATION reports {features} " +
            "and no region has the v1 migration type (3/1); expected VFIO_MIGRATION_STOP_COPY or a v1 migration region")
        {
            Device = device,
            Value = features.ToString(),
            Expected = "StopCopy, or a region of type 3 subtype 1",
        };

    /// <summary>An error that names no device (an arc plan), restated for the device; its code and facts are kept.</summary>
    internal static VfioException ForDevice(string device, VfioException e) =>
        new(e.Code, $"{device}: {e.Message}", e)
        {
            Device = device,
            Value = e.Value,
            Expected = e.Expected,
        };

    /// <summary>device-in-error-state: VFIO_DEVICE_RESET did not bring the device out of ERROR.</summary>
    internal static VfioException StillInErrorAfterReset(string device) =>
        new(ErrorCode.DeviceInErrorState, $"{device}: still in ERROR after VFIO_DEVICE_RESET") { Device = device };

    /// <summary>device-refused-state: STOP -> RESUMING opened no data_fd.</summary>
    internal static VfioException NoResumingDataFd(string device) =>
        new(ErrorCode.DeviceRefusedState, $"{device}: STOP -> RESUMING returned no data_fd") { Device = device };

    /// <summary>v1-state-invalid: a migration state the v1 protocol has no device_state for.</summary>
    internal static VfioException NoV1State(string device, MigrationState state) =>
        new(ErrorCode.V1StateInvalid,
            $"{device}: the v1 migration region has no device_state for {state}; expected RUNNING, PRE_COPY, STOP_COPY, RESUMING or STOP")
        {
            Device = device,
            Value = state.ToString(),
            Expected = "Running, PreCopy, StopCopy, Resuming or Stop",
        };

    /// <summary>v1-state-invalid: a device_state value outside the documented combinations.</summary>
    internal static VfioException V1StateInvalid(V1DeviceState bits, string device) =>
        new(ErrorCode.V1StateInvalid,
            $"{device}: v1 device_state 0x{(uint)bits:X} ({bits}) is not a valid combination; expected 0, RUNNING, " +
            "SAVING|RUNNING, SAVING or RESUMING (VFIO_DEVICE_STATE_VALID)")
        {
            Device = device,
            Value = $"0x{(uint)bits:X}",
            Expected = "0, RUNNING, SAVING|RUNNING, SAVING or RESUMING",
        };

    /// <summary>region-access-invalid: a v1 migration region smaller than its header.</summary>
    internal static VfioException V1RegionTooSmall(string device, VfioRegionInfo region, int headerSize) =>
        new(ErrorCode.RegionAccessInvalid,
            $"{device}: migration region {region.Index} is {region.Size} bytes; expected at least the {headerSize}-byte vfio_device_migration_info")
        {
            Device = device,
            Value = region.Size.ToString(CultureInfo.InvariantCulture),
            Expected = $">= {headerSize}",
        };

    /// <summary>region-access-invalid: a window that lies outside the v1 migration region.</summary>
    internal static VfioException V1WindowOutside(string device, VfioRegionInfo region, ulong offset, ulong length) =>
        new(ErrorCode.RegionAccessInvalid,
            $"{device}: {length} bytes at offset {offset} lie outside migration region {region.Index} of {region.Size} bytes")
        {
            Device = device,
            Value = $"offset {offset} length {length}",
            Expected = $"within {region.Size} bytes",
        };

    /// <summary>region-access-invalid: a read or write of the v1 migration region moved fewer bytes than asked.</summary>
    internal static VfioException V1ShortAccess(string device, VfioRegionInfo region, string op, ulong offset, int wanted, int got) =>
        new(ErrorCode.RegionAccessInvalid,
            $"{device}: {op} of {wanted} bytes at offset {offset} of migration region {region.Index} moved {got} bytes")
        {
            Device = device,
            Value = got.ToString(CultureInfo.InvariantCulture),
            Expected = wanted.ToString(CultureInfo.InvariantCulture),
        };

    /// <summary>region-access-invalid: a v1 data_offset outside the region's data section.</summary>
    internal static VfioException V1DataOffsetOutside(string device, ulong dataOffset, ulong regionSize, int headerSize) =>
        new(ErrorCode.RegionAccessInvalid,
            $"{device}: data_offset {dataOffset} is outside the data section of a {regionSize}-byte migration region")
        {
            Device = device,
            Value = dataOffset.ToString(CultureInfo.InvariantCulture),
            Expected = $"{headerSize} to {regionSize - 1}",
        };

    /// <summary>feature-unsupported: a v1 device reports pending_bytes only while saving.</summary>
    internal static VfioException V1PendingBytesOutsideSaving(string device, MigrationState state) =>
        new(ErrorCode.FeatureUnsupported,
            $"{device}: a v1 device reports pending_bytes only while saving; it is in {state}, expected PreCopy or StopCopy")
        {
            Device = device,
            Value = state.ToString(),
            Expected = "PreCopy or StopCopy",
        };

    /// <summary>feature-unsupported: pre-copy information asked for outside PreCopy.</summary>
    internal static VfioException PreCopyInfoOutsidePreCopy(string device, MigrationState state) =>
        new(ErrorCode.FeatureUnsupported, $"{device}: pre-copy information exists only in PreCopy; the device is in {state}")
        {
            Device = device,
            Value = state.ToString(),
            Expected = "PreCopy",
        };

    // ---- the conformance kit ----

    /// <summary>device-state-conflict: the conformance kit starts from RUNNING; <paramref name="stateName"/> is the state's C name.</summary>
    internal static VfioException ConformanceNeedsRunning(string device, MigrationState start, string stateName) =>
        new(ErrorCode.DeviceStateConflict,
            $"{device} is in {stateName}; the conformance kit starts from RUNNING so that it can " +
            "save the device's state first and load it back at the end: resume or reset the device, then run it again")
        {
            Device = device,
            Value = start.ToString(),
            Expected = "Running",
        };
}
