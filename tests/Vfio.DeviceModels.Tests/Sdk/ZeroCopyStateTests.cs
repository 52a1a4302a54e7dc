using Vfio.DeviceModels.State;
using Vfio.DeviceModels.Streams;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Errors;
using Vfio.Migration;

namespace Vfio.Tests.DeviceModels.Sdk;

/// <summary>
/// The device-state path with one copy per side: in STOP_COPY the source sends its pages from where they are, the
/// destination loads them straight into its pages (LoadTarget), and a transfer allocates independently of the
/// state's size.
/// </summary>
public sealed class ZeroCopyStateTests
{
    private const int Page = 64 << 10;

    [Fact]
    public void Crc32CCombine_IsTheCrcOfTheConcatenation()
    {
        byte[] data = new byte[5000];
        new Random(3).NextBytes(data);
        foreach (int split in new[] { 0, 1, 7, 2500, 4999, 5000 })
        {
            uint combined = Crc32CCombine.Combine(Crc32C.Compute(data.AsSpan(0, split)), Crc32C.Compute(data.AsSpan(split)), data.Length - split);
            Assert.Equal(Crc32C.Compute(data), combined);
        }
    }

    [Fact]
    public void Crc32CCombine_HoldsForLongSecondPartsOfEveryLengthBit()
    {
        byte[] data = new byte[(3 << 20) + 4097];
        new Random(4).NextBytes(data);
        var random = new Random(5);
        uint whole = Crc32C.Compute(data);
        for (int i = 0; i < 24; i++)
        {
            int split = i < 21 ? data.Length - (1 << i) - i : random.Next(data.Length);
            uint combined = Crc32CCombine.Combine(Crc32C.Compute(data.AsSpan(0, split)), Crc32C.Compute(data.AsSpan(split)), data.Length - split);
            Assert.Equal(whole, combined);
        }
    }

    [Theory]
    [InlineData(333)]
    [InlineData(Page)]
    [InlineData(1 << 20)]
    public void StopCopy_SendsTheSameBytesAsTheCopyingSave(int piece)
    {
        using var copying = new PagedDevice("a", pages: 4, Page);
        copying.Fill(seed: 1);
        using var stopped = new PagedDevice("b", pages: 4, Page);
        stopped.Fill(seed: 1);

        // Pre-copy encodes (copies) every section; STOP_COPY then adds the core fields. The stopped device's save
        // sends the same sections by reference.
        Step(copying, MigrationState.PreCopy);
        byte[] sections = ReadAll(copying, piece);
        Step(copying, MigrationState.StopCopy);
        byte[] core = ReadAll(copying, piece);
        Step(stopped, MigrationState.Stop, MigrationState.StopCopy);
        byte[] whole = ReadAll(stopped, piece);

        Assert.Equal([.. sections, .. core], whole);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(333)]
    [InlineData(24_576)]
    [InlineData(24_577)]
    [InlineData(Page + 5)]
    [InlineData(1 << 20)]
    public void ChecksummedReads_GiveTheCrcOfExactlyTheBytesRead_AndTheSameBytes(int piece)
    {
        // Pages of 100,000 bytes: not a multiple of the running-CRC block, so reads cut blocks at every offset.
        using var plain = new PagedDevice("a", pages: 3, 100_000);
        plain.Fill(seed: 7);
        using var checksummed = new PagedDevice("b", pages: 3, 100_000);
        checksummed.Fill(seed: 7);

        // Pre-copy (encoded pieces), then STOP_COPY (pages by reference).
        Step(plain, MigrationState.PreCopy);
        Step(checksummed, MigrationState.PreCopy);
        byte[] expected = [.. ReadAll(plain, piece)];
        byte[] got = [.. ReadAllChecksummed(checksummed, piece, out int reads)];
        Step(plain, MigrationState.StopCopy);
        Step(checksummed, MigrationState.StopCopy);
        expected = [.. expected, .. ReadAll(plain, piece)];
        got = [.. got, .. ReadAllChecksummed(checksummed, piece, out int more)];

        Assert.Equal(expected, got);
        Assert.True(reads > 0 && more > 0);
    }

    [Fact]
    public void StopCopy_AnArrayChangedAfterItWasHandedOver_IsRefusedByTheLoadingDevice()
    {
        using var source = new PagedDevice("src", pages: 3, Page) { ReuseScratchArray = true };
        source.Fill(seed: 2);
        using var destination = new PagedDevice("dst", pages: 3, Page);

        var e = Assert.Throws<DeviceStateException>(() => Load(destination, SaveStopped(source), piece: 4096));

        Assert.Equal(ErrorCode.DeviceStateChecksumMismatch, e.Code);
        Assert.Equal(MigrationState.Error, ((IMigrationBackend)destination).State);
    }

    [Fact]
    public void StopCopy_AnArrayChangedAfterItWasHandedOver_UnderTheDevicesChecksums_IsRefusedByTheEnvelopesReader()
    {
        using var sourceDevice = new PagedDevice("src-dev", pages: 3, Page) { ReuseScratchArray = true };
        sourceDevice.Fill(seed: 9);
        using var destinationDevice = new PagedDevice("dst-dev", pages: 3, Page);
        using var source = new EmulatedVfioDevice("src", sourceDevice);
        using var destination = new EmulatedVfioDevice("dst", destinationDevice);
        using var envelope = new MemoryStream();
        MigrationDriver sourceDriver = MigrationDriver.Open(source);
        using (MigrationDataStream saved = sourceDriver.TransitionTo(MigrationState.StopCopy)!)
        {
            // As the source half does: the device's checksum of each read becomes the record's.
            var writer = new MigrationStreamWriter(envelope, sourceDevice.CreateStreamHeader(), chunkSize: 50_000);
            int n;
            while ((n = saved.TryRead(writer.GetChunkMemory().Span, out uint? crc)) > 0)
            {
                writer.Advance(n, crc);
                if (writer.IsChunkFull)
                {
                    writer.WriteChunk();
                }
            }
            writer.Complete();
        }
        envelope.Position = 0;
        MigrationDriver destinationDriver = MigrationDriver.Open(destination);
        using var reader = new MigrationStreamReader(envelope, destinationDevice.ValidateStreamHeader, 50_000);
        using MigrationDataStream resuming = destinationDriver.TransitionTo(MigrationState.Resuming)!;

        var e = Assert.Throws<MigrationStreamException>(() => reader.CopyTo(resuming));

        Assert.Equal(ErrorCode.StreamCrc, e.Code);
        Assert.Equal(0, destinationDevice.SectionLoads);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(4096)]
    [InlineData(1 << 20)]
    public void LoadTarget_PagesArriveInPlace_AndLoadSectionStillRunsOnEachSection(int piece)
    {
        using var source = new PagedDevice("src", pages: 4, Page) { Generation = 9 };
        source.Fill(seed: 3);
        using var destination = new PagedDevice("dst", pages: 4, Page);

        Load(destination, SaveStopped(source), piece);

        Assert.True(destination.SameAs(source));
        Assert.Equal(4, destination.SectionLoads);
        Assert.Equal(4, destination.LoadedInPlace);
    }

    [Fact]
    public void WithoutLoadTarget_SectionsLoadThroughTheReader()
    {
        using var source = new PagedDevice("src", pages: 4, Page) { Generation = 5 };
        source.Fill(seed: 4);
        using var destination = new PagedDevice("dst", pages: 4, Page, inPlace: false);

        Load(destination, SaveStopped(source), piece: 1000);

        Assert.True(destination.SameAs(source));
        Assert.Equal(4, destination.SectionLoads);
        Assert.Equal(0, destination.LoadedInPlace);
    }

    [Fact]
    public void LoadTarget_ADamagedPage_FailsTheLoadBeforeItsLoadSectionRuns()
    {
        using var source = new PagedDevice("src", pages: 4, Page);
        source.Fill(seed: 5);
        byte[] state = SaveStopped(source);
        // Preamble, then frame + section per page: damage the middle of page 2.
        int perPage = (state.Length - DeviceStateFormat.PreambleLength) / 4;
        state[DeviceStateFormat.PreambleLength + 2 * perPage + perPage / 2] ^= 0x10;
        using var destination = new PagedDevice("dst", pages: 4, Page);

        var e = Assert.Throws<DeviceStateException>(() => Load(destination, state, piece: 8192));

        Assert.Equal(ErrorCode.DeviceStateChecksumMismatch, e.Code);
        Assert.Equal(2, destination.SectionLoads);
        Assert.Equal(MigrationState.Error, ((IMigrationBackend)destination).State);
    }

    [Theory]
    [InlineData(MigrationProtocolKind.V2Feature)]
    [InlineData(MigrationProtocolKind.V1Region)]
    public void ThroughTheEmulatedDeviceAndTheEnvelope_PagesMoveByReferenceAndLoadInPlace(MigrationProtocolKind protocol)
    {
        using var sourceDevice = new PagedDevice("src-dev", pages: 5, Page) { Generation = 3 };
        sourceDevice.Fill(seed: 6);
        using var destinationDevice = new PagedDevice("dst-dev", pages: 5, Page);
        var options = new EmulatedDeviceOptions { Protocol = protocol };
        using var source = new EmulatedVfioDevice("src", sourceDevice, options);
        using var destination = new EmulatedVfioDevice("dst", destinationDevice, options);

        using var envelope = new MemoryStream();
        MigrationDriver sourceDriver = MigrationDriver.Open(source);
        using (MigrationDataStream saved = sourceDriver.TransitionTo(MigrationState.StopCopy)!)
        {
            MigrationStreamWriter.CopyFrom(saved, envelope, sourceDevice.CreateStreamHeader(), chunkSize: 20_000);
        }
        sourceDriver.TransitionTo(MigrationState.Stop);
        envelope.Position = 0;
        MigrationDriver destinationDriver = MigrationDriver.Open(destination);
        using (var reader = new MigrationStreamReader(envelope, destinationDevice.ValidateStreamHeader, 20_000))
        using (MigrationDataStream resuming = destinationDriver.TransitionTo(MigrationState.Resuming)!)
        {
            reader.CopyTo(resuming);
        }
        destinationDriver.TransitionTo(MigrationState.Running);

        Assert.True(destinationDevice.SameAs(sourceDevice));
        Assert.Equal(5, destinationDevice.LoadedInPlace);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(150_000L)]
    public void TheEmulatedDataFd_PassesTheDevicesChecksums_ExceptForBytesAFaultChanged(long? corruptAt)
    {
        using var device = new PagedDevice("src-dev", pages: 3, 100_000);
        device.Fill(seed: 8);
        using var emulated = new EmulatedVfioDevice("src", device) { Faults = new EmulatedFaults { CorruptSavedByteAt = corruptAt } };
        MigrationDriver driver = MigrationDriver.Open(emulated);
        byte[] buffer = new byte[40_000];
        long at = 0;
        int withChecksum = 0, without = 0;
        using (MigrationDataStream session = driver.TransitionTo(MigrationState.StopCopy)!)
        {
            int n;
            while ((n = session.TryRead(buffer, out uint? crc)) > 0)
            {
                bool damaged = corruptAt >= at && corruptAt < at + n;
                if (damaged)
                {
                    // A real data_fd gives no checksum; a changed byte must not travel under the device's checksum.
                    Assert.Null(crc);
                    without++;
                }
                else
                {
                    Assert.Equal(Crc32C.Compute(buffer.AsSpan(0, n)), crc);
                    withChecksum++;
                }
                at += n;
            }
        }
        driver.TransitionTo(MigrationState.Stop);

        Assert.True(withChecksum >= 7);
        Assert.Equal(corruptAt is null ? 0 : 1, without);
    }

    [Fact]
    public void Transfer_AllocatesIndependentlyOfTheStateSize()
    {
        Transfer(pages: 2); // JIT and pools first
        long small = Transfer(pages: 8);
        long large = Transfer(pages: 64);

        // 64 MiB moved from device to device in 1 MiB reads: only per-section bookkeeping grows with the state.
        Assert.True(large < 4 << 20, $"a 64 MiB transfer allocated {large} bytes");
        Assert.True(large - small < 1 << 20, $"64 MiB allocated {large} bytes, 8 MiB {small}: allocation grows with the state");
    }

    // Bytes this thread allocated to save a stopped device of N 1 MiB pages in 1 MiB reads and load each read into
    // another device (in place), from the first read to the end of the load.
    private static long Transfer(int pages)
    {
        using var source = new PagedDevice("src", pages, 1 << 20);
        source.Fill(seed: pages);
        using var destination = new PagedDevice("dst", pages, 1 << 20);
        Step(source, MigrationState.Stop, MigrationState.StopCopy);
        Step(destination, MigrationState.Stop, MigrationState.Resuming);
        byte[] buffer = new byte[1 << 20];
        long before = GC.GetAllocatedBytesForCurrentThread();
        int n;
        while ((n = ((IMigrationBackend)source).ReadData(buffer)) > 0)
        {
            ((IMigrationBackend)destination).WriteData(buffer.AsSpan(0, n));
        }
        Step(destination, MigrationState.Stop);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(destination.SameAs(source));
        return allocated;
    }

    private static byte[] SaveStopped(PagedDevice device)
    {
        Step(device, MigrationState.Stop, MigrationState.StopCopy);
        byte[] state = ReadAll(device, 333);
        Step(device, MigrationState.Stop);
        return state;
    }

    private static void Load(PagedDevice device, byte[] state, int piece)
    {
        Step(device, MigrationState.Stop, MigrationState.Resuming);
        for (int i = 0; i < state.Length; i += piece)
        {
            ((IMigrationBackend)device).WriteData(state.AsSpan(i, Math.Min(piece, state.Length - i)));
        }
        Step(device, MigrationState.Stop);
    }

    private static byte[] ReadAll(PagedDevice device, int piece)
    {
        using var output = new MemoryStream();
        byte[] buffer = new byte[piece];
        int n;
        while ((n = ((IMigrationBackend)device).ReadData(buffer)) > 0)
        {
            output.Write(buffer, 0, n);
        }
        return output.ToArray();
    }

    // Reads with the checksum, asserting each read's checksum is that of its bytes.
    private static byte[] ReadAllChecksummed(PagedDevice device, int piece, out int reads)
    {
        using var output = new MemoryStream();
        byte[] buffer = new byte[piece];
        reads = 0;
        while (true)
        {
            int n = ((IMigrationBackend)device).ReadData(buffer, out uint? crc);
            if (n <= 0)
            {
                Assert.Null(crc);
                break;
            }
            Assert.Equal(Crc32C.Compute(buffer.AsSpan(0, n)), crc);
            output.Write(buffer, 0, n);
            reads++;
        }
        return output.ToArray();
    }

    private static void Step(PagedDevice device, params MigrationState[] states)
    {
        foreach (MigrationState state in states)
        {
            ((IMigrationBackend)device).Step(state);
        }
    }
}
