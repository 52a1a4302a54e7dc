using Vfio.DeviceModels.State;
using Vfio.Errors;

namespace Vfio.Samples.Nic;

public sealed partial class NicDevice
{
    /// <summary>
    /// Writes the device's registers: MAC, MTU, ring head, counters, and the sections of the features the
    /// configuration turns on (<c>rx-filter</c> when <c>rx-filter-size</c> is above 0, <c>rss</c> when <c>rss=on</c>).
    /// </summary>
    /// <param name="writer">Where the fields go.</param>
    /// <remarks>
    /// A feature's section is written only when its parameter is on. Both ends of a migration run the same
    /// configuration, so the destination expects exactly these sections; a section it does not expect is a required
    /// field it does not read, and the load fails instead of silently dropping the feature's state.
    /// </remarks>
    protected override void SaveState(DeviceStateWriter writer)
    {
        lock (_gate)
        {
            writer.WriteBytes("mac", _mac);
            writer.WriteU32("mtu", _mtu);
            writer.WriteU32("rx-head", _rxHead);
            NicCounters c = _counters;
            writer.WriteSection("stats", s =>
            {
                s.WriteU64("rx-packets", c.RxPackets);
                s.WriteU64("rx-bytes", c.RxBytes);
                s.WriteU64("tx-packets", c.TxPackets);
                s.WriteU64("tx-bytes", c.TxBytes);
                if (_build == NicBuild.Current)
                {
                    // Added by the current build. Optional: an old build skips it, losing only a statistic.
                    s.WriteU64("rx-crc-errors", c.RxCrcErrors, FieldPresence.Optional, since: "vendor-a.com/my-nic@3");
                }
            });
            if (_filterCapacity > 0)
            {
                writer.WriteSection("rx-filter", s =>
                {
                    s.WriteU16("capacity", (ushort)_filterCapacity);
                    s.WriteBytes("entries", _filter.AsSpan(0, _filterCount * MacLength));
                }, since: NicModel.RxFilterSize);
            }
            if (_rss)
            {
                writer.WriteSection("rss", s =>
                {
                    s.WriteBytes("key", _rssKey);
                    s.WriteBytes("indirection", _rssIndirection);
                    s.WriteU32("hash-types", _rssHashTypes);
                }, since: NicModel.Rss);
            }
        }
    }

    /// <summary>Writes one ring section: its descriptors as one byte field. Runs while the device runs during pre-copy.</summary>
    /// <param name="section">One of the <c>rx-ring-N</c> names.</param>
    /// <param name="writer">Where the section's fields go.</param>
    protected override void SaveSection(string section, DeviceStateWriter writer)
    {
        int chunk = Array.IndexOf(RingSectionNames, section);
        lock (_gate)
        {
            writer.WriteBytes("descriptors", _ring[chunk]);
        }
    }

    /// <summary>
    /// Loads a saved state. Everything is parsed and checked first and applied only when all of it is valid, so a
    /// refused state leaves the registers as they were (the SDK then puts the device in ERROR until reset).
    /// </summary>
    /// <param name="reader">The saved fields.</param>
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateMalformed"/> for a missing field or a
    /// field of the wrong size; <see cref="ErrorCode.DeviceStateLoadFailed"/> for a value this device cannot run.</exception>
    protected override void LoadState(DeviceStateReader reader)
    {
        byte[] mac = Sized(reader, reader.ReadBytes("mac"), "mac", MacLength);
        uint mtu = reader.ReadU32("mtu");
        if (mtu is < 68 or > 9000)
        {
            throw Refused("mtu", $"MTU {mtu} is outside 68-9000");
        }
        uint rxHead = reader.ReadU32("rx-head");
        DeviceStateReader stats = reader.ReadSection("stats");
        ulong crcErrors = 0;
        if (_build == NicBuild.Current)
        {
            // Absent when the source is the old build: the counter starts at 0.
            stats.TryReadU64("rx-crc-errors", out crcErrors);
        }
        var counters = new NicCounters(stats.ReadU64("rx-packets"), stats.ReadU64("rx-bytes"), stats.ReadU64("tx-packets"), stats.ReadU64("tx-bytes"), crcErrors);

        byte[] filter = [];
        if (_filterCapacity > 0)
        {
            DeviceStateReader f = reader.ReadSection("rx-filter");
            ushort capacity = f.ReadU16("capacity");
            if (capacity != _filterCapacity)
            {
                throw Refused("rx-filter/capacity", $"saved filter table has {capacity} entries, this device runs {NicModel.RxFilterSize}={_filterCapacity}");
            }
            filter = f.ReadBytes("entries").ToArray();
            if (filter.Length % MacLength != 0 || filter.Length > _filter.Length)
            {
                throw Refused("rx-filter/entries", $"saved filter entries are {filter.Length} bytes, expected a multiple of {MacLength} up to {_filter.Length}");
            }
        }

        byte[] key = [], indirection = [];
        uint hashTypes = 0;
        if (_rss)
        {
            DeviceStateReader r = reader.ReadSection("rss");
            key = Sized(r, r.ReadBytes("key"), "rss/key", RssKeyLength);
            indirection = Sized(r, r.ReadBytes("indirection"), "rss/indirection", RssIndirectionEntries);
            if (indirection.Any(q => q >= RssQueues))
            {
                throw Refused("rss/indirection", $"an indirection entry names a queue beyond the {RssQueues} this device has");
            }
            hashTypes = r.ReadU32("hash-types");
        }

        var ring = new byte[RingChunks][];
        for (int i = 0; i < RingChunks; i++)
        {
            DeviceStateReader s = reader.ReadSection(RingSectionNames[i]);
            ring[i] = Sized(s, s.ReadBytes("descriptors"), RingSectionNames[i] + "/descriptors", ChunkDescriptors * DescriptorSize);
        }

        lock (_gate)
        {
            mac.CopyTo(_mac, 0);
            _mtu = mtu;
            _rxHead = rxHead;
            _counters = counters;
            Array.Clear(_filter);
            filter.CopyTo(_filter, 0);
            _filterCount = filter.Length / MacLength;
            key.CopyTo(_rssKey, 0);
            indirection.CopyTo(_rssIndirection, 0);
            _rssHashTypes = hashTypes;
            for (int i = 0; i < RingChunks; i++)
            {
                ring[i].CopyTo(_ring[i], 0);
            }
        }
    }

    private byte[] Sized(DeviceStateReader reader, ReadOnlyMemory<byte> value, string field, int length) =>
        value.Length == length ? value.ToArray()
        : throw new DeviceStateException(ErrorCode.DeviceStateMalformed, Name, field,
            $"device {Name}: saved field '{field}' is {value.Length} bytes, expected {length} (section '{reader.Path}')");

    private DeviceStateException Refused(string field, string what) =>
        new(ErrorCode.DeviceStateLoadFailed, Name, field, $"device {Name}: cannot load field '{field}': {what}");
}
