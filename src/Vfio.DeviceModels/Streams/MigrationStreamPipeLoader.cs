using System.Buffers;
using System.IO.Pipelines;

namespace Vfio.DeviceModels.Streams;

/// <summary>
/// The <see cref="PipeReader"/> shell of <see cref="MigrationStreamDecoder"/>: copies the device data of an envelope
/// arriving through a pipe reader into the device, each verified payload written straight from the pipe's own buffer
/// when it lies in one segment (no copy in the loader), else from one pooled buffer.
/// </summary>
public static class MigrationStreamPipeLoader
{
    /// <summary>Reads the whole envelope from <paramref name="input"/> and writes its device data into <paramref name="deviceWriteSide"/>.</summary>
    /// <param name="input">The envelope. Not completed by this method.</param>
    /// <param name="decoder">A fresh decoder, with the destination's header validator.</param>
    /// <param name="deviceWriteSide">Where the data goes, e.g. the destination's RESUMING data session.</param>
    /// <param name="progress">Receives the total device bytes written after each chunk.</param>
    /// <param name="cancellationToken">Cancels reads and writes.</param>
    /// <returns>The number of device data bytes written.</returns>
    /// <exception cref="MigrationStreamException">Any 5xxx refusal.</exception>
    public static async Task<long> CopyToAsync(PipeReader input, MigrationStreamDecoder decoder, Stream deviceWriteSide,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(deviceWriteSide);
        byte[]? scratch = null;
        try
        {
            while (!decoder.IsComplete)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int needed = decoder.NeededLength;
                ReadResult result = await input.ReadAtLeastAsync(needed, cancellationToken).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (buffer.Length < needed)
                {
                    input.AdvanceTo(buffer.End);
                    decoder.EndOfInput((int)buffer.Length);
                    continue;
                }
                ReadOnlySequence<byte> field = buffer.Slice(0, needed);
                ReadOnlyMemory<byte> bytes;
                if (field.IsSingleSegment)
                {
                    bytes = field.First;
                }
                else
                {
                    scratch ??= ArrayPool<byte>.Shared.Rent(Math.Max(decoder.MaxChunkSize, StreamFormat.MaxHeaderRecordLength + StreamFormat.ChannelFieldsLength));
                    field.CopyTo(scratch);
                    bytes = scratch.AsMemory(0, needed);
                }
                if (decoder.Feed(bytes.Span) == StreamEvent.Data)
                {
                    await DeviceSink.WriteAsync(deviceWriteSide, bytes, decoder.DataCrc, cancellationToken).ConfigureAwait(false);
                    progress?.Report(decoder.DataLength);
                }
                input.AdvanceTo(field.End);
            }
            return decoder.DataLength;
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
    }
}
