using Moq;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Errors;
using Vfio.Tests.Emulation;
using Vfio.Migration;

namespace Vfio.Tests.Migration;

public sealed class FailureHandlingTests
{
    private const MigrationFeatures Basic = MigrationFeatures.StopCopy;
    private static readonly StateArc StopToStopCopy = new(MigrationState.Stop, MigrationState.StopCopy);

    private static (EmulatedVfioDevice Device, ByteArrayBackend Backend, MigrationDriver Driver) Source(MigrationProtocolKind protocol, int size = 2000)
    {
        var backend = ByteArrayBackend.Filled(size, Basic, seed: 7);
        var device = new EmulatedVfioDevice("src-" + protocol, backend, new EmulatedDeviceOptions { Protocol = protocol, V1DataSectionSize = 512 });
        return (device, backend, MigrationDriver.Open(device));
    }

    [Theory]
    [InlineData(MigrationProtocolKind.V2Feature)]
    [InlineData(MigrationProtocolKind.V1Region)]
    public void RefusedArc_IsReported_WithTheStateTheDeviceIsLeftIn(MigrationProtocolKind protocol)
    {
        (EmulatedVfioDevice device, ByteArrayBackend backend, MigrationDriver driver) = Source(protocol);
        using EmulatedVfioDevice owned = device;
        device.Faults.RefuseArc = StopToStopCopy;

        MigrationStateException ex = Assert.Throws<MigrationStateException>(() => driver.TransitionTo(MigrationState.StopCopy));

        Assert.Equal(ErrorCode.DeviceRefusedState, ex.Code);
        Assert.Equal(device.Name, ex.Device);
        Assert.Equal(MigrationState.Stop, ex.StateLeftIn);
        Assert.Equal(StopToStopCopy, new StateArc(ex.ArcFrom, ex.ArcTo));
        Assert.Equal(MigrationState.StopCopy, ex.Target);
        Assert.Equal(RecoveryOutcome.NotAttempted, ex.Recovery);
        Assert.Equal(MigrationState.Stop, backend.State);
    }

    [Theory]
    [InlineData(MigrationProtocolKind.V2Feature)]
    [InlineData(MigrationProtocolKind.V1Region)]
    public void ArcIntoError_IsDeviceInErrorState_AndOnlyResetLeavesIt(MigrationProtocolKind protocol)
    {
        (EmulatedVfioDevice device, ByteArrayBackend backend, MigrationDriver driver) = Source(protocol);
        using EmulatedVfioDevice owned = device;
        device.Faults.ErrorOnArc = StopToStopCopy;

        MigrationStateException first = Assert.Throws<MigrationStateException>(() => driver.TransitionTo(MigrationState.StopCopy));
        MigrationStateException again = Assert.Throws<MigrationStateException>(() => driver.TransitionTo(MigrationState.Running));
        (RecoveryOutcome outcome, MigrationState after) = driver.Recover(RecoveryPolicy.Source);

        Assert.Equal(ErrorCode.DeviceInErrorState, first.Code);
        Assert.Equal(MigrationState.Error, first.StateLeftIn);
        Assert.Equal(ErrorCode.DeviceInErrorState, again.Code);
        Assert.Equal(RecoveryOutcome.Reset, outcome);
        Assert.Equal(MigrationState.Running, after);
        Assert.Equal(1, backend.Resets);
    }

    [Theory]
    [InlineData(MigrationProtocolKind.V2Feature)]
    [InlineData(MigrationProtocolKind.V1Region)]
    public void FailedStopCopy_WithSourcePolicy_ReturnsSourceToRunning(MigrationProtocolKind protocol)
    {
        (EmulatedVfioDevice device, ByteArrayBackend backend, MigrationDriver driver) = Source(protocol);
        using EmulatedVfioDevice owned = device;
        device.Faults.RefuseArc = StopToStopCopy;

        MigrationStateException ex = Assert.Throws<MigrationStateException>(() => driver.TransitionTo(MigrationState.StopCopy, RecoveryPolicy.Source));

        Assert.Equal(ErrorCode.DeviceRefusedState, ex.Code);
        Assert.Equal(MigrationState.Stop, ex.StateLeftIn);
        Assert.Equal(RecoveryOutcome.ReachedRecoveryState, ex.Recovery);
        Assert.Equal(MigrationState.Running, ex.StateAfterRecovery);
        Assert.Equal(MigrationState.Running, backend.State);
        Assert.Equal(0, backend.Resets);
    }

    [Fact]
    public void ErrorDuringStopCopy_WithSourcePolicy_ResetsBecauseErrorAllowsNothingElse()
    {
        (EmulatedVfioDevice device, ByteArrayBackend backend, MigrationDriver driver) = Source(MigrationProtocolKind.V2Feature);
        using EmulatedVfioDevice owned = device;
        device.Faults.ErrorOnArc = StopToStopCopy;

        MigrationStateException ex = Assert.Throws<MigrationStateException>(() => driver.TransitionTo(MigrationState.StopCopy, RecoveryPolicy.Source));

        Assert.Equal(ErrorCode.DeviceInErrorState, ex.Code);
        Assert.Equal(RecoveryOutcome.Reset, ex.Recovery);
        Assert.Equal(MigrationState.Running, ex.StateAfterRecovery);
        Assert.Equal(1, backend.Resets);
    }

    [Fact]
    public void RecoveryThatFailsToo_GivesUpLoudly()
    {
        (EmulatedVfioDevice device, ByteArrayBackend backend, MigrationDriver driver) = Source(MigrationProtocolKind.V2Feature);
        using EmulatedVfioDevice owned = device;
        device.Faults.ErrorOnArc = StopToStopCopy;
        backend.FailReset = true;

        MigrationStateException ex = Assert.Throws<MigrationStateException>(() => driver.TransitionTo(MigrationState.StopCopy, RecoveryPolicy.Source));

        Assert.Equal(ErrorCode.RecoveryFailed, ex.Code);
        Assert.Equal(RecoveryOutcome.Failed, ex.Recovery);
        Assert.Equal(MigrationState.Error, ex.StateAfterRecovery);
        Assert.Contains("VFIO_DEVICE_RESET failed", ex.Message, StringComparison.Ordinal);
        Assert.Equal(device.Name, ex.Device);
    }

    [Theory]
    [InlineData(MigrationProtocolKind.V2Feature)]
    [InlineData(MigrationProtocolKind.V1Region)]
    public void CutSaveStream_EndsEarly_AndTheLoadIsRefused_ThenDestinationPolicyResets(MigrationProtocolKind protocol)
    {
        (EmulatedVfioDevice src, _, MigrationDriver source) = Source(protocol);
        var dstBackend = new ByteArrayBackend(2000, Basic);
        using var dst = new EmulatedVfioDevice("dst", dstBackend, new EmulatedDeviceOptions { Protocol = protocol, V1DataSectionSize = 512 });
        using EmulatedVfioDevice owned = src;
        src.Faults.CutStreamAfterBytes = 1500;

        byte[] data = Transfer.Save(source, preCopy: false);
        MigrationStateException ex = Assert.Throws<MigrationStateException>(() =>
            Transfer.Load(MigrationDriver.Open(dst), data, recovery: RecoveryPolicy.Destination));

        Assert.Equal(1500, data.Length);
        Assert.Equal(ErrorCode.DeviceRefusedState, ex.Code);
        Assert.Equal(MigrationState.Resuming, ex.StateLeftIn);
        Assert.Equal(ErrorCode.DeviceStateLoadFailed, Assert.IsType<VfioException>(ex.InnerException).Code);
        Assert.Equal(RecoveryOutcome.Reset, ex.Recovery);
        Assert.Equal(MigrationState.Running, dstBackend.State);
    }

    [Theory]
    [InlineData(MigrationProtocolKind.V2Feature)]
    [InlineData(MigrationProtocolKind.V1Region)]
    public void CutResumeStream_FailsTheWrite_AndLeavesTheDeviceResuming(MigrationProtocolKind protocol)
    {
        (EmulatedVfioDevice src, _, MigrationDriver source) = Source(protocol);
        using EmulatedVfioDevice owned = src;
        byte[] data = Transfer.Save(source, preCopy: false);
        using var dst = new EmulatedVfioDevice("dst", new ByteArrayBackend(2000, Basic), new EmulatedDeviceOptions { Protocol = protocol, V1DataSectionSize = 512 });
        dst.Faults.CutStreamAfterBytes = 1000;
        MigrationDriver destination = MigrationDriver.Open(dst);

        VfioException ex = Assert.Throws<VfioException>(() => Transfer.Load(destination, data));

        Assert.Equal(ErrorCode.KernelCallFailed, ex.Code);
        Assert.Equal("dst", ex.Device);
        Assert.Equal(MigrationState.Resuming, destination.GetState());
    }

    [Theory]
    [InlineData(MigrationProtocolKind.V2Feature)]
    [InlineData(MigrationProtocolKind.V1Region)]
    public void CorruptedSavedByte_IsCaughtByTheDeviceLoad(MigrationProtocolKind protocol)
    {
        (EmulatedVfioDevice src, ByteArrayBackend srcBackend, MigrationDriver source) = Source(protocol);
        using EmulatedVfioDevice owned = src;
        src.Faults.CorruptSavedByteAt = 700;
        using var dst = new EmulatedVfioDevice("dst", new ByteArrayBackend(2000, Basic), new EmulatedDeviceOptions { Protocol = protocol, V1DataSectionSize = 512 });

        byte[] data = Transfer.Save(source, preCopy: false);
        MigrationStateException ex = Assert.Throws<MigrationStateException>(() => Transfer.Load(MigrationDriver.Open(dst), data));

        // Record header is 5 bytes, so saved offset 700 is memory byte 695, flipped.
        Assert.Equal((byte)~srcBackend.Memory[695], data[700]);
        Assert.Equal(ErrorCode.DeviceRefusedState, ex.Code);
        Assert.Equal(MigrationState.Resuming, ex.StateLeftIn);
    }

    [Theory]
    [InlineData(MigrationProtocolKind.V2Feature)]
    [InlineData(MigrationProtocolKind.V1Region)]
    public void CrashMidCopy_EscapesEveryHandler_AndLeavesTheSourceInStopCopy(MigrationProtocolKind protocol)
    {
        (EmulatedVfioDevice src, _, MigrationDriver source) = Source(protocol);
        using EmulatedVfioDevice owned = src;
        src.Faults.CrashAfterBytes = 600;

        Assert.Throws<EmulatedCrashException>(() => Transfer.Save(source, preCopy: false));

        Assert.Equal(MigrationState.StopCopy, source.GetState());
    }

    [Fact]
    public void StateTheDeviceLacks_IsIllegal_AndNothingMoves()
    {
        var backend = new ByteArrayBackend(8, MigrationFeatures.StopCopy);
        using var dev = new EmulatedVfioDevice("nop2p", backend);

        VfioException ex = Assert.Throws<VfioException>(() => MigrationDriver.Open(dev).TransitionTo(MigrationState.RunningP2P));

        Assert.Equal(ErrorCode.IllegalStateArc, ex.Code);
        Assert.Equal("nop2p", ex.Device);
        Assert.Contains("RunningP2P", ex.Message, StringComparison.Ordinal);
        Assert.Empty(backend.Arcs);
    }

    [Fact]
    public void EmulatedV2Device_RefusesStopCopyToPreCopy_InsteadOfSpinningLikeTheKernel()
    {
        const MigrationFeatures all = MigrationFeatures.StopCopy | MigrationFeatures.P2P | MigrationFeatures.PreCopy;
        var backend = new ByteArrayBackend(8, all);
        using var dev = new EmulatedVfioDevice("spin", backend);
        dev.SetMigrationState(MigrationState.StopCopy)?.Dispose();

        VfioException ex = Assert.Throws<VfioException>(() => dev.SetMigrationState(MigrationState.PreCopy));

        Assert.Equal(ErrorCode.UnsafeStateArc, ex.Code);
        Assert.Equal("spin", ex.Device);
        Assert.Equal(MigrationState.StopCopy, dev.GetMigrationState());
    }

    [Fact]
    public void StopCopyToPreCopy_IsRefusedBeforeAnySet()
    {
        var device = new Mock<IVfioDevice>(MockBehavior.Strict);
        device.SetupGet(d => d.Name).Returns("5b8f0a3c-mtty");
        device.Setup(d => d.GetMigrationFeatures()).Returns(MigrationFeatures.StopCopy | MigrationFeatures.PreCopy);
        device.Setup(d => d.GetMigrationState()).Returns(MigrationState.StopCopy);
        MigrationDriver driver = MigrationDriver.Open(device.Object);

        VfioException ex = Assert.Throws<VfioException>(() => driver.TransitionTo(MigrationState.PreCopy, RecoveryPolicy.Source));

        Assert.Equal(ErrorCode.UnsafeStateArc, ex.Code);
        Assert.Equal("5b8f0a3c-mtty", ex.Device);
        device.Verify(d => d.SetMigrationState(It.IsAny<MigrationState>()), Times.Never);
        device.Verify(d => d.Reset(), Times.Never);
    }

    [Fact]
    public void StreamOpenedByAnInteriorArc_IsDisposed_AndOnlyTheFinalOneReturned()
    {
        // A misbehaving device that opens a session on every arc; the kernel never does this on an interior arc.
        var state = MigrationState.Running;
        var interior = new RecordingStream();
        var final = new RecordingStream();
        var device = new Mock<IVfioDevice>(MockBehavior.Strict);
        device.SetupGet(d => d.Name).Returns("odd");
        device.Setup(d => d.GetMigrationFeatures()).Returns(MigrationFeatures.StopCopy);
        device.Setup(d => d.GetMigrationState()).Returns(() => state);
        device.Setup(d => d.SetMigrationState(MigrationState.Stop)).Returns(() => { state = MigrationState.Stop; return interior; });
        device.Setup(d => d.SetMigrationState(MigrationState.StopCopy)).Returns(() => { state = MigrationState.StopCopy; return final; });

        using MigrationDataStream? stream = MigrationDriver.Open(device.Object).TransitionTo(MigrationState.StopCopy);

        Assert.Same(final, stream);
        Assert.True(interior.Disposed);
        Assert.False(final.Disposed);
    }

    private sealed class RecordingStream : MigrationDataStream
    {
        public bool Disposed { get; private set; }

        public override bool CanRead => true;

        public override bool CanWrite => false;

        public override int TryRead(Span<byte> buffer) => 0;

        public override PrecopyInfo GetPrecopyInfo() => default;

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
