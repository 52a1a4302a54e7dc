using System.Text;

namespace Vfio.DeviceModels.Streams;

/// <summary>
/// The constants of the migration stream envelope (docs/stream-format.md). All integers are little-endian.
/// </summary>
internal static class StreamFormat
{
    /// <summary>The eight ASCII bytes <c>VFIOMIG1</c> read as a little-endian u64.</summary>
    public const ulong Magic = 0x3147_494D_4F49_4656;

    /// <summary>The major format version; a reader refuses any other major.</summary>
    public const ushort Major = 1;

    /// <summary>The minor format version written; readers accept any minor of their major.</summary>
    public const ushort Minor = 0;

    /// <summary>The major format version of one channel of a multi-channel transfer (docs/stream-format.md "Channels"):
    /// the header record ends with <see cref="ChannelFieldsLength"/> bytes of channel fields. A single channel is
    /// always written as <see cref="Major"/>, so a reader of format 1 refuses only what it cannot read.</summary>
    public const ushort ChannelMajor = 2;

    /// <summary>Channel index (2) + channel count (2) + transfer id (8), after the device name in a format 2 header.</summary>
    public const int ChannelFieldsLength = 12;

    /// <summary>A format 2 end record: the channel's totals and header CRC (16), then the whole transfer's total data
    /// bytes (8) and data chunks (4) over all channels, so the loader can tell a channel that lost its last chunks.</summary>
    public const int ChannelEndRecordLength = EndRecordLength + 12;

    /// <summary>The most channels a transfer may be split over.</summary>
    public const int MaxChannels = 64;

    /// <summary>Magic (8) + major (2) + minor (2).</summary>
    public const int PreambleLength = 12;

    /// <summary>Kind (4) + length (4) + CRC32C (4).</summary>
    public const int RecordHeaderLength = 12;

    /// <summary>Total data bytes (8) + data chunk count (4) + header CRC32C (4).</summary>
    public const int EndRecordLength = 16;

    /// <summary>Longest model id, in UTF-8 bytes.</summary>
    public const int MaxModelIdBytes = 255;

    /// <summary>Longest device name, in UTF-8 bytes.</summary>
    public const int MaxDeviceNameBytes = 255;

    /// <summary>Longest configuration text, in UTF-8 bytes.</summary>
    public const int MaxConfigurationBytes = 65535;

    /// <summary>Longest header record payload: three u16 length prefixes plus the three strings at their limits.</summary>
    public const int MaxHeaderRecordLength = 6 + MaxModelIdBytes + MaxConfigurationBytes + MaxDeviceNameBytes;

    /// <summary>1 MiB: the default data chunk size and reader limit.</summary>
    public const int DefaultChunkSize = 1 << 20;

    /// <summary>64 MiB: the largest chunk size a writer or reader may be configured with.</summary>
    public const int MaxChunkSizeLimit = 64 << 20;

    /// <summary>UTF-8 that throws on invalid bytes instead of substituting U+FFFD.</summary>
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}

/// <summary>The record kinds of the envelope.</summary>
internal enum StreamRecordKind : uint
{
    /// <summary>Source model id, configuration text and device name; exactly once, first.</summary>
    Header = 1,

    /// <summary>A chunk of the device's opaque data.</summary>
    Data = 2,

    /// <summary>Totals and the header CRC; exactly once, last.</summary>
    End = 3,
}
