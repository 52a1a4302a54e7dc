using Vfio.Manager.Devices;
using Vfio.Manager.Emulation;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Migration;
using Vfio.Ctl.Cli;

namespace Vfio.Ctl.Commands.Fault;

/// <summary><c>vfioctl fault</c>: writes the emulated device's fault file, read by every process that opens it.</summary>
internal sealed class FaultCommand(ISysfs sysfs, CliConsole console)
{
    public int Execute(MdevUuid uuid, FaultRequest request)
    {
        if (sysfs is not EmulatedSysfs)
        {
            throw CliErrors.FaultsNeedEmulated(uuid.ToString());
        }
        var faults = new EmulatedDeviceFaults(sysfs.Layout);
        if (request.Clear)
        {
            faults.Clear(uuid);
            console.Output.WriteLine($"{uuid}: faults cleared");
            return ExitCodes.Ok;
        }
        var fault = new Vfio.Emulation.EmulatedFaults
        {
            CorruptSavedByteAt = request.CorruptByte,
            CutStreamAfterBytes = request.CutAfter,
            RefuseArc = request.RefuseArc is string arc ? ParseArc(arc) : null,
            ErrorOnArc = request.ErrorArc is string errorArc ? ParseArc(errorArc) : null,
            DriverBugs = ParseBugs(request.DriverBugs),
        };
        faults.Set(uuid, fault);
        console.Output.WriteLine($"{uuid}: fault set");
        return ExitCodes.Ok;
    }

    private static EmulatedDriverBugs ParseBugs(IReadOnlyList<string> names)
    {
        var bugs = EmulatedDriverBugs.None;
        foreach (string name in names)
        {
            if (!EmulatedDriverBugNames.TryParse(name, out EmulatedDriverBugs bug))
            {
                throw CliErrors.NotADriverBug(name, EmulatedDriverBugNames.All);
            }
            bugs |= bug;
        }
        return bugs;
    }

    private static StateArc ParseArc(string text)
    {
        string[] parts = text.Split("->", StringSplitOptions.TrimEntries);
        if (parts.Length == 2 && MigrationStateNames.TryParse(parts[0].Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out MigrationState from)
            && MigrationStateNames.TryParse(parts[1].Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out MigrationState to))
        {
            return new StateArc(from, to);
        }
        throw CliErrors.NotAStateArc(text, Enum.GetNames<MigrationState>());

    }
}
