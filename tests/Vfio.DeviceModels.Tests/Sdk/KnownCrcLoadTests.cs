using Vfio.DeviceModels.State;
using Vfio.DeviceModels.Streams;
using Vfio.Devices;
using Vfio.Errors;
using Vfio.Migration;

namespace Vfio.Tests.DeviceModels.Sdk;

/// <summary>
/// Loading bytes that come with their verified CRC-32C (the envelope's record checksum): the longest payload run in
/// each write is not checksummed again, its CRC is split out of the one given, and every frame is still checked.
/// </summary>
public sealed class KnownCrcLoadTests
{
    private const int PageSize = 200_003; // sections larger than the run threshold, not aligned to anything

    [Theory]
    [InlineData(65_536, true)]
    [InlineData(100_000, true)]
    [InlineData(200_040, true)]
    [InlineData(333_333, true)]
    [InlineData(1 << 20, true)]
    [InlineData(100_000, false)]
    [InlineData(1 << 20, false)]
    public void WithTheChecksum_LoadsWhatThePlainPathLoads(int piece, bool inPlace)
    {
        byte[] state = Saved(out PagedDevice source);
        using (source)
        {
            using var plain = new PagedDevice("plain", pages: 5, PageSize, inPlace);
            using var checksummed = new PagedDevice("checksummed", pages: 5, PageSize, inPlace);

            Load(plain, state, piece, crc: null);
            Load(checksummed, state, piece, crc: bytes => Crc32C.Compute(bytes));

            Assert.True(plain.SameAs(source));
            Assert.True(checksummed.SameAs(source));
            Assert.Equal(source.Generation, checksummed.Generation);
            Assert.Equal(5, checksummed.SectionLoads);
            Assert.Equal(inPlace ? 5 : 0, checksummed.LoadedInPlace);
        }
    }

    [Theory]
    [InlineData(100_000)]
    [InlineData(150_000)] // (a write of several whole frames takes the ordinary path, which does not use the checksum)
    public void AChecksumThatIsNotTheBytes_IsRefusedBeforeTheFrameIsPassedOn(int piece)
    {
        byte[] state = Saved(out PagedDevice source);
        source.Dispose();
        using var destination = new PagedDevice("dst", pages: 5, PageSize);
        int write = 0;

        // The first write's checksum is off by one bit: the payload run split out of it no longer matches its frame.
        var e = Assert.Throws<DeviceStateException>(() => Load(destination, state, piece, bytes => Crc32C.Compute(bytes) ^ (write++ == 0 ? 1u : 0u)));

        Assert.Equal(ErrorCode.DeviceStateChecksumMismatch, e.Code);
        Assert.Equal(MigrationState.Error, ((IMigrationBackend)destination).State);
        Assert.Equal(0, destination.SectionLoads);
    }

    [Theory]
    [InlineData(20)]       // a frame header
    [InlineData(150_000)]  // inside the first page's payload
    [InlineData(450_000)]  // inside the third's
    public void DamagedBytes_UnderTheirOwnChecksum_AreStillCaughtByTheFrame(int at)
    {
        // An envelope checks bytes against the checksum computed over them; bytes damaged before that (a source that
        // changed them after its device checksummed them) travel under a matching record checksum, and the frame's
        // own CRC is what refuses them.
        byte[] state = Saved(out PagedDevice source);
        source.Dispose();
        state[DeviceStateFormat.PreambleLength + at] ^= 0x04;
        using var destination = new PagedDevice("dst", pages: 5, PageSize);

        var e = Assert.Throws<DeviceStateException>(() => Load(destination, state, 1 << 20, bytes => Crc32C.Compute(bytes)));

        Assert.Equal(ErrorCode.DeviceStateChecksumMismatch, e.Code);
        Assert.Equal(MigrationState.Error, ((IMigrationBackend)destination).State);
    }

    private static byte[] Saved(out PagedDevice source)
    {
        source = new PagedDevice("src", pages: 5, PageSize) { Generation = 77 };
        source.Fill(seed: 21);
        var backend = (IMigrationBackend)source;
        backend.Step(MigrationState.Stop);
        backend.Step(MigrationState.StopCopy);
        using var output = new MemoryStream();
        byte[] buffer = new byte[64 << 10];
        int n;
        while ((n = backend.ReadData(buffer)) > 0)
        {
            output.Write(buffer, 0, n);
        }
        backend.Step(MigrationState.Stop);
        return output.ToArray();
    }

    private static void Load(PagedDevice device, byte[] state, int piece, Func<byte[], uint>? crc)
    {
        var backend = (IMigrationBackend)device;
        backend.Step(MigrationState.Stop);
        backend.Step(MigrationState.Resuming);
        for (int i = 0; i < state.Length; i += piece)
        {
            byte[] bytes = state.AsSpan(i, Math.Min(piece, state.Length - i)).ToArray();
            backend.WriteData(bytes, crc?.Invoke(bytes));
        }
        backend.Step(MigrationState.Stop);
    }
}
