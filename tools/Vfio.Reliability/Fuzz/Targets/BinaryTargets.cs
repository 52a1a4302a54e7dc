using Vfio.DeviceModels;
using Vfio.DeviceModels.State;
using Vfio.DeviceModels.Streams;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Migration;
using Vfio.Samples.Nic;
using Vfio.Samples.Serial;
using Vfio.Sdk;

namespace Vfio.Reliability.Fuzz.Targets;

/// <summary>The binary formats: the migration stream envelope, the device-state container, the v1 region, region info.</summary>
internal static class BinaryTargets
{
    public static IEnumerable<FuzzTarget> All()
    {
        yield return new FuzzTarget("stream-whole",
            "MigrationStreamReader.CopyTo over a whole stream, validated against a NIC destination",
            () => SeedCorpus.Streams, input => ReadWhole(input));
        yield return new FuzzTarget("stream-chunked",
            "MigrationStreamReader.Read in small pieces over an input that returns short reads",
            () => SeedCorpus.Streams, ReadChunked);
        yield return new FuzzTarget("stream-async",
            "MigrationStreamReader.CopyToAsync (the async header and record paths)",
            () => SeedCorpus.Streams, input => ReadAsync(input).GetAwaiter().GetResult());
        yield return new FuzzTarget("stream-push",
            "MigrationStreamDecodingStream: the stream written into the decoder's push shell in 1-700 byte writes (fields cut across writes), then Finish",
            () => SeedCorpus.Streams, input => Push(input));
        yield return new FuzzTarget("stream-to-device",
            "a stream through the reader into a NIC in RESUMING (envelope, then the device-state loader), as 'vfioctl load' does",
            () => SeedCorpus.Streams, StreamIntoDevice);
        yield return new FuzzTarget("device-state-generic",
            "DeviceState.Load: container, field lists and sections, walked by a loader that opens every section",
            () => [.. SeedCorpus.NicStates, .. SeedCorpus.OldNicStates, .. SeedCorpus.OtherNicStates, .. SeedCorpus.SerialStates],
            input => DeviceState.Load(input, "fuzz", Walk));
        yield return new FuzzTarget("device-state-resealed",
            "DeviceState.Reseal, then DeviceState.Load with the same walker: the mutation's checksums recomputed, so it reaches the field parser behind them",
            () => [.. SeedCorpus.NicStates, .. SeedCorpus.OldNicStates, .. SeedCorpus.OtherNicStates, .. SeedCorpus.SerialStates],
            LoadResealed);
        yield return new FuzzTarget("device-state-nic",
            "MigratableDevice.ImportState of the sample NIC (its load code), as a persisted device.state file is read",
            () => SeedCorpus.NicStates, ImportNic);
        yield return new FuzzTarget("device-state-serial",
            "MigratableDevice.ImportState of the sample serial device (mtty-style magic and version in its state)",
            () => SeedCorpus.SerialStates, ImportSerial);
        yield return new FuzzTarget("resume-v2",
            "device state written into the v2 RESUMING data session of an emulated NIC, then RUNNING",
            () => SeedCorpus.NicStates, input => Resume(NicImplementations.Current, "version=3", input, 3000));
        yield return new FuzzTarget("resume-v1-region",
            "device state written through the v1 migration region (data_offset/data_size) of an emulated old NIC, then RUNNING",
            () => SeedCorpus.OldNicStates, input => Resume(NicImplementations.Old, "version=2", input, 5000));
        yield return new FuzzTarget("region-capability-chain",
            "RegionCapabilityChain.Parse of a region info buffer (the emulated v1 region's, with its type capability)",
            RegionInfoSeeds, ParseRegionInfo);
    }

    private static readonly DeviceConfiguration[] Destinations = SeedCorpus.NicConfigurations
        .Select(c => DeviceConfiguration.Parse(NicModel.Current, c))
        .ToArray();

    // Accepts the stream when its configuration is one of the seed destinations; otherwise the standard check
    // against the first one refuses it (E5007), as a real destination would.
    private static void Validate(MigrationStreamHeader header) =>
        StreamHeaderValidator.Check(header, Destinations.FirstOrDefault(d => d.ToString() == header.Configuration) ?? Destinations[0], "fuzz-dst");

    private static long ReadWhole(byte[] input)
    {
        using var source = new MemoryStream(input, writable: false);
        using var reader = new MigrationStreamReader(source, Validate, maxChunkSize: 65536);
        return reader.CopyTo(Stream.Null);
    }

    private static long Push(byte[] input)
    {
        int seed = input.Length == 0 ? 0 : input[^1] + input.Length;
        int write = 1 + seed % 700;
        using var sink = new MigrationStreamDecodingStream(new MigrationStreamDecoder(Validate, maxChunkSize: 65536), Stream.Null);
        for (int at = 0; at < input.Length; at += write)
        {
            sink.Write(input.AsSpan(at, Math.Min(write, input.Length - at)));
        }
        return sink.Finish();
    }

    private static void ReadChunked(byte[] input)
    {
        int seed = input.Length == 0 ? 0 : input[^1] + input.Length;
        using var source = new ShortReadStream(input, seed);
        using var reader = new MigrationStreamReader(source, Validate, maxChunkSize: 65536);
        Span<byte> buffer = stackalloc byte[1 + seed % 700];
        while (reader.Read(buffer) > 0)
        {
        }
    }

    private static async Task ReadAsync(byte[] input)
    {
        using var source = new MemoryStream(input, writable: false);
        using var reader = new MigrationStreamReader(source, Validate, maxChunkSize: 65536);
        await reader.CopyToAsync(Stream.Null).ConfigureAwait(false);
    }

    private static void StreamIntoDevice(byte[] input)
    {
        using var source = new MemoryStream(input, writable: false);
        DeviceConfiguration destination = DeviceConfiguration.Parse(NicModel.Current, "version=3");
        using var nic = new NicDevice("fuzz-dst", destination, NicBuild.Current);
        using var device = new EmulatedVfioDevice("fuzz-dst", nic, NicImplementations.Current.Protocol, NicImplementations.Current.Features);
        MigrationDriver driver = MigrationDriver.Open(device);
        using var reader = new MigrationStreamReader(source, nic.ValidateStreamHeader, maxChunkSize: 65536);
        reader.ReadHeader();
        using (MigrationDataStream session = driver.TransitionTo(MigrationState.Resuming) ?? throw new InvalidOperationException("RESUMING opened no session"))
        {
            reader.CopyTo(session);
        }
        driver.TransitionTo(MigrationState.Running)?.Dispose();
    }

    // Reads every field by its stored type and opens every section, so every byte of the state is parsed.
    private static void Walk(DeviceStateReader reader)
    {
        foreach (string name in reader.FieldNames.ToArray())
        {
            switch (reader.TypeOf(name))
            {
                case StateFieldType.U8: reader.ReadU8(name); break;
                case StateFieldType.U16: reader.ReadU16(name); break;
                case StateFieldType.U32: reader.ReadU32(name); break;
                case StateFieldType.U64: reader.ReadU64(name); break;
                case StateFieldType.I64: reader.ReadI64(name); break;
                case StateFieldType.Bool: reader.ReadBool(name); break;
                case StateFieldType.String: reader.ReadString(name); break;
                case StateFieldType.Bytes: reader.ReadBytes(name); break;
                case StateFieldType.Section: Walk(reader.ReadSection(name)); break;
                default: break; // An unknown type: left unread, so a required one fails the load (E4008).
            }
        }
    }

    // A 1.1 container's checksums stop almost every mutation before the field parser; resealing lets it through.
    private static void LoadResealed(byte[] input)
    {
        byte[] state = (byte[])input.Clone();
        DeviceState.Reseal(state);
        DeviceState.Load(state, "fuzz", Walk);
    }

    private static void ImportNic(byte[] input)
    {
        using var nic = new NicDevice("fuzz", DeviceConfiguration.Parse(NicModel.Current, "version=3"), NicBuild.Current);
        ((IPersistentMigrationBackend)nic).ImportState(input);
        _ = nic.DescribeState();
    }

    private static void ImportSerial(byte[] input)
    {
        using var serial = (MigratableDevice)SerialImplementations.DualPort.Create("fuzz", DeviceConfiguration.FromInit(SerialModel.DualPort));
        ((IPersistentMigrationBackend)serial).ImportState(input);
    }

    private static void Resume(DeviceImplementation implementation, string configuration, byte[] input, int writeSize)
    {
        using var backend = (MigratableDevice)implementation.Create("fuzz-dst", DeviceConfiguration.Parse(implementation.Model, configuration));
        using var device = new EmulatedVfioDevice("fuzz-dst", backend, implementation.Protocol, implementation.Features);
        MigrationDriver driver = MigrationDriver.Open(device);
        using (MigrationDataStream session = driver.TransitionTo(MigrationState.Resuming) ?? throw new InvalidOperationException("RESUMING opened no session"))
        {
            for (int at = 0; at < input.Length; at += writeSize)
            {
                session.Write(input.AsSpan(at, Math.Min(writeSize, input.Length - at)));
            }
        }
        driver.TransitionTo(MigrationState.Running)?.Dispose();
    }

    private static List<byte[]> RegionInfoSeeds()
    {
        using var backend = (MigratableDevice)NicImplementations.Old.Create("seed", DeviceConfiguration.Parse(NicModel.Old, "version=2"));
        using var device = new EmulatedVfioDevice("seed", backend, NicImplementations.Old.Protocol, NicImplementations.Old.Features);
        var seeds = new List<byte[]>();
        for (uint index = 0; index < device.GetInfo().NumRegions; index++)
        {
            seeds.Add(device.GetRegionInfoBytes(index));
        }
        return seeds;
    }

    // The first 32 bytes are struct vfio_region_info; cap_offset (at 24) starts the chain when the flag is set.
    private static void ParseRegionInfo(byte[] input)
    {
        uint first = input.Length >= 28 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(input.AsSpan(24)) : 0;
        RegionCapabilityChain.Parse(input, first, "fuzz");
    }

    /// <summary>A read-only stream that hands out its bytes in short, varying pieces, as a pipe or socket does.</summary>
    private sealed class ShortReadStream(byte[] data, int seed) : Stream
    {
        private int _position;
        private int _turn = seed;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            _turn = (_turn * 1103515245 + 12345) & 0x7FFFFFFF;
            int n = Math.Min(Math.Min(buffer.Length, data.Length - _position), 1 + _turn % 37);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
