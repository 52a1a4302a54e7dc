using System.Text.Json;
using Vfio.Errors;
using Vfio.Manager.Errors;
using Vfio.Manager.IO;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Migration;
using DeviceFaults = Vfio.Emulation.EmulatedFaults;

namespace Vfio.Manager.Devices;

/// <summary>
/// The fault injection points of emulated devices, kept per device in <c>faults.json</c> beside its state so that a
/// test or the CLI in one process can arm a fault that fires in the process that next opens the device.
/// </summary>
/// <remarks>Faults stay armed until cleared, like <see cref="DeviceFaults"/>; every open of the device applies them.</remarks>
public sealed class EmulatedDeviceFaults
{
    private readonly EmulatedDeviceFiles _files;

    /// <summary>Creates the store over an emulated host.</summary>
    /// <param name="layout">The emulated host's paths.</param>
    public EmulatedDeviceFaults(SysfsLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        _files = new EmulatedDeviceFiles(layout);
    }

    /// <summary>Arms faults on a device (replacing any armed before).</summary>
    /// <param name="device">The device; it must exist.</param>
    /// <param name="faults">The faults.</param>
    /// <exception cref="VfioException"><see cref="ErrorCode.DeviceNotFound"/>.</exception>
    public void Set(MdevUuid device, DeviceFaults faults)
    {
        ArgumentNullException.ThrowIfNull(faults);
        if (!Directory.Exists(_files.Layout.Device(device).FullPath))
        {
            throw _files.NotFound(device);
        }
        var document = new EmulatedFaultsDocument
        {
            RefuseArc = faults.RefuseArc?.ToString(),
            ErrorOnArc = faults.ErrorOnArc?.ToString(),
            CutStreamAfterBytes = faults.CutStreamAfterBytes,
            CorruptSavedByteAt = faults.CorruptSavedByteAt,
            CrashAfterBytes = faults.CrashAfterBytes,
            DriverBugs = faults.DriverBugs == EmulatedDriverBugs.None ? null : [.. EmulatedDriverBugNames.Names(faults.DriverBugs)],
        };
        PrivateFiles.CreateDirectory(_files.Directory(device));
        PrivateFiles.Write(_files.Faults(device), JsonSerializer.Serialize(document, EmulatedFaultsJsonContext.Default.EmulatedFaultsDocument));
    }

    /// <summary>Disarms every fault of a device.</summary>
    /// <param name="device">The device.</param>
    public void Clear(MdevUuid device) => File.Delete(_files.Faults(device));

    /// <summary>The faults armed on a device; empty when none.</summary>
    /// <param name="device">The device.</param>
    /// <returns>A new <see cref="DeviceFaults"/>.</returns>
    /// <exception cref="VfioException"><see cref="ErrorCode.DocumentInvalid"/> when <c>faults.json</c> does not parse.</exception>
    public DeviceFaults Get(MdevUuid device)
    {
        string path = _files.Faults(device);
        var faults = new DeviceFaults();
        if (!File.Exists(path))
        {
            return faults;
        }
        EmulatedFaultsDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(File.ReadAllText(path), EmulatedFaultsJsonContext.Default.EmulatedFaultsDocument);
        }
        catch (JsonException e)
        {
            throw Invalid(path, e.Message, e);
        }
        if (document is null)
        {
            return faults;
        }
        faults.RefuseArc = ParseArc(path, document.RefuseArc);
        faults.ErrorOnArc = ParseArc(path, document.ErrorOnArc);
        faults.CutStreamAfterBytes = document.CutStreamAfterBytes;
        faults.CorruptSavedByteAt = document.CorruptSavedByteAt;
        faults.CrashAfterBytes = document.CrashAfterBytes;
        faults.DriverBugs = ParseBugs(path, document.DriverBugs);
        return faults;
    }

    private static StateArc? ParseArc(string path, string? text)
    {
        if (text is null)
        {
            return null;
        }
        string[] parts = text.Split("->", StringSplitOptions.TrimEntries);
        if (parts.Length == 2 && MigrationStateNames.TryParse(parts[0], out MigrationState from) && MigrationStateNames.TryParse(parts[1], out MigrationState to))
        {
            return new StateArc(from, to);
        }
        throw Invalid(path, $"'{text}' is not an arc; expected e.g. 'Running -> Stop'", null);
    }

    private static EmulatedDriverBugs ParseBugs(string path, string[]? names)
    {
        var bugs = EmulatedDriverBugs.None;
        foreach (string? name in names ?? [])
        {
            if (name is null || !EmulatedDriverBugNames.TryParse(name, out EmulatedDriverBugs bug))
            {
                throw Invalid(path, $"'{name}' is not a driver bug; expected one of {string.Join(", ", EmulatedDriverBugNames.All)}", null);
            }
            bugs |= bug;
        }
        return bugs;
    }

    private static VfioException Invalid(string path, string what, Exception? inner) =>
        ManagerErrors.DocumentInvalid(path, what, "a faults document", inner);

}
