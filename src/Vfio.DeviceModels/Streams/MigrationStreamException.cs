using Vfio.Errors;

namespace Vfio.DeviceModels.Streams;

/// <summary>
/// A migration stream was refused: wrong magic or format, a bad CRC, truncation, an oversized or invalid
/// record, mismatched totals or trailing bytes. The code says which (5xxx range of <see cref="ErrorCode"/>).
/// </summary>
public sealed class MigrationStreamException : VfioException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="code">A 5xxx catalogue code.</param>
    /// <param name="offset">Byte offset in the stream at which the problem was found.</param>
    /// <param name="message">What was found and what was expected.</param>
    public MigrationStreamException(ErrorCode code, long offset, string message)
        : base(code, message)
    {
        Offset = offset;
    }

    /// <summary>Byte offset in the stream where the refused field or record starts.</summary>
    public long Offset { get; }
}
