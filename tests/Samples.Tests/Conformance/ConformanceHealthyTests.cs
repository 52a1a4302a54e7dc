using Vfio.Conformance;
using Vfio.DeviceModels;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Errors;
using Vfio.Migration;
using Vfio.Samples.Nic;
using Vfio.Samples.Serial;
using Vfio.Samples.VendorGuide;
using Vfio.Sdk;

namespace Vfio.Tests.Samples.Conformance;

/// <summary>
/// The conformance kit passes on every healthy device the project ships: both protocols, with and without P2P and
/// pre-copy, the sample NIC, the serial card and the vendor guide's scratchpad; and it leaves each RUNNING with the
/// state it had.
/// </summary>
public sealed class ConformanceHealthyTests
{
    public static TheoryData<string, string> Devices() => new()
    {
        { "nic-current", "version=3" },
        { "nic-current-stop-copy-only", "version=3" },
        { "nic-current-p2p", "version=3" },
        { "nic-current-pre-copy", "version=3" },
        { "nic-old-v1", "version=2" },
        { "serial-1", "" },
        { "serial-2", "" },
        { "serial-2-v1", "" },
        { "scratchpad", "version=2" },
        { "scratchpad-v1", "version=1" },
    };

    [Theory]
    [MemberData(nameof(Devices))]
    public void Passes_every_check_on_a_healthy_device(string variant, string configuration)
    {
        using var device = ConformanceDevices.Create(variant, configuration, seedTraffic: true);
        IReadOnlyDictionary<string, string> before = device.DescribeState();

        ConformanceReport report = ConformanceKit.Run(device.Vfio);

        Assert.True(report.Passed, string.Join("\n", report.Failures.Select(f => $"{f.Name}: {f.Detail}")));
        Assert.Equal(CheckOutcome.Pass, report[ConformanceChecks.RoundTrip].Outcome);
        Assert.Equal(CheckOutcome.Pass, report[ConformanceChecks.DeviceLeftRunning].Outcome);
        Assert.Equal(MigrationState.Running, device.Vfio.CurrentMigrationState);
        Assert.Equal(before, device.DescribeState());
    }

    [Fact]
    public void Reaches_every_direct_arc_of_a_device_with_every_flag()
    {
        using var device = ConformanceDevices.Create("nic-current", "version=3", seedTraffic: false);

        ConformanceReport report = ConformanceKit.Run(device.Vfio);

        string[] arcs = report.Checks.Where(c => c.Name.StartsWith("arc:", StringComparison.Ordinal)).Select(c => c.Name).ToArray();
        // The kernel's table for STOP_COPY|P2P|PRE_COPY has 15 arcs (the comment above vfio_mig_get_next_state).
        Assert.Equal(15, arcs.Length);
        Assert.Contains("arc:PRE_COPY_P2P->STOP_COPY", arcs);
        Assert.Contains("arc:RESUMING->STOP", arcs);
        Assert.DoesNotContain("arc:STOP_COPY->PRE_COPY", arcs);
        Assert.All(report.Checks.Where(c => c.Name.StartsWith("arc:", StringComparison.Ordinal)), c => Assert.Equal(CheckOutcome.Pass, c.Outcome));
        Assert.Equal(CheckOutcome.Pass, report[ConformanceChecks.UnsafeArcRefusedInUserSpace].Outcome);
        Assert.Equal(CheckOutcome.Pass, report[ConformanceChecks.PrecopyInfoSane].Outcome);
    }

    [Fact]
    public void A_v1_device_skips_the_v2_only_checks_and_says_why()
    {
        using var device = ConformanceDevices.Create("nic-old-v1", "version=2", seedTraffic: false);

        ConformanceReport report = ConformanceKit.Run(device.Vfio);

        Assert.Equal(MigrationProtocolKind.V1Region, report.Protocol);
        foreach (string check in new[] { ConformanceChecks.DataFdPerArc, ConformanceChecks.MigDataSize, ConformanceChecks.PrecopyInfoSane, ConformanceChecks.ArcsOutsideTableRefused })
        {
            Assert.Equal(CheckOutcome.Skip, report[check].Outcome);
            Assert.StartsWith("v1 protocol", report[check].Detail, StringComparison.Ordinal);
        }
        Assert.Equal(CheckOutcome.Pass, report[ConformanceChecks.StopCopyEof].Outcome);
        Assert.Equal(CheckOutcome.Pass, report[ConformanceChecks.ResumingRejectsGarbage].Outcome);
    }

    [Fact]
    public void A_device_without_pre_copy_skips_the_pre_copy_checks()
    {
        using var device = ConformanceDevices.Create("serial-2", "", seedTraffic: false);

        ConformanceReport report = ConformanceKit.Run(device.Vfio);

        Assert.Equal(CheckOutcome.Skip, report[ConformanceChecks.PrecopyInfoSane].Outcome);
        Assert.Equal(CheckOutcome.Skip, report[ConformanceChecks.UnsafeArcRefusedInUserSpace].Outcome);
        Assert.Contains("no PRE_COPY", report[ConformanceChecks.PrecopyInfoSane].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_device_that_is_not_running_and_leaves_it_alone()
    {
        using var device = ConformanceDevices.Create("nic-current", "version=3", seedTraffic: false);
        MigrationDriver.Open(device.Vfio).TransitionTo(MigrationState.Stop);

        VfioException e = Assert.Throws<VfioException>(() => ConformanceKit.Run(device.Vfio));

        Assert.Equal(ErrorCode.DeviceStateConflict, e.Code);
        Assert.Equal(MigrationState.Stop, device.Vfio.CurrentMigrationState);
    }
}

/// <summary>The kit itself never sends STOP_COPY -> PRE_COPY(_P2P), the SET that hangs 6.x kernels: every SET it makes is recorded with the state it was sent in.</summary>
public sealed class ConformanceUnsafeArcTests
{
    private sealed class RecordingDevice(EmulatedVfioDevice inner) : IVfioDevice
    {
        public List<(MigrationState From, MigrationState To)> Sets { get; } = [];

        public string Name => inner.Name;

        public VfioDeviceInfo GetInfo() => inner.GetInfo();

        public VfioRegionInfo GetRegionInfo(uint index) => inner.GetRegionInfo(index);

        public VfioIrqInfo GetIrqInfo(uint index) => inner.GetIrqInfo(index);

        public int ReadRegion(uint index, ulong offset, Span<byte> buffer) => inner.ReadRegion(index, offset, buffer);

        public int WriteRegion(uint index, ulong offset, ReadOnlySpan<byte> data) => inner.WriteRegion(index, offset, data);

        public void Reset() => inner.Reset();

        public MigrationFeatures GetMigrationFeatures() => inner.GetMigrationFeatures();

        public MigrationState GetMigrationState() => inner.GetMigrationState();

        public MigrationDataStream? SetMigrationState(MigrationState next)
        {
            Sets.Add((inner.CurrentMigrationState, next));
            return inner.SetMigrationState(next);
        }

        public ulong GetMigrationDataSize() => inner.GetMigrationDataSize();

        public void Dispose()
        {
        }
    }

    [Fact]
    public void No_SET_of_a_pre_copy_state_is_ever_sent_in_STOP_COPY()
    {
        using var device = ConformanceDevices.Create("nic-current", "version=3", seedTraffic: true);
        var recording = new RecordingDevice(device.Vfio);

        ConformanceReport report = ConformanceKit.Run(recording);

        Assert.True(report.Passed);
        Assert.Contains(recording.Sets, s => s.From == MigrationState.StopCopy);
        Assert.Contains(recording.Sets, s => s.To == MigrationState.PreCopyP2P);
        Assert.DoesNotContain(recording.Sets, s => s.From == MigrationState.StopCopy && s.To is MigrationState.PreCopy or MigrationState.PreCopyP2P);
    }
}
