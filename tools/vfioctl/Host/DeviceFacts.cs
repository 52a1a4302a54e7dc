using Vfio.Errors;
using Vfio.Manager.Devices;
using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;
using Vfio.Devices;
using Vfio.Migration;

namespace Vfio.Ctl.Host;

/// <summary>
/// What <c>describe --json</c> writes and <c>check</c> shows about a device: its document from sysfs and the type's
/// manifest (no open), and, only when the device may be opened, its migration protocol, features and stop-copy
/// estimate. A device that cannot be opened (a VMM holds it, the kernel refuses) still gets its document, with the
/// reason in <see cref="DeviceDocument.StopCopyUnknown"/>.
/// </summary>
internal static class DeviceFacts
{
    /// <summary>The device's document; <paramref name="open"/> says whether opening it to read the migration facts is allowed.</summary>
    public static DeviceDocument Describe(MdevHost host, IDeviceOpener opener, MdevUuid uuid, bool open)
    {
        MdevDevice device = host.GetDevice(uuid);
        DeviceConfiguration configuration = host.ReadConfiguration(uuid);
        DeviceDocument document = DeviceDocument.From(configuration, uuid.ToString(), device.Type.ToString()) with
        {
            Parent = device.Parent.ToString(),
            Parameters = configuration.Model.Parameters.ToDictionary(p => p.Name, p => configuration[p.Name], StringComparer.Ordinal),
        };
        if (!open)
        {
            return document with { StopCopyUnknown = "the device was not opened (nothing has opened it yet; 'describe --open' reads it)" };
        }
        try
        {
            using IVfioDevice vfio = opener.Open(uuid);
            MigrationDriver driver = MigrationDriver.Open(vfio);
            (ulong? bytes, string? why) = Estimate(driver);
            return document with
            {
                Protocol = driver.Protocol == MigrationProtocolKind.V1Region ? "v1" : "v2",
                Features = Features(driver.Protocol, driver.Features),
                StopCopyBytes = bytes,
                StopCopyUnknown = why,
            };
        }
        catch (VfioException e)
        {
            return document with { StopCopyUnknown = $"the device could not be opened ({ErrorCatalogue.Id(e.Code)} {ErrorCatalogue.Name(e.Code)}: {e.Message})" };
        }
    }

    /// <summary>True when describing may open the device: on the kernel always; on an emulated host once something opened it
    /// (the first open freezes its parameters) or when asked to.</summary>
    public static bool MayOpen(MdevHost host, MdevUuid uuid, bool open) => open || host.Sysfs is not EmulatedSysfs emulated || emulated.IsOpened(uuid);

    /// <summary>The device's stop-copy estimate (v2 MIG_DATA_SIZE, v1 pending_bytes), or why there is none.</summary>
    public static (ulong? Bytes, string? Why) Estimate(MigrationDriver driver)
    {
        try
        {
            return (driver.GetStopCopySizeEstimate(), null);
        }
        catch (VfioException e)
        {
            return (null, e.Code == ErrorCode.FeatureUnsupported && driver.Protocol == MigrationProtocolKind.V1Region
                ? "v1 protocol: pending_bytes exists only while saving"
                : $"{ErrorCatalogue.Id(e.Code)} {ErrorCatalogue.Name(e.Code)}: {e.Message}");
        }
    }

    /// <summary>One line: "N bytes (source)" or "unknown (reason)".</summary>
    public static string EstimateText(DeviceDocument document) => document.StopCopyBytes is ulong bytes
        ? $"{bytes} bytes ({(document.Protocol == "v1" ? "pending_bytes" : "MIG_DATA_SIZE")} estimate)"
        : $"unknown ({document.StopCopyUnknown ?? "not in the document"})";

    public static IReadOnlyList<string> Features(MigrationProtocolKind kind, MigrationFeatures features)
    {
        var names = new List<string>();
        if (kind == MigrationProtocolKind.V1Region)
        {
            return names;
        }
        if (features.HasFlag(MigrationFeatures.StopCopy)) { names.Add("STOP_COPY"); }
        if (features.HasFlag(MigrationFeatures.P2P)) { names.Add("P2P"); }
        if (features.HasFlag(MigrationFeatures.PreCopy)) { names.Add("PRE_COPY"); }
        return names;
    }
}
