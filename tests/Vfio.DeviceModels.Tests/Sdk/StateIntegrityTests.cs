using Vfio.DeviceModels.State;
using Vfio.DeviceModels.Streams;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Errors;
using Vfio.Migration;
using Vfio.Tests.Support;

namespace Vfio.Tests.DeviceModels.Sdk;

/// <summary>
/// End-to-end integrity of an SDK device's saved state (docs/device-state-format.md, "Checksum frames"): a byte changed
/// anywhere after the preamble between the saving device and the loading one is refused with E4012 before the load
/// code applies anything of the damaged piece, in pre-copy pieces, with early section loads, and through both
/// migration protocols of the emulated device (where the envelope's CRC cannot see it).
/// </summary>
public sealed class StateIntegrityTests
{
    private const MigrationFeatures PreCopy = MigrationFeatures.StopCopy | MigrationFeatures.PreCopy;
    private const MigrationFeatures All = MigrationFeatures.StopCopy | MigrationFeatures.P2P | MigrationFeatures.PreCopy;

    // A pre-copy save: the initial pass, one ring re-sent after it changed, then stop-copy (a ring changed again and the core).
    private static byte[] PreCopyStream(TestNic source)
    {
        ((IMigrationBackend)source).Step(MigrationState.PreCopy);
        byte[] initial = source.ReadAll();
        source.Receive(ring: 1, offset: 5, value: 0xEE);
        byte[] dirty = source.ReadAll();
        source.Receive(ring: 2, offset: 9, value: 0xDD);
        ((IMigrationBackend)source).Step(MigrationState.StopCopy);
        byte[] final = source.ReadAll();
        ((IMigrationBackend)source).Step(MigrationState.Stop);
        return [.. initial, .. dirty, .. final];
    }

    private static DeviceStateException LoadExpectingFailure(TestNic destination, byte[] state)
    {
        ((IMigrationBackend)destination).Step(MigrationState.Stop);
        ((IMigrationBackend)destination).Step(MigrationState.Resuming);
        return Assert.Throws<DeviceStateException>(() =>
        {
            for (int i = 0; i < state.Length; i += 64)
            {
                ((IMigrationBackend)destination).WriteData(state.AsSpan(i, Math.Min(64, state.Length - i)));
            }
            ((IMigrationBackend)destination).Step(MigrationState.Stop);
        });
    }

    [Fact]
    public void PreCopyStream_EveryByteChangedAfterThePreamble_IsRefusedBeforeAnythingIsApplied()
    {
        using var source = new TestNic("src", TestNic.V3, PreCopy);
        source.Fill(seed: 3);
        byte[] state = PreCopyStream(source);
        using (var clean = new TestNic("dst", TestNic.V3, PreCopy))
        {
            ((IMigrationBackend)clean).Step(MigrationState.Stop);
            ((IMigrationBackend)clean).Step(MigrationState.Resuming);
            ((IMigrationBackend)clean).WriteData(state);
            ((IMigrationBackend)clean).Step(MigrationState.Stop);
            clean.AssertSameState(source);
        }

        for (int at = DeviceStateFormat.PreambleLength; at < state.Length; at++)
        {
            byte[] damaged = (byte[])state.Clone();
            damaged[at] ^= 0xFF;
            using var destination = new TestNic("dst", TestNic.V3, PreCopy);

            DeviceStateException e = LoadExpectingFailure(destination, damaged);

            Assert.True(e.Code == ErrorCode.DeviceStateChecksumMismatch, $"byte {at} of {state.Length}: {e.Code} {e.Message}");
            Assert.Equal(MigrationState.Error, ((IMigrationBackend)destination).State);
            Assert.Equal("", destination.Label);
            Assert.All(destination.Rings, ring => Assert.All(ring, b => Assert.Equal(0, b)));
        }
    }

    [Fact]
    public void EarlyLoad_ADamagedSectionIsNotApplied_TheVerifiedOnesBeforeItAre()
    {
        using var source = new TestNic("src", TestNic.V3, PreCopy);
        source.Fill(seed: 4);
        ((IMigrationBackend)source).Step(MigrationState.PreCopy);
        byte[] initial = source.ReadAll();
        // Preamble, then frame + ring0, frame + ring1, ...: damage a byte in the middle of ring1's descriptors.
        int ringPiece = (initial.Length - DeviceStateFormat.PreambleLength) / source.RingNames.Length;
        int at = DeviceStateFormat.PreambleLength + ringPiece + ringPiece / 2;
        initial[at] ^= 0x20;
        using var destination = new TestNic("dst", TestNic.V3, PreCopy) { EarlyLoad = true };
        ((IMigrationBackend)destination).Step(MigrationState.Stop);
        ((IMigrationBackend)destination).Step(MigrationState.Resuming);

        var e = Assert.Throws<DeviceStateException>(() => ((IMigrationBackend)destination).WriteData(initial));

        Assert.Equal(ErrorCode.DeviceStateChecksumMismatch, e.Code);
        Assert.Equal("dst", e.Device);
        Assert.Equal(source.Rings[0], destination.Rings[0]);
        Assert.All(destination.Rings[1], b => Assert.Equal(0, b));
        Assert.Equal(MigrationState.Error, ((IMigrationBackend)destination).State);
    }

    [Fact]
    public void PersistedState_WithAChangedByte_IsRefused_AndTheDeviceKeepsItsState()
    {
        using var source = new TestNic("src", TestNic.V3, PreCopy);
        source.Fill(seed: 5);
        using var file = new MemoryStream();
        ((IPersistentMigrationBackend)source).ExportState(file);
        byte[] state = file.ToArray();
        state[state.Length / 2] ^= 0x01;
        using var device = new TestNic("dev", TestNic.V3, PreCopy);
        device.Fill(seed: 6);

        var e = Assert.Throws<DeviceStateException>(() => ((IPersistentMigrationBackend)device).ImportState(state));

        Assert.Equal(ErrorCode.DeviceStateChecksumMismatch, e.Code);
        Assert.Equal("eth6", device.Label);
    }

    public static TheoryData<MigrationProtocolKind, string> Corruptions()
    {
        var data = new TheoryData<MigrationProtocolKind, string>();
        foreach (MigrationProtocolKind protocol in new[] { MigrationProtocolKind.V2Feature, MigrationProtocolKind.V1Region })
        {
            foreach (string where in new[] { "first frame", "byte 300", "middle", "last byte" })
            {
                data.Add(protocol, where);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void SourceDriverCorruptsItsOutput_EnvelopeCrcPasses_DestinationRefusesWithE4012(MigrationProtocolKind protocol, string where)
    {
        byte[] clean;
        using (var cleanSource = NewNic("src-nic", seed: 9))
        using (var cleanDestination = NewNic("dst-nic", seed: null))
        {
            clean = Migrate(protocol, cleanSource, cleanDestination, corruptAt: null);
            cleanDestination.AssertSameState(cleanSource);
        }
        long at = where switch
        {
            "first frame" => DeviceStateFormat.PreambleLength,
            "byte 300" => 300,
            "middle" => clean.Length / 2,
            _ => clean.Length - 1,
        };
        using var source = NewNic("src-nic", seed: 9);
        using var destination = NewNic("dst-nic", seed: null);

        var e = Assert.Throws<DeviceStateException>(() => Migrate(protocol, source, destination, at));

        Assert.Equal(ErrorCode.DeviceStateChecksumMismatch, e.Code);
        Assert.Equal("dst-nic", e.Device);
        Assert.Equal(MigrationState.Error, ((IMigrationBackend)destination).State);
        Assert.Equal("", destination.Label);
    }

    private static TestNic NewNic(string name, int? seed)
    {
        var nic = new TestNic(name, TestNic.V3, All, rings: 4, ringSize: 5_000);
        if (seed is int s)
        {
            nic.Fill(s);
        }
        return nic;
    }

    // Saves the source through the emulated device (the fault corrupts the driver's output before the envelope computes
    // its CRC), then loads it into the destination; returns the device data as the source driver produced it.
    private static byte[] Migrate(MigrationProtocolKind protocol, TestNic sourceNic, TestNic destinationNic, long? corruptAt)
    {
        var options = new EmulatedDeviceOptions { Protocol = protocol };
        using var source = new EmulatedVfioDevice("src", sourceNic, options) { Faults = new EmulatedFaults { CorruptSavedByteAt = corruptAt } };
        using var destination = new EmulatedVfioDevice("dst", destinationNic, options);

        using var envelope = new MemoryStream();
        using var data = new MemoryStream();
        MigrationDriver sourceDriver = MigrationDriver.Open(source);
        using (MigrationDataStream saved = sourceDriver.TransitionTo(MigrationState.StopCopy)!)
        using (var tee = new TeeStream(saved, data))
        {
            MigrationStreamWriter.CopyFrom(tee, envelope, sourceNic.CreateStreamHeader(), chunkSize: 4096);
        }
        sourceDriver.TransitionTo(MigrationState.Stop);

        envelope.Position = 0;
        MigrationDriver destinationDriver = MigrationDriver.Open(destination);
        using (var reader = new MigrationStreamReader(envelope, destinationNic.ValidateStreamHeader, 4096))
        using (MigrationDataStream resuming = destinationDriver.TransitionTo(MigrationState.Resuming)!)
        {
            reader.CopyTo(resuming);
        }
        destinationDriver.TransitionTo(MigrationState.Running);
        return data.ToArray();
    }

    // Copies what is read from the device's data stream aside.
    private sealed class TeeStream(Stream inner, Stream copy) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            copy.Write(buffer[..n]);
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
