using System.Globalization;
using Vfio.DeviceModels;
using Vfio.DeviceModels.State;
using Vfio.Devices;
using Vfio.Errors;
using Vfio.Sdk;

namespace Vfio.Samples.VendorGuide;

/// <summary>
/// The vendor guide's example device (docs/vendor-guide.md, steps 2-5): 16 KiB of device memory the guest writes
/// into, a doorbell register, and with <c>checksum=on</c> a checksum register over every byte written.
/// </summary>
public sealed class ScratchpadDevice : MigratableDevice
{
    /// <summary>Bytes per memory page; each page is one pre-copy section.</summary>
    public const int PageSize = 4096;

    /// <summary>Pages of device memory.</summary>
    public const int PageCount = 4;

    private static readonly string[] PageSections = ["page-0", "page-1", "page-2", "page-3"];

    private readonly Lock _gate = new();
    private readonly byte[] _memory = new byte[PageSize * PageCount];
    private readonly bool _checksumEnabled;
    private uint _doorbell;
    private uint _checksum;
    private ulong _writes;

    /// <summary>Creates the device in RUNNING.</summary>
    /// <param name="name">The device's name, used in every error.</param>
    /// <param name="configuration">Its configuration of <see cref="ScratchpadModel.Description"/>; fixed for its lifetime.</param>
    public ScratchpadDevice(string name, DeviceConfiguration configuration)
        : base(name, configuration, MigrationFeatures.StopCopy | MigrationFeatures.PreCopy)
    {
        _checksumEnabled = configuration["checksum"] == "on";
    }

    /// <inheritdoc />
    protected override IReadOnlyList<string> Sections => PageSections;

    /// <inheritdoc />
    /// <remarks>A page and its field header: MIG_DATA_SIZE and PRECOPY_INFO are right before the first save, too.</remarks>
    protected override long EstimateSectionSize(string section) => PageSize + 64;

    /// <summary>The guest writes into device memory.</summary>
    /// <param name="offset">Where, 0 to 16 KiB minus the length.</param>
    /// <param name="data">The bytes.</param>
    /// <exception cref="ArgumentOutOfRangeException">Outside device memory.</exception>
    /// <exception cref="InvalidOperationException">When the device is not executing.</exception>
    public void Write(int offset, ReadOnlySpan<byte> data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(data.Length, _memory.Length - offset);
        RequireRunning();
        lock (_gate)
        {
            data.CopyTo(_memory.AsSpan(offset));
            _writes++;
            if (_checksumEnabled)
            {
                foreach (byte b in data)
                {
                    _checksum = (_checksum ^ b) * 16777619;
                }
            }
        }
        // Outside our lock: MarkDirty takes the SDK's lock, which SaveSection runs under.
        for (int page = offset / PageSize; page <= (offset + data.Length - 1) / PageSize; page++)
        {
            MarkDirty(PageSections[page]);
        }
    }

    /// <summary>The guest rings the doorbell.</summary>
    /// <exception cref="InvalidOperationException">When the device is not executing.</exception>
    public void RingDoorbell()
    {
        RequireRunning();
        lock (_gate)
        {
            _doorbell++;
        }
    }

    /// <summary>The device's state as named values, for comparing two devices field by field.</summary>
    /// <returns>Doorbell, writes, checksum (when on) and the memory.</returns>
    public IReadOnlyDictionary<string, string> DescribeState()
    {
        lock (_gate)
        {
            var state = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["doorbell"] = _doorbell.ToString(CultureInfo.InvariantCulture),
                ["writes"] = _writes.ToString(CultureInfo.InvariantCulture),
                ["memory"] = Convert.ToHexString(_memory),
            };
            if (_checksumEnabled)
            {
                state["checksum"] = _checksum.ToString("x8", CultureInfo.InvariantCulture);
            }
            return state;
        }
    }

    /// <inheritdoc />
    protected override void SaveSection(string section, DeviceStateWriter writer)
    {
        int page = Array.IndexOf(PageSections, section);
        lock (_gate)
        {
            writer.WriteBytes("data", _memory.AsSpan(page * PageSize, PageSize));
        }
    }

    /// <inheritdoc />
    protected override void SaveState(DeviceStateWriter writer)
    {
        lock (_gate)
        {
            writer.WriteU32("doorbell", _doorbell);
            writer.WriteU64("writes", _writes, FieldPresence.Optional, since: "2");
            if (_checksumEnabled)
            {
                writer.WriteU32("checksum", _checksum, since: "checksum");
            }
        }
    }

    /// <inheritdoc />
    protected override void LoadState(DeviceStateReader reader)
    {
        uint doorbell = reader.ReadU32("doorbell");
        reader.TryReadU64("writes", out ulong writes);
        uint checksum = _checksumEnabled ? reader.ReadU32("checksum") : 0;
        byte[] memory = new byte[_memory.Length];
        for (int page = 0; page < PageCount; page++)
        {
            ReadOnlyMemory<byte> data = reader.ReadSection(PageSections[page]).ReadBytes("data");
            if (data.Length != PageSize)
            {
                throw new DeviceStateException(ErrorCode.DeviceStateMalformed, Name, PageSections[page] + "/data",
                    $"device {Name}: page {page} is {data.Length} bytes, expected {PageSize}");
            }
            data.Span.CopyTo(memory.AsSpan(page * PageSize));
        }
        lock (_gate)
        {
            memory.CopyTo(_memory, 0);
            (_doorbell, _writes, _checksum) = (doorbell, writes, checksum);
        }
    }

    /// <inheritdoc />
    protected override void OnReset()
    {
        lock (_gate)
        {
            Array.Clear(_memory);
            (_doorbell, _writes, _checksum) = (0, 0, 0);
        }
    }

    private void RequireRunning()
    {
        MigrationState state = State;
        if (state is not (MigrationState.Running or MigrationState.PreCopy))
        {
            throw new InvalidOperationException($"device {Name} is in {state}; the guest reaches it only while it runs");
        }
    }
}
