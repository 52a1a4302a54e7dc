using Vfio.DeviceModels;
using Vfio.DeviceModels.Streams;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Errors;
using Vfio.Migration;
using Vfio.Sdk.Testing;
using Vfio.Tests.Support;

namespace Vfio.Tests.DeviceModels.Sdk;

/// <summary>
/// A vendor device saved through the emulated VFIO device and the migration driver, wrapped in the envelope,
/// and loaded into another: the whole source-to-destination path with no kernel.
/// </summary>
public sealed class EmulatedMigrationTests
{
    private const MigrationFeatures All = MigrationFeatures.StopCopy | MigrationFeatures.P2P | MigrationFeatures.PreCopy;

    [Theory]
    [InlineData(MigrationProtocolKind.V2Feature)]
    [InlineData(MigrationProtocolKind.V1Region)]
    public void SaveThroughEnvelope_LoadsIntoAnotherDevice(MigrationProtocolKind protocol)
    {
        using var sourceNic = new TestNic("src-nic", TestNic.V3, All, rings: 4, ringSize: 50_000);
        sourceNic.Fill(seed: 9);
        using var destinationNic = new TestNic("dst-nic", TestNic.V3, All, rings: 4, ringSize: 50_000);
        var options = new EmulatedDeviceOptions { Protocol = protocol };
        using var source = new EmulatedVfioDevice("src", sourceNic, options);
        using var destination = new EmulatedVfioDevice("dst", destinationNic, options);

        using var envelope = new MemoryStream();
        MigrationDriver sourceDriver = MigrationDriver.Open(source);
        using (MigrationDataStream saved = sourceDriver.TransitionTo(MigrationState.StopCopy)!)
        {
            MigrationStreamWriter.CopyFrom(saved, envelope, sourceNic.CreateStreamHeader(), chunkSize: 16 * 1024);
        }
        sourceDriver.TransitionTo(MigrationState.Stop);

        envelope.Position = 0;
        MigrationDriver destinationDriver = MigrationDriver.Open(destination);
        using (var reader = new MigrationStreamReader(envelope, destinationNic.ValidateStreamHeader, 16 * 1024))
        using (MigrationDataStream resuming = destinationDriver.TransitionTo(MigrationState.Resuming)!)
        {
            reader.CopyTo(resuming);
            Assert.True(reader.IsComplete);
        }
        destinationDriver.TransitionTo(MigrationState.Running);

        destinationNic.AssertSameState(sourceNic);
        Assert.Equal(MigrationState.Running, ((IMigrationBackend)destinationNic).State);
        Assert.Equal(MigrationState.Stop, ((IMigrationBackend)sourceNic).State);
    }

    [Fact]
    public void PreCopyThroughTheEmulatedDevice_ResendsOnlyTheDirtyRing()
    {
        using var sourceNic = new TestNic("src-nic", TestNic.V3, All, rings: 3, ringSize: 10_000);
        sourceNic.Fill(seed: 5);
        using var source = new EmulatedVfioDevice("src", sourceNic);
        MigrationDriver driver = MigrationDriver.Open(source);
        using var envelope = new MemoryStream();
        var writer = new MigrationStreamWriter(envelope, sourceNic.CreateStreamHeader());
        byte[] buffer = new byte[4096];

        using (MigrationDataStream session = driver.TransitionTo(MigrationState.PreCopy)!)
        {
            Drain(session, writer, buffer);                       // initial data: every ring once
            Assert.Equal(0ul, session.GetPrecopyInfo().InitialBytes);
            sourceNic.Receive(ring: 0, offset: 1, value: 0x42);
            Drain(session, writer, buffer);                       // dirty data: ring0 again
            Assert.Null(driver.TransitionTo(MigrationState.StopCopy)); // the pre-copy session carries on
            Drain(session, writer, buffer);                       // the rest: core fields and the end marker
        }
        writer.Complete();
        driver.TransitionTo(MigrationState.Stop);

        Assert.Equal(new Dictionary<string, int> { ["ring0"] = 2, ["ring1"] = 1, ["ring2"] = 1 }, sourceNic.SectionSaves);

        using var destinationNic = new TestNic("dst-nic", TestNic.V3, All, rings: 3, ringSize: 10_000);
        using var destination = new EmulatedVfioDevice("dst", destinationNic);
        MigrationDriver destinationDriver = MigrationDriver.Open(destination);
        envelope.Position = 0;
        using (var reader = new MigrationStreamReader(envelope, destinationNic.ValidateStreamHeader))
        using (MigrationDataStream resuming = destinationDriver.TransitionTo(MigrationState.Resuming)!)
        {
            reader.CopyTo(resuming);
        }
        destinationDriver.TransitionTo(MigrationState.Stop);
        destinationNic.AssertSameState(sourceNic);
        Assert.Equal(0x42, destinationNic.Rings[0][1]);
    }

    [Fact]
    public void HeaderMismatch_LeavesTheDestinationUntouched()
    {
        using var sourceNic = new TestNic("src-nic", TestNic.V3, All);
        sourceNic.Fill(seed: 6);
        DeviceConfiguration other = DeviceConfiguration.Parse(TestNicModels.NicV3, "version=2");
        using var destinationNic = new TestNic("dst-nic", other, All);
        using var source = new EmulatedVfioDevice("src", sourceNic);
        using var envelope = new MemoryStream();
        MigrationDriver driver = MigrationDriver.Open(source);
        using (MigrationDataStream saved = driver.TransitionTo(MigrationState.StopCopy)!)
        {
            MigrationStreamWriter.CopyFrom(saved, envelope, sourceNic.CreateStreamHeader());
        }
        envelope.Position = 0;

        // The loader validates before it even moves the destination into RESUMING.
        using var reader = new MigrationStreamReader(envelope, destinationNic.ValidateStreamHeader);
        var e = Assert.Throws<VfioException>(() => reader.ReadHeader());

        Assert.Equal(ErrorCode.StreamHeaderMismatch, e.Code);
        Assert.Equal("rss", e.Parameter);
        Assert.Equal(MigrationState.Running, ((IMigrationBackend)destinationNic).State);
        Assert.Equal(0u, destinationNic.RxHead);
    }

    // What the device has now, through the test kit: until "nothing now" (-1) in PRE_COPY, until the end (0) in STOP_COPY.
    private static void Drain(MigrationDataStream session, MigrationStreamWriter writer, byte[] buffer) =>
        writer.Write(MigrationTestKit.Drain(session, stopAtNothingNow: true, buffer.Length));
}
