using Vfio.Errors;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Moq;
using Vfio.Devices;

namespace Vfio.Tests.Manager.Migration;

/// <summary>
/// The one interaction test: after the destination fails to load, the orchestrator must never ask it
/// to run; only the source resumes. The destination is a strict mock, so any other call fails the test too.
/// </summary>
public sealed class FailedLoadResumesOnlyTheSourceTests : IDisposable
{
    private readonly EmulatedMigrationHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task AfterAFailedLoad_TheDestinationIsResetAndStopped_NeverRun_AndTheSourceRuns()
    {
        MdevUuid source = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        MdevUuid destination = _host.CreateDevice(EmulatedMigrationHost.V2Type);
        var state = MigrationState.Running;
        var device = new Mock<IVfioDevice>(MockBehavior.Strict);
        device.Setup(d => d.Name).Returns(destination.ToString());
        device.Setup(d => d.GetMigrationFeatures()).Returns(MigrationFeatures.StopCopy);
        device.Setup(d => d.GetMigrationState()).Returns(() => state);
        device.Setup(d => d.SetMigrationState(MigrationState.Resuming)).Returns(() =>
        {
            state = MigrationState.Resuming;
            return new SinkDataStream();
        });
        device.Setup(d => d.SetMigrationState(MigrationState.Stop)).Returns(() =>
        {
            if (state == MigrationState.Resuming)
            {
                // The driver's load code refuses the state on RESUMING -> STOP and the device reports ERROR.
                state = MigrationState.Error;
                throw new VfioException(ErrorCode.DeviceStateLoadFailed, "load failed") { Device = destination.ToString() };
            }
            state = MigrationState.Stop;
            return null;
        });
        device.Setup(d => d.Reset()).Callback(() => state = MigrationState.Running);
        device.Setup(d => d.Dispose());
        _host.Recording.Override = uuid => uuid == destination ? device.Object : null;

        MigrationOutcome outcome = await new MigrationOrchestrator().MigrateAsync(
            new MigrationSource(_host.Migration, source), MigrationDestination.Existing(_host.Migration, destination));

        Assert.Equal(ErrorCode.DeviceInErrorState, outcome.Error);
        device.Verify(d => d.SetMigrationState(MigrationState.Running), Times.Never);
        device.Verify(d => d.Reset(), Times.Once);
        Assert.Equal(MigrationState.Stop, state);
        Assert.Equal(MigrationState.Running, outcome.SourceState);
        Assert.Equal(MigrationState.Running, _host.StateOf(source));
    }

    private sealed class SinkDataStream : MigrationDataStream
    {
        public override bool CanRead => false;

        public override bool CanWrite => true;

        public override int TryRead(Span<byte> buffer) => throw new NotSupportedException();

        public override PrecopyInfo GetPrecopyInfo() => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
        }
    }
}
