using Vfio.Errors;
using Vfio.Manager.Devices;
using Vfio.Manager.Emulation;
using Vfio.Manager.Host;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Spectre.Console;
using Vfio.DeviceModels;
using Vfio.Devices;
using Vfio.Migration;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Host;
using Vfio.Ctl.Output;

namespace Vfio.Ctl.Commands.Describe;

/// <summary>
/// <c>vfioctl describe</c>: what a device is (model, every parameter with its value) and, once the device has been
/// opened, how it migrates. Opening a device that nothing opened yet freezes its parameters, so that needs --open.
/// </summary>
internal sealed class DescribeCommand(MdevHost host, IDeviceOpener opener, CliConsole console)
{
    // Where a migration left the device. describe is what an operator runs to find out what is wrong, so a journal or
    // record it cannot read (a FIFO planted there, a damaged file) is shown with its code, not a reason to fail.
    private void WriteMigration(TextWriter o, MigrationJournal journal, MdevUuid uuid)
    {
        try
        {
            if (journal.Find(uuid) is { } interrupted)
            {
                o.WriteLine($"migration     interrupted {interrupted.Operation} ({interrupted.Phase ?? MigrationJournalEntry.PhaseStarted}); 'vfioctl resume' or 'abort' finishes it");
            }
            else if (journal.FindMoved(uuid) is { } moved)
            {
                o.WriteLine($"migration     moved away: {moved.Describe()}; 'vfioctl resume' refuses it without --force");
            }
        }
        catch (VfioException unreadable)
        {
            o.WriteLine($"migration     unknown: its record cannot be read ({ErrorCatalogue.Id(unreadable.Code)} {ErrorCatalogue.Name(unreadable.Code)})");
            ErrorReport.Warn(console.Error, unreadable.Code, unreadable.Message);
        }
    }

    public int Execute(MdevUuid uuid, bool open, bool state = false, bool json = false)
    {
        if (json)
        {
            console.Output.WriteLine(DeviceFacts.Describe(host, opener, uuid, DeviceFacts.MayOpen(host, uuid, open)).ToJson());
            return ExitCodes.Ok;
        }
        MdevDevice device = host.GetDevice(uuid);
        TextWriter o = console.Output;
        o.WriteLine($"device        {device.Uuid}");
        o.WriteLine($"parent/type   {device.Parent}/{device.Type}");
        if (device.IommuGroup is int group)
        {
            o.WriteLine($"iommu group   {group}");
        }
        WriteMigration(o, new MigrationJournal(host.Sysfs.Layout.Root.FullPath), uuid);
        DeviceConfiguration configuration = host.ReadConfiguration(uuid);
        o.WriteLine($"model         {configuration.ModelId}");
        o.WriteLine($"configuration {Text(configuration)}");
        var table = Tables.Create("Parameter", "Value", "Off", "Allowed");
        foreach (ParameterSpec p in configuration.Model.Parameters)
        {
            table.AddRow(Tables.Cells(p.Name, configuration[p.Name], p.OffValue, p.AllowedValues.Text));
        }
        console.Tables.Write(table);

        bool opened = host.Sysfs is not EmulatedSysfs emulated || emulated.IsOpened(uuid);
        if (!opened && !open && !state)
        {
            o.WriteLine("protocol      (not opened yet: its parameters can still change; --open to read the protocol)");
            return ExitCodes.Ok;
        }
        using IVfioDevice? vfio = OpenUnlessHeld(uuid, o, required: open || state);
        if (vfio is null)
        {
            return ExitCodes.Ok;
        }
        MigrationDriver driver = MigrationDriver.Open(vfio);
        o.WriteLine($"protocol      {Protocol(driver.Protocol)}");
        o.WriteLine($"flags         {Flags(driver.Protocol, driver.Features)}");
        o.WriteLine($"state         {driver.GetState().ToString().ToUpperInvariant()}");
        (ulong? bytes, string? why) = DeviceFacts.Estimate(driver);
        o.WriteLine($"stop-copy     {(bytes is ulong b ? $"{b} bytes ({(driver.Protocol == MigrationProtocolKind.V1Region ? "pending_bytes" : "MIG_DATA_SIZE")} estimate)" : $"unknown ({why})")}");
        vfio.Dispose();
        if (state)
        {
            var fields = Tables.Create("Field", "Value");
            foreach ((string name, string value) in StateFields.Read(opener, uuid))
            {
                fields.AddRow(Tables.Cells(name, StateText.Display(value)));
            }
            console.Tables.Write(fields);
        }
        return ExitCodes.Ok;
    }

    // A VMM that runs the device holds its group: what the device is (printed before) is what the VMM workflow needs, and
    // its protocol is the VMM's to drive. Only --open and --state, which ask for the device itself, fail then.
    private IVfioDevice? OpenUnlessHeld(MdevUuid uuid, TextWriter o, bool required)
    {
        try
        {
            return opener.Open(uuid);
        }
        catch (VfioException held) when (held.Code == ErrorCode.DeviceHeld && !required)
        {
            o.WriteLine($"protocol      (held by {held.Value ?? "another process"}: a VMM migrates it; {ErrorCatalogue.Id(held.Code)})");
            return null;
        }
        catch (VfioException plugin) when (IsPluginFailure(plugin.Code) && !required)
        {
            // What the device is was printed from sysfs; its protocol needs its code, which a plug-in could not provide.
            o.WriteLine($"protocol      (its device code cannot be loaded: {ErrorCatalogue.Id(plugin.Code)} {ErrorCatalogue.Name(plugin.Code)})");
            ErrorReport.Warn(console.Error, plugin.Code, plugin.Message);
            return null;
        }
    }

    /// <summary>The codes of an emulated host whose plug-ins cannot provide a device's code (E6050-E6055).</summary>
    internal static bool IsPluginFailure(ErrorCode code) => code is ErrorCode.PluginNotFound or ErrorCode.PluginNotLoadable
        or ErrorCode.PluginEntryMissing or ErrorCode.DeviceImplementationDuplicate or ErrorCode.DeviceImplementationMissing
        or ErrorCode.EmulatedHostConfigurationInvalid;

    private static string Text(DeviceConfiguration configuration)
    {
        string text = configuration.ToString();
        return text.Length == 0 ? "(every parameter at its off value)" : text;
    }

    private static string Protocol(MigrationProtocolKind kind) => kind switch
    {
        MigrationProtocolKind.V1Region => "v1 (migration region, Linux 5.8-5.17)",
        MigrationProtocolKind.V2Feature => "v2 (VFIO_DEVICE_FEATURE_MIGRATION, Linux 5.18+)",
        _ => kind.ToString(),
    };

    private static string Flags(MigrationProtocolKind kind, MigrationFeatures features)
    {
        if (kind == MigrationProtocolKind.V1Region)
        {
            return "RUNNING|SAVING|RESUMING device_state bits (v1 has no feature flags)";
        }
        IReadOnlyList<string> names = DeviceFacts.Features(kind, features);
        return names.Count == 0 ? "none" : string.Join("|", names);
    }
}
