using Vfio.Errors;
using Vfio.Manager.Names;
using Vfio.Devices;

namespace Vfio.Tests.Manager.Migration;

/// <summary>
/// Regression (found by the fuzz run, docs/reliability.md): the emulated device's migration_state file and the
/// arcs of its faults.json were read with Enum.TryParse, which takes a number ("3") or a list of names
/// ("Stop, Running", OR-ed into StopCopy) for a state. Only a state's name is a state.
/// </summary>
public sealed class StrictStateNameTests : IDisposable
{
    private readonly EmulatedMigrationHost _host = new();

    public void Dispose() => _host.Dispose();

    private string DeviceFile(MdevUuid device, string name)
    {
        string file = Path.Join(_host.Root, "var/lib/vfio-emu/devices", device.ToString(), name);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        return file;
    }

    [Theory]
    [InlineData("3\n")]
    [InlineData("Stop, Running\n")]
    [InlineData("RunningP2P\n,Stop\n")]
    [InlineData("0")]
    public void MigrationStateFile_HoldingANumberOrAList_IsRefusedAtOpen(string content)
    {
        MdevUuid device = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        _host.Opener.Open(device).Dispose();
        File.WriteAllText(DeviceFile(device, "migration_state"), content);

        var e = Assert.Throws<VfioException>(() => _host.Opener.Open(device).Dispose());

        Assert.Equal(ErrorCode.SysfsAttributeMalformed, e.Code);
        Assert.Equal(content.Trim(), e.Value);
    }

    [Fact]
    public void PeekMigrationState_DoesNotReadAListOfNamesAsAnotherState()
    {
        MdevUuid device = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        File.WriteAllText(DeviceFile(device, "migration_state"), "Stop, Running\n");

        // Enum.TryParse OR-ed Stop (1) and Running (2) into StopCopy (3); a file that names no state reads as never opened.
        Assert.Equal(MigrationState.Running, _host.Opener.PeekMigrationState(device));
    }

    [Fact]
    public void MigrationStateFile_HoldingAName_IsRestored()
    {
        MdevUuid device = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        _host.Opener.Open(device).Dispose();
        File.WriteAllText(DeviceFile(device, "migration_state"), "Stop\n");

        using IVfioDevice opened = _host.Opener.Open(device);

        Assert.Equal(MigrationState.Stop, opened.GetMigrationState());
        Assert.Equal(MigrationState.Stop, _host.Opener.PeekMigrationState(device));
    }

    [Theory]
    [InlineData("3 -> 1")]
    [InlineData("Stop, Running -> Stop")]
    [InlineData("Running -> 2")]
    [InlineData("running -> stop")]
    public void FaultsFileArc_NamingNoState_IsRefused(string arc)
    {
        MdevUuid device = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        File.WriteAllText(DeviceFile(device, "faults.json"), $$"""{"refuse_arc": "{{arc}}"}""");

        var e = Assert.Throws<VfioException>(() => _host.Faults.Get(device));

        Assert.Equal(ErrorCode.DocumentInvalid, e.Code);
        Assert.Contains(arc, e.Message, StringComparison.Ordinal);
    }
}
