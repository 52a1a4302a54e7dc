namespace Vfio.DeviceModels.State;

/// <summary>
/// Where a <see cref="DeviceStateWriter"/> puts the encoded bytes: a growable buffer (<see cref="BufferSink"/>), or or a
/// piece of a save session that references the device's large arrays instead of copying them (<see cref="GatheredPiece"/>).
/// </summary>
/// <remarks>A section's header carries its value length before the value; <see cref="BeginSection"/> gives the sink the
/// chance to supply it (a replay of a measured section) or to patch it afterwards (<see cref="EndSection"/>).</remarks>
internal abstract class StateSink
{
    /// <summary>Appends encoded bytes.</summary>
    public abstract void Write(ReadOnlySpan<byte> bytes);

    /// <summary>Appends a whole array's bytes; a sink may keep the array rather than copy it (<see cref="GatheredPiece"/>).</summary>
    public virtual void WriteArray(byte[] array) => Write(array);

    /// <summary>
    /// Called before a section's header (of <paramref name="headerLength"/> bytes, its 4-byte value length last) is
    /// written; returns the value length to write there (0 when the sink patches it in <see cref="EndSection"/>).
    /// </summary>
    public abstract uint BeginSection(int headerLength);

    /// <summary>Called after the section's body was written.</summary>
    public abstract void EndSection();
}
