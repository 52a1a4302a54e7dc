using System.Buffers.Binary;
using Vfio.DeviceModels;
using Vfio.Devices;
using Vfio.Sdk;

namespace Vfio.Samples.Nic;

/// <summary>
/// The sample NIC of model <c>vendor-a.com/my-nic</c> on the vendor SDK: MAC address, MTU, traffic counters, a receive
/// MAC filter table sized by <c>rx-filter-size</c>, an RSS key and indirection table when <c>rss=on</c>, and a 64 KiB
/// receive ring saved in eight sections that are streamed during pre-copy and sent again only when traffic dirtied them.
/// </summary>
/// <remarks>
/// <para>The device's behaviour is a deterministic simulation (<see cref="SimulateTraffic"/>), so two runs with the
/// same seeds give the same state and tests can compare a migrated device with its source field by field
/// (<see cref="DescribeState"/>).</para>
/// <para>Device fields are guarded by the device's own lock. The SDK base calls <see cref="SaveSection"/> under its
/// lock, so this class never calls into the base (<c>MarkDirty</c>) while holding its own: the traffic simulation
/// collects the chunks it touched and marks them after releasing the lock. A chunk saved in between is merely sent
/// once more.</para>
/// </remarks>
public sealed partial class NicDevice : MigratableDevice
{
    /// <summary>Receive descriptors in the ring.</summary>
    public const int RingDescriptors = 1024;

    /// <summary>Bytes per receive descriptor (a 64-byte writeback descriptor, as on common NICs).</summary>
    public const int DescriptorSize = 64;

    /// <summary>Ring sections (pre-copy and dirty-tracking granularity).</summary>
    public const int RingChunks = 8;

    /// <summary>Descriptors per ring section.</summary>
    public const int ChunkDescriptors = RingDescriptors / RingChunks;

    /// <summary>Bytes of an RSS hash key (Toeplitz, 40 bytes as on most NICs).</summary>
    public const int RssKeyLength = 40;

    /// <summary>Entries of the RSS indirection table.</summary>
    public const int RssIndirectionEntries = 128;

    /// <summary>Receive queues RSS spreads packets over.</summary>
    public const int RssQueues = 4;

    private const int MacLength = 6;
    private const uint DefaultMtu = 1500;

    private static readonly string[] RingSectionNames = Enumerable.Range(0, RingChunks).Select(i => "rx-ring-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private readonly Lock _gate = new();
    private readonly NicBuild _build;
    private readonly int _filterCapacity;
    private readonly bool _rss;
    private readonly byte[] _mac = new byte[MacLength];
    private readonly byte[][] _ring = new byte[RingChunks][];
    private readonly byte[] _filter;
    private readonly byte[] _rssKey;
    private readonly byte[] _rssIndirection;
    private uint _mtu;
    private uint _rxHead;
    private int _filterCount;
    private uint _rssHashTypes;
    private NicCounters _counters;

    /// <summary>Creates a NIC in RUNNING with its power-on state.</summary>
    /// <param name="name">The device's name (its UUID on a host); it also seeds the power-on MAC address and RSS key.</param>
    /// <param name="configuration">The configuration; it must be of the build's description (<see cref="NicModel.Current"/> or <see cref="NicModel.Old"/>).</param>
    /// <param name="build">Which driver build this device runs as.</param>
    /// <exception cref="ArgumentException">When the configuration is of another description than the build's.</exception>
    public NicDevice(string name, DeviceConfiguration configuration, NicBuild build)
        : base(name, configuration, FeaturesOf(build))
    {
        ModelDescription expected = build == NicBuild.Current ? NicModel.Current : NicModel.Old;
        if (!ReferenceEquals(configuration.Model, expected))
        {
            throw new ArgumentException($"device {name}: the {build} NIC build runs configurations of its own description of {NicModel.Id}", nameof(configuration));
        }
        _build = build;
        _filterCapacity = int.Parse(configuration[NicModel.RxFilterSize], System.Globalization.CultureInfo.InvariantCulture);
        _rss = build == NicBuild.Current && configuration[NicModel.Rss] == "on";
        _filter = new byte[_filterCapacity * MacLength];
        _rssKey = _rss ? new byte[RssKeyLength] : [];
        _rssIndirection = _rss ? new byte[RssIndirectionEntries] : [];
        for (int i = 0; i < RingChunks; i++)
        {
            _ring[i] = new byte[ChunkDescriptors * DescriptorSize];
        }
        PowerOn();
    }

    /// <summary>The driver build this device runs as.</summary>
    public NicBuild Build => _build;

    /// <summary>The MAC filter table's capacity (the configured <c>rx-filter-size</c>).</summary>
    public int RxFilterCapacity => _filterCapacity;

    /// <summary>Whether receive side scaling is on (<c>rss=on</c>, current build only).</summary>
    public bool RssEnabled => _rss;

    /// <summary>The traffic counters as the guest reads them.</summary>
    public NicCounters Counters
    {
        get
        {
            lock (_gate)
            {
                return _counters;
            }
        }
    }

    /// <inheritdoc />
    protected override IReadOnlyList<string> Sections => RingSectionNames;

    /// <summary>The v2 migration features of a build: the current one offers pre-copy and P2P, the old one pre-copy only.</summary>
    /// <param name="build">The build.</param>
    /// <returns>Its features.</returns>
    public static MigrationFeatures FeaturesOf(NicBuild build) => build == NicBuild.Current
        ? MigrationFeatures.StopCopy | MigrationFeatures.P2P | MigrationFeatures.PreCopy
        : MigrationFeatures.StopCopy | MigrationFeatures.PreCopy;

    /// <summary>The guest sets the MTU (as a driver's <c>ndo_change_mtu</c> would).</summary>
    /// <param name="mtu">68 (the IPv4 minimum) to 9000 (jumbo frames).</param>
    /// <exception cref="ArgumentOutOfRangeException">Outside 68-9000.</exception>
    public void SetMtu(int mtu)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mtu, 68);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(mtu, 9000);
        lock (_gate)
        {
            _mtu = (uint)mtu;
        }
    }

    /// <summary>
    /// Lets the device run for a while: receives and sends <paramref name="packets"/> packets chosen by
    /// <paramref name="seed"/>, writing receive descriptors at the ring head (spread over RSS queues when RSS is on),
    /// counting bytes and errors, and letting the guest program filter entries. Ring sections it writes are marked
    /// dirty, so a pre-copy in progress sends them again.
    /// </summary>
    /// <param name="seed">Chooses the packets; the same seed on the same state gives the same result.</param>
    /// <param name="packets">How many packets, 0 or more.</param>
    /// <exception cref="InvalidOperationException">When the device is not executing (no traffic flows in STOP, STOP_COPY, RESUMING or ERROR).</exception>
    public void SimulateTraffic(int seed, int packets)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(packets);
        MigrationState state = State;
        if (state is not (MigrationState.Running or MigrationState.RunningP2P or MigrationState.PreCopy or MigrationState.PreCopyP2P))
        {
            throw new InvalidOperationException($"device {Name} is in {state}; traffic flows only while it executes");
        }
        var touched = new SortedSet<int>();
        lock (_gate)
        {
            var random = new SampleRandom((ulong)(uint)seed);
            for (int i = 0; i < packets; i++)
            {
                Packet(ref random, touched);
            }
        }
        foreach (int chunk in touched)
        {
            MarkDirty(RingSectionNames[chunk]);
        }
    }

    /// <inheritdoc />
    protected override void OnReset()
    {
        lock (_gate)
        {
            PowerOn();
        }
    }

    /// <inheritdoc />
    protected override long EstimateSectionSize(string section) => ChunkDescriptors * DescriptorSize + 64;

    private void Packet(ref SampleRandom random, SortedSet<int> touched)
    {
        ulong r = random.Next();
        int length = 60 + (int)(r % (_mtu + 14 - 60 + 1));
        if ((r >> 32) % 3 == 0)
        {
            _counters = _counters with { TxPackets = _counters.TxPackets + 1, TxBytes = _counters.TxBytes + (ulong)length };
            return;
        }
        if (_build == NicBuild.Current && (r >> 40) % 97 == 0)
        {
            _counters = _counters with { RxCrcErrors = _counters.RxCrcErrors + 1 };
            return;
        }
        ulong hash = random.Next();
        int queue = _rss ? _rssIndirection[(int)(hash % RssIndirectionEntries)] : 0;
        int descriptor = (int)(_rxHead % RingDescriptors);
        Span<byte> d = _ring[descriptor / ChunkDescriptors].AsSpan(descriptor % ChunkDescriptors * DescriptorSize, DescriptorSize);
        BinaryPrimitives.WriteUInt64LittleEndian(d, hash);
        BinaryPrimitives.WriteUInt16LittleEndian(d[8..], (ushort)length);
        d[10] = (byte)queue;
        d[11] = 0x01; // descriptor done
        BinaryPrimitives.WriteUInt64LittleEndian(d[16..], _counters.RxPackets);
        for (int i = 24; i < DescriptorSize; i += 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(d[i..], random.Next());
        }
        touched.Add(descriptor / ChunkDescriptors);
        _rxHead++;
        _counters = _counters with { RxPackets = _counters.RxPackets + 1, RxBytes = _counters.RxBytes + (ulong)length };
        // Now and then the guest joins a multicast group: one more filter entry (01:00:5e:xx:xx:xx).
        if (_filterCount < _filterCapacity && (hash >> 48) % 8 == 0)
        {
            Span<byte> entry = _filter.AsSpan(_filterCount * MacLength, MacLength);
            entry[0] = 0x01;
            entry[1] = 0x00;
            entry[2] = 0x5e;
            entry[3] = (byte)((hash >> 8) & 0x7f);
            entry[4] = (byte)(hash >> 16);
            entry[5] = (byte)(hash >> 24);
            _filterCount++;
        }
    }

    // The power-on state: MAC and RSS key derive from the device name (as a vendor derives them from a serial
    // number), so two devices differ until one is loaded from the other.
    private void PowerOn()
    {
        var random = new SampleRandom(SampleRandom.Hash(Name));
        ulong m = random.Next();
        _mac[0] = 0x02; // locally administered, unicast
        for (int i = 1; i < MacLength; i++)
        {
            _mac[i] = (byte)(m >> (8 * i));
        }
        _mtu = DefaultMtu;
        _rxHead = 0;
        _counters = default;
        foreach (byte[] chunk in _ring)
        {
            Array.Clear(chunk);
        }
        Array.Clear(_filter);
        _filterCount = 0;
        for (int i = 0; i < _rssKey.Length; i++)
        {
            _rssKey[i] = (byte)random.Next();
        }
        for (int i = 0; i < _rssIndirection.Length; i++)
        {
            _rssIndirection[i] = (byte)(i % RssQueues);
        }
        _rssHashTypes = _rss ? 0x3Fu : 0u; // IPv4/IPv6 with TCP and UDP ports
    }
}
