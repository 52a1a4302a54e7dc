using System.Globalization;
using Vfio.Errors;
using Vfio.Manager.Conformance;
using Vfio.Manager.Devices;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.Conformance;
using Vfio.Devices;
using Vfio.Migration;
using Vfio.Ctl.Cli;
using Vfio.Ctl.Output;

namespace Vfio.Ctl.Commands.Conform;

/// <summary>
/// <c>vfioctl conform</c>: opens the device (refusing one that is open elsewhere), runs <see cref="ConformanceKit"/> and
/// prints its report as a table or as JSON; exit 5 with E4011 when a check fails.
/// </summary>
internal sealed class ConformCommand(MdevHost host, IDeviceOpener opener, CliConsole console)
{
    // A device in use is not waited for: the kit must not run on a device a guest is using.
    private static readonly TimeSpan BusyWait = TimeSpan.FromSeconds(1);

    public int Execute(MdevUuid uuid, bool json, string? streams)
    {
        host.GetDevice(uuid);
        ConformanceOptions options = streams is null
            ? new ConformanceOptions()
            : SavedStreamFiles.Read(streams, host.ReadConfiguration(uuid), uuid.ToString());
        ConformanceReport report;
        using (IVfioDevice device = Open(uuid))
        {
            console.Error.WriteLine($"conform {uuid}: destructive checks (stop, garbage loads, resets); the device's state is saved first and loaded back at the end");
            report = ConformanceKit.Run(device, options);
        }
        if (json)
        {
            WriteJson(report);
        }
        else
        {
            WriteTable(report);
        }
        if (report.Passed)
        {
            return ExitCodes.Ok;
        }
        string failed = string.Join(", ", report.Failures.Select(f => f.Name));
        ErrorReport.Write(console.Error, ErrorCode.ConformanceFailed,
            $"device {uuid} fails {report.Failures.Count()} of {report.Checks.Count} conformance checks: {failed}");
        return ExitCodes.ConformanceFailed;
    }

    private IVfioDevice Open(MdevUuid uuid)
    {
        try
        {
            return opener is EmulatedDeviceOpener emulated ? emulated.Open(uuid, BusyWait) : opener.Open(uuid);
        }
        catch (VfioException e) when (e is VfioErrnoException { ErrnoName: "EBUSY" } || e.Code == ErrorCode.LockTimeout)
        {
            throw CliErrors.ConformDeviceBusy(uuid.ToString(), e);

        }
    }

    private void WriteTable(ConformanceReport report)
    {
        TextWriter o = console.Output;
        o.WriteLine($"device   {report.Device}");
        o.WriteLine($"protocol {Protocol(report)}");
        int width = Math.Max("CHECK".Length, report.Checks.Max(c => c.Name.Length));
        o.WriteLine($"{"CHECK".PadRight(width)}  RESULT  DETAIL");
        foreach (ConformanceCheck check in report.Checks)
        {
            o.WriteLine($"{check.Name.PadRight(width)}  {Result(check.Outcome),-6}  {TerminalText.Line(check.Detail)}");
        }
        o.WriteLine($"result   {(report.Passed ? "pass" : "fail")} ({Summary(report)})");
    }

    private void WriteJson(ConformanceReport report) => JsonText.Write(console.Output, w =>
    {
        w.WriteStartObject();
        w.WriteString("device", report.Device);
        w.WriteString("protocol", report.Protocol == MigrationProtocolKind.V2Feature ? "v2" : "v1");
        w.WriteString("flags", ConformanceChecks.FlagNames(report.Features));
        w.WriteBoolean("passed", report.Passed);
        w.WriteStartObject("summary");
        foreach (CheckOutcome outcome in Enum.GetValues<CheckOutcome>())
        {
            w.WriteNumber(Result(outcome), report.Checks.Count(c => c.Outcome == outcome));
        }
        w.WriteEndObject();
        w.WriteStartArray("checks");
        foreach (ConformanceCheck check in report.Checks)
        {
            w.WriteStartObject();
            w.WriteString("name", check.Name);
            w.WriteString("result", Result(check.Outcome));
            w.WriteString("detail", check.Detail);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }, relaxedEscaping: true);

    private static string Protocol(ConformanceReport report) => report.Protocol == MigrationProtocolKind.V2Feature
        ? $"v2 (VFIO_DEVICE_FEATURE_MIGRATION), flags {ConformanceChecks.FlagNames(report.Features)}"
        : "v1 (migration region, Linux 5.8-5.17)";

    private static string Summary(ConformanceReport report) => string.Join(", ", Enum.GetValues<CheckOutcome>()
        .Select(o => $"{report.Checks.Count(c => c.Outcome == o).ToString(CultureInfo.InvariantCulture)} {Result(o)}"));

    private static string Result(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.Pass => "pass",
        CheckOutcome.Warn => "warn",
        CheckOutcome.Fail => "fail",
        _ => "skip",
    };
}
