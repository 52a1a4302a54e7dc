using Vfio.Errors;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Migration;
using Vfio.Tests.Support;
using DeviceFaults = Vfio.Emulation.EmulatedFaults;

namespace Vfio.Tests.Manager.Migration;

/// <summary>
/// A fault at every step of a migration ends with exactly one running device, the source, and the error named by
/// its code; the destination is reset and stopped, or removed when the orchestrator created it.
/// </summary>
public sealed class FaultTests : IDisposable
{
    private readonly EmulatedMigrationHost _host = new();

    public void Dispose() => _host.Dispose();

    public static TheoryData<string, bool> Cases()
    {
        var data = new TheoryData<string, bool>();
        foreach (string name in Faults.Keys)
        {
            data.Add(name, false);
            data.Add(name, true);
        }
        return data;
    }

    private sealed record FaultCase(bool OnSource, Func<DeviceFaults> Faults, ErrorCode Expected, bool PreCopy = true, bool SourceIsReset = false,
        bool DestinationCannotStop = false);

    private static readonly Dictionary<string, FaultCase> Faults = new()
    {
        ["source refuses RUNNING->PRE_COPY"] = new(true, () => new() { RefuseArc = new StateArc(MigrationState.Running, MigrationState.PreCopy) }, ErrorCode.DeviceRefusedState),
        ["source refuses STOP->STOP_COPY"] = new(true, () => new() { RefuseArc = new StateArc(MigrationState.Stop, MigrationState.StopCopy) }, ErrorCode.DeviceRefusedState, PreCopy: false),
        ["source ERROR on PRE_COPY->STOP_COPY"] = new(true, () => new() { ErrorOnArc = new StateArc(MigrationState.PreCopy, MigrationState.StopCopy) }, ErrorCode.DeviceInErrorState, SourceIsReset: true),
        ["source stream cut after 100 bytes"] = new(true, () => new() { CutStreamAfterBytes = 100 }, ErrorCode.DeviceInErrorState),
        ["source corrupts saved byte 0"] = new(true, () => new() { CorruptSavedByteAt = 0 }, ErrorCode.DeviceStateMalformed),
        // Past the preamble the device-state format's checksum frames see it (the envelope's CRC cannot: it covers the
        // bytes as the source driver delivered them).
        ["source corrupts saved byte 300"] = new(true, () => new() { CorruptSavedByteAt = 300 }, ErrorCode.DeviceStateChecksumMismatch),
        ["source corrupts saved byte 300, no pre-copy"] = new(true, () => new() { CorruptSavedByteAt = 300 }, ErrorCode.DeviceStateChecksumMismatch, PreCopy: false),
        // STOP_COPY's only way back to RUNNING is through STOP, which the device refuses: the policy resets it.
        ["source refuses STOP_COPY->STOP at switchover"] = new(true, () => new() { RefuseArc = new StateArc(MigrationState.StopCopy, MigrationState.Stop) }, ErrorCode.DeviceRefusedState, SourceIsReset: true),
        ["destination refuses RUNNING->STOP"] = new(false, () => new() { RefuseArc = new StateArc(MigrationState.Running, MigrationState.Stop) }, ErrorCode.DeviceRefusedState, DestinationCannotStop: true),
        ["destination refuses STOP->RESUMING"] = new(false, () => new() { RefuseArc = new StateArc(MigrationState.Stop, MigrationState.Resuming) }, ErrorCode.DeviceRefusedState),
        ["destination write cut after 100 bytes"] = new(false, () => new() { CutStreamAfterBytes = 100 }, ErrorCode.KernelCallFailed),
        ["destination ERROR on RESUMING->STOP"] = new(false, () => new() { ErrorOnArc = new StateArc(MigrationState.Resuming, MigrationState.Stop) }, ErrorCode.DeviceInErrorState),
        ["destination refuses STOP->RUNNING at switchover"] = new(false, () => new() { RefuseArc = new StateArc(MigrationState.Stop, MigrationState.Running) }, ErrorCode.DeviceRefusedState),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task FaultAtEveryStep_LeavesOnlyTheSourceRunning(string fault, bool newDestination)
    {
        FaultCase c = Faults[fault];
        MdevUuid source = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        _host.Mutate(source, nic => { nic.Counter = 5; nic.Mac = "m"; nic.Ring[9] = 9; });
        NicSnapshot before = _host.Snapshot(source);
        MigrationDestination destination = newDestination
            ? MigrationDestination.NewDevice(_host.Migration, EmulatedMigrationHost.Parent, EmulatedMigrationHost.V2Type)
            : MigrationDestination.Existing(_host.Migration, _host.CreateDevice(EmulatedMigrationHost.V2Type));
        MdevUuid destinationUuid = destination.ExistingDevice ?? destination.NewDeviceUuid!.Value;
        if (c.OnSource)
        {
            _host.Faults.Set(source, c.Faults());
        }
        else if (newDestination)
        {
            _host.Recording.FaultsOnOpen[destinationUuid] = c.Faults();
        }
        else
        {
            _host.Faults.Set(destinationUuid, c.Faults());
        }

        MigrationOutcome outcome = await new MigrationOrchestrator().MigrateAsync(new MigrationSource(_host.Migration, source), destination,
            new MigrationOptions { UsePreCopy = c.PreCopy });
        _host.Faults.Clear(source);

        Assert.False(outcome.Succeeded);
        Assert.True(c.Expected == outcome.Error, $"{fault}: expected {c.Expected}, got {outcome.Error}: {outcome.Exception?.Message}");
        Assert.Equal(MigrationState.Running, outcome.SourceState);
        if (c.DestinationCannotStop && !newDestination)
        {
            // A destination that refuses to stop never received anything; the outcome says it still runs, idle.
            Assert.Equal(MigrationState.Running, outcome.DestinationState);
            Assert.Equal(0UL, _host.Snapshot(destination.ExistingDevice!.Value).Counter);
            Assert.Equal(before, _host.Snapshot(source));
            return;
        }
        Assert.Equal([source], _host.RunningDevices());
        if (c.SourceIsReset)
        {
            // ERROR leaves only VFIO_DEVICE_RESET (vfio.h), which runs the device's power-on code.
            Assert.Equal(0UL, _host.Snapshot(source).Counter);
        }
        else
        {
            Assert.Equal(before, _host.Snapshot(source));
        }
        if (newDestination)
        {
            Assert.True(outcome.DestinationRemoved);
            Assert.False(_host.Exists(destinationUuid));
        }
        else
        {
            Assert.Equal(MigrationState.Stop, outcome.DestinationState);
            Assert.Equal(MigrationState.Stop, _host.StateOf(destinationUuid));
        }
    }

    public static TheoryData<string, bool, string> Corruptions()
    {
        var data = new TheoryData<string, bool, string>();
        foreach (string type in new[] { EmulatedMigrationHost.V2Type.Value, EmulatedMigrationHost.V1Type.Value })
        {
            foreach (bool preCopy in new[] { true, false })
            {
                foreach (string where in new[] { "first checksum frame", "inside the ring", "core field", "last byte" })
                {
                    data.Add(type, preCopy, where);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Corruptions))]
    public async Task SourceDataCorruptedPastThePreamble_IsRefusedWithE4012_AndOnlyTheSourceRuns(string type, bool preCopy, string where)
    {
        MdevTypeName nicType = MdevTypeName.Parse(type);
        var options = new MigrationOptions { UsePreCopy = preCopy };
        // A clean migration of an identical device measures its device data (the preamble, a frame and the 16 KiB
        // ring, a frame and the core fields with the end marker).
        MdevUuid measured = _host.CreateDevice(nicType);
        _host.Mutate(measured, nic => { nic.Counter = 5; nic.Mac = "52:54:00:12:34:56"; nic.Ring[9] = 9; });
        MigrationOutcome clean = await new MigrationOrchestrator().MigrateAsync(new MigrationSource(_host.Migration, measured),
            MigrationDestination.NewDevice(_host.Migration, EmulatedMigrationHost.Parent, nicType), options);
        Assert.True(clean.Succeeded, clean.ToString());
        long at = where switch
        {
            "first checksum frame" => 12,
            "inside the ring" => 12 + 24 + TestNic.RingSize / 2,
            "core field" => clean.Bytes - 10,
            _ => clean.Bytes - 1,
        };
        MdevUuid source = _host.CreateDevice(nicType);
        _host.Mutate(source, nic => { nic.Counter = 5; nic.Mac = "52:54:00:12:34:56"; nic.Ring[9] = 9; });
        NicSnapshot before = _host.Snapshot(source);
        _host.Faults.Set(source, new DeviceFaults { CorruptSavedByteAt = at });
        MigrationDestination destination = MigrationDestination.NewDevice(_host.Migration, EmulatedMigrationHost.Parent, nicType);

        MigrationOutcome outcome = await new MigrationOrchestrator().MigrateAsync(new MigrationSource(_host.Migration, source), destination, options);
        _host.Faults.Clear(source);

        Assert.False(outcome.Succeeded, $"byte {at} of {clean.Bytes} changed and the migration succeeded");
        Assert.True(outcome.Error == ErrorCode.DeviceStateChecksumMismatch, $"byte {at}: {outcome.Error} {outcome.Exception?.Message}");
        Assert.Equal(MigrationState.Running, outcome.SourceState);
        Assert.True(outcome.DestinationRemoved);
        Assert.False(_host.Exists(destination.NewDeviceUuid!.Value));
        // Running now: this source, and the clean migration's destination (its source stopped); nothing else.
        Assert.Equal(new HashSet<MdevUuid> { source, clean.Destination!.Value }, _host.RunningDevices().ToHashSet());
        Assert.Equal(before, _host.Snapshot(source));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CrashMidCopy_RollsNothingBack_ThenResumeAndAbortLeaveOnlyTheSourceRunning(bool crashOnSource)
    {
        MdevUuid source = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        _host.Mutate(source, nic => { nic.Counter = 77; nic.Ring[0] = 1; });
        NicSnapshot before = _host.Snapshot(source);
        MdevUuid destination = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        _host.Faults.Set(crashOnSource ? source : destination, new DeviceFaults { CrashAfterBytes = 2000 });

        await Assert.ThrowsAsync<EmulatedCrashException>(() => new MigrationOrchestrator().MigrateAsync(
            new MigrationSource(_host.Migration, source), MigrationDestination.Existing(_host.Migration, destination)));

        // The dead process rolled nothing back: the source is left where the copy was (pre-copy or stop-copy), not RUNNING.
        Assert.NotEqual(MigrationState.Running, _host.StateOf(source));
        Assert.DoesNotContain(source, _host.RunningDevices());

        // Another process cleans up: the source resumes, the half-loaded destination is reset and stopped.
        using EmulatedMigrationHost next = _host.Reopen();
        next.Faults.Clear(source);
        next.Faults.Clear(destination);
        var orchestrator = new MigrationOrchestrator();
        MigrationOutcome resumed = orchestrator.Resume(new MigrationSource(next.Migration, source));
        MigrationOutcome aborted = orchestrator.Abort(next.Migration, destination);

        Assert.True(resumed.Succeeded, resumed.ToString());
        Assert.True(aborted.Succeeded, aborted.ToString());
        Assert.Equal([source], next.RunningDevices());
        Assert.Equal(before, next.Snapshot(source));
        Assert.Equal(MigrationState.Stop, next.StateOf(destination));
    }
}
