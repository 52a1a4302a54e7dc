using Vfio.DeviceModels.State;
using Vfio.Devices;

namespace Vfio.Sdk;

public abstract partial class MigratableDevice
{
    // The save session: produces the container one piece at a time (preamble, one section, the core fields plus
    // the end marker), so at most one section is materialised. A section is "sent" once it was encoded into a
    // piece; MarkDirty puts a sent section back in the queue. In STOP_COPY the piece references the section's large
    // arrays instead of copying them (GatheredPiece), so they are copied once, into the reader's buffer.
    private GatheredPiece? _piece;
    private bool _pieceIsInitial;
    private bool _saving;
    private bool _preambleSent;
    private bool _coreSent;
    // The chain value of the save session's checksum frames: the CRC of the last frame sent (of the preamble at first).
    private uint _frameChain;
    private readonly HashSet<string> _sent = new(StringComparer.Ordinal);
    private readonly List<string> _dirty = [];
    private readonly Dictionary<string, long> _lastSectionSize = new(StringComparer.Ordinal);
    private long _lastCoreSize = 256;

    /// <summary>Bytes of sections sent again because they changed after being sent, this session.</summary>
    public long ResentBytes { get; private set; }

    /// <summary>
    /// Tells the base that <paramref name="section"/> changed. If it was already sent in this save session it is
    /// sent again (during PRE_COPY, or at the latest in STOP_COPY); otherwise nothing happens, since its first send
    /// will carry the change.
    /// </summary>
    /// <param name="section">One of <see cref="Sections"/>.</param>
    /// <exception cref="ArgumentException">When the name is not a declared section.</exception>
    protected void MarkDirty(string section)
    {
        lock (_sync)
        {
            if (!Sections.Contains(section))
            {
                throw new ArgumentException($"device {Name}: '{section}' is not one of its sections ({string.Join(", ", Sections)})", nameof(section));
            }
            if (_saving && _sent.Contains(section) && !_dirty.Contains(section))
            {
                _dirty.Add(section);
            }
        }
    }

    /// <summary>An estimate of one section's encoded size, for pre-copy accounting before it was ever saved.</summary>
    /// <param name="section">The section.</param>
    /// <returns>Bytes; the default is 0 until the section has been saved once, then its last size.</returns>
    protected virtual long EstimateSectionSize(string section) => 0;

    /// <inheritdoc />
    int IMigrationBackend.ReadData(Span<byte> buffer) => Read(buffer, checksum: false, out _);

    /// <inheritdoc />
    /// <remarks>Always knows the checksum: a stopped device's large arrays were checksummed when the save code handed
    /// them over (only the edges of what a read takes are read again), and encoded bytes are checksummed in the
    /// reader's buffer, where the copy just left them.</remarks>
    int IMigrationBackend.ReadData(Span<byte> buffer, out uint? crc32c)
    {
        int n = Read(buffer, checksum: true, out uint crc);
        crc32c = n > 0 ? crc : null;
        return n;
    }

    private int Read(Span<byte> buffer, bool checksum, out uint crc32c)
    {
        crc32c = 0;
        lock (_sync)
        {
            if (!_saving)
            {
                throw SdkErrors.NotSaving(Name, _state);
            }
            if (buffer.IsEmpty)
            {
                return 0;
            }
            // Fill the buffer across pieces, encoding the next piece only when the current one is used up, so a
            // read never runs more save code than its size needs.
            int filled = 0;
            while (filled < buffer.Length)
            {
                if (_piece is null || _piece.Remaining == 0)
                {
                    if (!NextPiece())
                    {
                        break;
                    }
                }
                int n = _piece!.CopyTo(buffer[filled..], checksum, out uint part);
                if (checksum)
                {
                    crc32c = filled == 0 ? part : Crc32CCombine.Combine(crc32c, part, n);
                }
                filled += n;
            }
            if (filled > 0)
            {
                return filled;
            }
            return _state == MigrationState.StopCopy ? 0 : -1;
        }
    }

    /// <inheritdoc />
    PrecopyInfo IMigrationBackend.GetPrecopyInfo() => PendingBytes();

    private PrecopyInfo PendingBytes()
    {
        lock (_sync)
        {
            long remaining = _piece?.Remaining ?? 0;
            long initial = _pieceIsInitial ? remaining : 0;
            long dirty = _pieceIsInitial ? 0 : remaining;
            if (!_preambleSent)
            {
                initial += DeviceStateFormat.PreambleLength;
            }
            foreach (string section in Sections)
            {
                if (!_sent.Contains(section))
                {
                    initial += SectionEstimate(section);
                }
            }
            foreach (string section in _dirty)
            {
                dirty += SectionEstimate(section);
            }
            return new PrecopyInfo((ulong)initial, (ulong)dirty);
        }
    }

    /// <inheritdoc />
    ulong IMigrationBackend.GetStopCopySize()
    {
        lock (_sync)
        {
            PrecopyInfo pending = _saving ? PendingBytes() : new PrecopyInfo((ulong)(DeviceStateFormat.PreambleLength + Sections.Sum(SectionEstimate)), 0);
            return pending.InitialBytes + pending.DirtyBytes + (ulong)(_saving && _coreSent ? 0 : _lastCoreSize + 1);
        }
    }

    private void BeginSave()
    {
        _saving = true;
        _preambleSent = _coreSent = false;
        _sent.Clear();
        _dirty.Clear();
        _piece?.Clear();
        ResentBytes = 0;
    }

    private void EndSave()
    {
        _saving = false;
        _piece?.Dispose();
        _piece = null;
        _sent.Clear();
        _dirty.Clear();
    }

    // Encodes the next piece into _piece; false when nothing is due now (pre-copy) or the container is complete.
    private bool NextPiece()
    {
        _piece ??= new GatheredPiece();
        _piece.Clear();
        // A stopped device's state does not change, so its large arrays can be sent from where they are.
        _piece.ByReference = _state == MigrationState.StopCopy;
        if (!_preambleSent)
        {
            Span<byte> preamble = stackalloc byte[DeviceStateFormat.PreambleLength];
            DeviceStateFormat.WritePreamble(preamble);
            _piece.Write(preamble);
            _frameChain = DeviceStateFormat.ChainStart(preamble);
            _preambleSent = true;
            _pieceIsInitial = true;
            return true;
        }
        // Every later piece is one checksum frame: its header is reserved, the payload encoded after it, and the
        // header sealed over the payload, so the loading device can verify each piece before applying any of it.
        string? unsent = Sections.FirstOrDefault(s => !_sent.Contains(s));
        if (unsent is not null || _dirty.Count > 0)
        {
            string section = unsent ?? _dirty[0];
            _dirty.Remove(section);
            _sent.Add(section);
            _pieceIsInitial = unsent is not null;
            _piece.ReserveFrame();
            new DeviceStateWriter(_piece, null, "").WriteSection(section, w => SaveSection(section, w));
            SealPiece();
            _lastSectionSize[section] = _piece.Length;
            if (!_pieceIsInitial)
            {
                ResentBytes += _piece.Length;
            }
            return true;
        }
        if (_state != MigrationState.StopCopy || _coreSent)
        {
            return false;
        }
        _pieceIsInitial = false;
        _piece.ReserveFrame();
        SaveState(new DeviceStateWriter(_piece, null, ""));
        _lastCoreSize = _piece.Length;
        _piece.Write([DeviceStateFormat.EndTag]);
        SealPiece();
        _coreSent = true;
        return true;
    }

    private void SealPiece() => _frameChain = _piece!.Seal(_frameChain);

    private long SectionEstimate(string section) =>
        _lastSectionSize.TryGetValue(section, out long size) ? size : EstimateSectionSize(section);
}
