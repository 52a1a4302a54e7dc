using System.Globalization;
using Vfio.DeviceModels;

namespace Vfio.Samples.Nic;

public sealed partial class NicDevice
{
    /// <summary>
    /// The device's state as named values, for comparing a migrated device with its source field by field (tests,
    /// the demo's "state moved" check). Keys follow the saved field paths (<c>mac</c>, <c>stats/rx-packets</c>,
    /// <c>rss/key</c>, <c>rx-ring-3</c>); each ring section is given as the digest of its bytes (<see cref="ContentDigest"/>).
    /// </summary>
    /// <returns>The values, sorted by key. A feature that is off contributes no keys, and the old build has no
    /// <c>stats/rx-crc-errors</c>, so a comparison across builds names exactly the optional field one side lacks.</returns>
    public IReadOnlyDictionary<string, string> DescribeState()
    {
        lock (_gate)
        {
            var d = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["mac"] = Convert.ToHexString(_mac),
                ["mtu"] = _mtu.ToString(CultureInfo.InvariantCulture),
                ["rx-head"] = _rxHead.ToString(CultureInfo.InvariantCulture),
                ["stats/rx-packets"] = _counters.RxPackets.ToString(CultureInfo.InvariantCulture),
                ["stats/rx-bytes"] = _counters.RxBytes.ToString(CultureInfo.InvariantCulture),
                ["stats/tx-packets"] = _counters.TxPackets.ToString(CultureInfo.InvariantCulture),
                ["stats/tx-bytes"] = _counters.TxBytes.ToString(CultureInfo.InvariantCulture),
            };
            if (_build == NicBuild.Current)
            {
                d["stats/rx-crc-errors"] = _counters.RxCrcErrors.ToString(CultureInfo.InvariantCulture);
            }
            if (_filterCapacity > 0)
            {
                d["rx-filter/capacity"] = _filterCapacity.ToString(CultureInfo.InvariantCulture);
                d["rx-filter/entries"] = Convert.ToHexString(_filter, 0, _filterCount * MacLength);
            }
            if (_rss)
            {
                d["rss/key"] = Convert.ToHexString(_rssKey);
                d["rss/indirection"] = Convert.ToHexString(_rssIndirection);
                d["rss/hash-types"] = _rssHashTypes.ToString("x", CultureInfo.InvariantCulture);
            }
            for (int i = 0; i < RingChunks; i++)
            {
                d[RingSectionNames[i]] = ContentDigest.Hex(_ring[i]);
            }
            return d;
        }
    }
}
