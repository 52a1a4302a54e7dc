using System.Globalization;
using System.Text;
using Vfio.Errors;

namespace Vfio.DeviceModels.Streams;

/// <summary>
/// Every <see cref="MigrationStreamException"/> (and header-mismatch <see cref="VfioException"/>) the stream layer raises
/// (catalogue range 5xxx), one factory per situation: each fact (offset, length, checksum, channel) is passed once and
/// lands both in the message and on its property. Sites throw what a factory returns; ErrorFactoryTests keep it that way.
/// </summary>
internal static class StreamErrors
{
    // ---- preamble ----

    /// <summary>stream-magic: the stream does not start with "VFIOMIG1".</summary>
    internal static MigrationStreamException Magic(ulong magic) =>
        new(ErrorCode.StreamMagic, 0,
            $"stream starts with 0x{magic:X16}, expected 0x{StreamFormat.Magic:X16} (\"VFIOMIG1\"): not a migration stream, or the wrong channel")
        { Value = $"0x{magic:X16}", Expected = $"0x{StreamFormat.Magic:X16}" };

    /// <summary>stream-format-version: a format major this reader does not read (the version sits at offset 8).</summary>
    internal static MigrationStreamException FormatVersion(ushort major, ushort minor) =>
        new(ErrorCode.StreamFormatVersion, 8,
            $"stream format {major}.{minor} is not supported; this reader reads formats {StreamFormat.Major}.x and {StreamFormat.ChannelMajor}.x")
        { Value = $"{major}.{minor}", Expected = $"{StreamFormat.Major}.x or {StreamFormat.ChannelMajor}.x" };

    // ---- records ----

    /// <summary>stream-record-invalid: a record kind other than header, data or end.</summary>
    internal static MigrationStreamException RecordKindUnknown(long recordOffset, uint kind) =>
        new(ErrorCode.StreamRecordInvalid, recordOffset,
            $"record at offset {recordOffset} has unknown kind {kind}, expected 1 (header), 2 (data) or 3 (end)")
        { Value = kind.ToString(CultureInfo.InvariantCulture), Expected = "1, 2 or 3" };

    /// <summary>stream-length-oversized: a record declares more bytes than its kind allows (the length field sits 4 bytes in).</summary>
    internal static MigrationStreamException RecordOversized(long recordOffset, uint length, int limit) =>
        new(ErrorCode.StreamLengthOversized, recordOffset + 4,
            $"record at offset {recordOffset} declares {length} bytes, more than the limit of {limit}")
        { Value = length.ToString(CultureInfo.InvariantCulture), Expected = $"at most {limit}" };

    /// <summary>stream-record-invalid: the first record is not the header record.</summary>
    internal static MigrationStreamException HeaderRecordNotFirst(long recordOffset, StreamRecordKind kind) =>
        new(ErrorCode.StreamRecordInvalid, recordOffset,
            $"stream record at offset {recordOffset} is a {kind} record, expected the header record first");

    /// <summary>stream-record-invalid: a data record without bytes.</summary>
    internal static MigrationStreamException DataRecordEmpty(long recordOffset, int maxChunkSize) =>
        new(ErrorCode.StreamRecordInvalid, recordOffset,
            $"data record at offset {recordOffset} is empty, expected 1-{maxChunkSize} bytes");

    /// <summary>stream-record-invalid: an end record of the wrong length.</summary>
    internal static MigrationStreamException EndRecordLength(long recordOffset, int length, int expected) =>
        new(ErrorCode.StreamRecordInvalid, recordOffset,
            $"end record at offset {recordOffset} is {length} bytes, expected {expected}");

    /// <summary>stream-record-invalid: a header record after the first record.</summary>
    internal static MigrationStreamException SecondHeaderRecord(long recordOffset) =>
        new(ErrorCode.StreamRecordInvalid, recordOffset,
            $"a second header record at offset {recordOffset}, expected a data or end record");

    /// <summary>stream-crc: a record's payload does not hash to the CRC32C its record header states.</summary>
    internal static MigrationStreamException RecordCrc(string what, long recordOffset, int length, uint actual, uint expected) =>
        new(ErrorCode.StreamCrc, recordOffset,
            $"{what} record at offset {recordOffset}: CRC32C of its {length} bytes is 0x{actual:X8}, the record says 0x{expected:X8}")
        { Value = $"0x{actual:X8}", Expected = $"0x{expected:X8}" };

    // ---- the end of the stream ----

    /// <summary>stream-length-mismatch: the end record's totals differ from the data received.</summary>
    internal static MigrationStreamException EndTotals(long recordOffset, ulong totalBytes, uint chunks, long dataLength, uint chunkCount) =>
        new(ErrorCode.StreamLengthMismatch, recordOffset,
            $"end record at offset {recordOffset} declares {totalBytes} bytes in {chunks} chunks, but {dataLength} bytes in {chunkCount} chunks were received")
        { Value = totalBytes.ToString(CultureInfo.InvariantCulture), Expected = dataLength.ToString(CultureInfo.InvariantCulture) };

    /// <summary>stream-crc: the end record's header CRC differs from that of the preamble and header read.</summary>
    internal static MigrationStreamException HeaderCrc(long recordOffset, uint declared, uint read) =>
        new(ErrorCode.StreamCrc, recordOffset,
            $"end record declares header CRC32C 0x{declared:X8}, but the preamble and header read hash to 0x{read:X8}: the header was altered");

    /// <summary>stream-trailing-data: bytes after the end record.</summary>
    internal static MigrationStreamException TrailingData(long offset) =>
        new(ErrorCode.StreamTrailingData, offset,
            $"bytes follow the end record at offset {offset}; expected the stream to end there");

    /// <summary>stream-truncated: the input ended at <paramref name="offset"/> inside <paramref name="what"/>.</summary>
    internal static MigrationStreamException Truncated(long offset, string what, int expected, int received) =>
        new(ErrorCode.StreamTruncated, offset,
            $"stream ends at offset {offset} inside {what}: {expected} bytes expected, {received} received")
        { Value = received.ToString(CultureInfo.InvariantCulture), Expected = expected.ToString(CultureInfo.InvariantCulture) };

    // ---- the header record ----

    /// <summary>stream-record-invalid: a format 2 header record without its channel fields.</summary>
    internal static MigrationStreamException HeaderChannelFieldsMissing(long recordOffset, ushort major) =>
        new(ErrorCode.StreamRecordInvalid, recordOffset,
            $"header record at offset {recordOffset} of a format {major} stream ends before its channel fields");

    /// <summary>stream-record-invalid: an empty model id, or <paramref name="extra"/> bytes after the device name.</summary>
    internal static MigrationStreamException HeaderMalformed(long recordOffset, bool emptyModel, int extra) =>
        new(ErrorCode.StreamRecordInvalid, recordOffset,
            $"header record at offset {recordOffset} is malformed: {(emptyModel ? "empty model id" : $"{extra} unexpected bytes after the device name")}");

    /// <summary>stream-record-invalid: the header record ends before the length of one of its strings.</summary>
    internal static MigrationStreamException HeaderStringLengthMissing(long recordOffset, string what) =>
        new(ErrorCode.StreamRecordInvalid, recordOffset,
            $"header record at offset {recordOffset} ends before the length of its {what}");

    /// <summary>stream-length-oversized: a header string longer than its limit.</summary>
    internal static MigrationStreamException HeaderStringOversized(long recordOffset, string what, int length, int max) =>
        new(ErrorCode.StreamLengthOversized, recordOffset,
            $"header record at offset {recordOffset}: {what} is {length} bytes, more than the limit of {max}");

    /// <summary>stream-record-invalid: a header string claiming more bytes than remain in the record.</summary>
    internal static MigrationStreamException HeaderStringPastEnd(long recordOffset, string what, int length, int remaining) =>
        new(ErrorCode.StreamRecordInvalid, recordOffset,
            $"header record at offset {recordOffset}: {what} claims {length} bytes, only {remaining} remain in the record");

    /// <summary>stream-record-invalid: a header string that is not UTF-8.</summary>
    internal static MigrationStreamException HeaderStringNotUtf8(long recordOffset, string what, DecoderFallbackException e) =>
        new(ErrorCode.StreamRecordInvalid, recordOffset,
            $"header record at offset {recordOffset}: {what} is not valid UTF-8 ({e.Message})");

    /// <summary>stream-length-oversized: a header field to write outside its byte limits.</summary>
    internal static MigrationStreamException HeaderFieldLength(string field, string value, int bytes, int min, int max) =>
        new(ErrorCode.StreamLengthOversized, 0,
            $"stream header {field} is {bytes} UTF-8 bytes, expected {min}-{max}")
        { Parameter = field, Value = value.Length > 64 ? value[..64] + "..." : value, Expected = $"{min}-{max} bytes" };

    /// <summary>stream-header-mismatch: the stream holds another model than the destination runs; nothing was written.</summary>
    internal static VfioException HeaderModelMismatch(string sourceDevice, string destinationDevice, string streamModel, string destinationModel) =>
        HeaderMismatch(destinationDevice, "model", streamModel, destinationModel,
            $"stream from {sourceDevice} holds model '{streamModel}', destination {destinationDevice} runs '{destinationModel}'", inner: null);

    /// <summary>stream-header-mismatch: the destination's model cannot parse the stream's configuration; nothing was written.</summary>
    internal static VfioException HeaderConfigurationUnrunnable(string sourceDevice, string destinationDevice, string streamConfiguration,
        string destinationConfiguration, DeviceModelException error) =>
        HeaderMismatch(destinationDevice, error.Parameter, streamConfiguration, destinationConfiguration,
            $"stream from {sourceDevice} has configuration '{streamConfiguration}' that destination {destinationDevice} cannot run: {error.Message}", error);

    /// <summary>stream-header-mismatch: one parameter differs between the stream's and the destination's configuration; nothing was written.</summary>
    internal static VfioException HeaderConfigurationMismatch(string sourceDevice, string destinationDevice, string parameter, string sourceValue,
        string destinationValue, string sourceConfiguration, string destinationConfiguration) =>
        HeaderMismatch(destinationDevice, parameter, sourceValue, destinationValue,
            $"stream from {sourceDevice} has {parameter}={sourceValue}, destination {destinationDevice} runs {parameter}={destinationValue} " +
            $"(source '{sourceConfiguration}', destination '{destinationConfiguration}')", inner: null);

    private static VfioException HeaderMismatch(string device, string? parameter, string value, string expected, string message, Exception? inner) =>
        new(ErrorCode.StreamHeaderMismatch, message + "; nothing was written to the device", inner)
        {
            Device = device,
            Parameter = parameter,
            Value = value,
            Expected = expected,
        };

    // ---- channels ----

    /// <summary>stream-record-invalid: channel fields naming an index or count out of range.</summary>
    internal static MigrationStreamException ChannelFieldsInvalid(long recordOffset, int index, int count) =>
        new(ErrorCode.StreamRecordInvalid, recordOffset,
            $"header record at offset {recordOffset} names channel {index} of {count}, expected an index below a count of 2-{StreamFormat.MaxChannels}")
        { Value = $"{index}/{count}", Expected = $"index < count, count 2-{StreamFormat.MaxChannels}" };

    /// <summary>stream-channel-mismatch: a single-stream reader given one channel of a multi-channel save.</summary>
    internal static MigrationStreamException NotSingleChannel(StreamChannelInfo c) =>
        new(ErrorCode.StreamChannelMismatch, 0,
            $"this stream is {c}: it holds part of a state saved over {c.Count} channels; load all {c.Count} channels together (--channels {c.Count})")
        { Value = $"{c.Index}/{c.Count}", Expected = "a single-channel stream (format 1)" };

    /// <summary>stream-channel-mismatch: an input is not the channel expected at its place.</summary>
    internal static MigrationStreamException WrongChannel(string name, string found, string expected) =>
        new(ErrorCode.StreamChannelMismatch, 0,
            $"{name} is {found}, expected {expected}: give the loader the channels of one save, in order, with the save's channel count")
        { Value = found, Expected = expected };

    /// <summary>stream-channel-mismatch: a channel's header differs from channel 0's.</summary>
    internal static MigrationStreamException ChannelHeaderDiffers(string name, MigrationStreamHeader header, MigrationStreamHeader? first) =>
        new(ErrorCode.StreamChannelMismatch, 0,
            $"{name} carries the header of {header.DeviceName} ({header.ModelId}), channel 0 that of {first?.DeviceName} ({first?.ModelId}): the channels come from different saves")
        { Value = header.DeviceName, Expected = first?.DeviceName };

    /// <summary>stream-channel-mismatch: channel <paramref name="channel"/> holds data after channel <paramref name="ended"/> ended.</summary>
    internal static MigrationStreamException ChannelOutOfStep(long offset, int channel, int ended) =>
        new(ErrorCode.StreamChannelMismatch, offset,
            $"channel {channel} holds data after channel {ended} ended: the channels are out of step (a chunk of channel {ended} is missing, or channel {channel} belongs elsewhere)")
        { Value = $"data in channel {channel}", Expected = $"the end record, as in channel {ended}" };

    /// <summary>stream-length-mismatch: a channel's end record declares transfer totals other than those received over all channels.</summary>
    internal static MigrationStreamException TransferTotals(long offset, int channel, long declaredBytes, long declaredChunks, long dataLength, long chunks) =>
        new(ErrorCode.StreamLengthMismatch, offset,
            $"channel {channel}'s end record declares a transfer of {declaredBytes} bytes in {declaredChunks} chunks over all channels, but {dataLength} bytes in {chunks} chunks were received")
        { Value = declaredBytes.ToString(CultureInfo.InvariantCulture), Expected = dataLength.ToString(CultureInfo.InvariantCulture) };
}
