using Vfio.DeviceModels.State;
using Vfio.Devices;
using Vfio.Errors;

namespace Vfio.Sdk;

public abstract partial class MigratableDevice
{
    private DeviceStateAssembler? _load;
    private readonly HashSet<string> _sectionsLoaded = new(StringComparer.Ordinal);

    /// <summary>
    /// True when the device loads each of its <see cref="Sections"/> as soon as it arrives, through
    /// <see cref="LoadSection"/>, instead of in <see cref="LoadState"/>. The received bytes are then not held until
    /// the end of RESUMING, and the copy into the device happens while the source still runs (pre-copy), not during
    /// the downtime. A section sent again (it changed during pre-copy) is loaded again.
    /// </summary>
    protected virtual bool LoadsSectionsEarly => false;

    /// <summary>
    /// Loads one section while RESUMING (only when <see cref="LoadsSectionsEarly"/>). Unread required fields of the
    /// section fail the load as in <see cref="LoadState"/>; every declared section must arrive at least once.
    /// </summary>
    /// <param name="section">The section's name.</param>
    /// <param name="reader">The section's fields.</param>
    protected virtual void LoadSection(string section, DeviceStateReader reader) =>
        throw new NotSupportedException($"device {Name} sets LoadsSectionsEarly but does not override LoadSection");

    /// <summary>
    /// Optional, with <see cref="LoadsSectionsEarly"/>: the device memory that the byte field <paramref name="field"/>
    /// of <paramref name="section"/> is loaded into, copied there straight from the received data as it arrives (one
    /// copy, nothing held). Return empty (the default) to receive the field in <see cref="LoadSection"/> instead, as
    /// every field smaller than a page or two is best received.
    /// </summary>
    /// <param name="section">The section, one of <see cref="Sections"/>.</param>
    /// <param name="field">The byte field's name inside the section.</param>
    /// <param name="length">Its length in bytes; a target of another length is not used.</param>
    /// <returns>Exactly <paramref name="length"/> bytes of the device's memory, or empty.</returns>
    /// <remarks>
    /// <see cref="LoadSection"/> still runs once the section's checksum was verified; the field then counts as read
    /// and <see cref="DeviceStateReader.ReadBytes"/> returns the target. The bytes reach the target before that
    /// check: when it fails the load fails and the device is in ERROR (it must be reset before it runs again), so
    /// the device never runs on them.
    /// </remarks>
    protected virtual Memory<byte> LoadTarget(string section, string field, int length) => default;

    /// <inheritdoc />
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateMalformed"/> when the bytes cannot be a
    /// device state (bad preamble, oversized field, bytes after the end marker); the device is then in ERROR.</exception>
    void IMigrationBackend.WriteData(ReadOnlySpan<byte> data) => Write(data, null);

    /// <inheritdoc />
    /// <remarks>With the checksum, the longest run of one checksum frame's payload in <paramref name="data"/> (most of
    /// an envelope record inside a large section) is loaded without a checksum pass of its own: its CRC is split out
    /// of the one given, and each frame is still checked whole before any of its fields is passed on.</remarks>
    void IMigrationBackend.WriteData(ReadOnlySpan<byte> data, uint? crc32c) => Write(data, crc32c);

    private void Write(ReadOnlySpan<byte> data, uint? crc32c)
    {
        lock (_sync)
        {
            if (_state != MigrationState.Resuming || _load is null)
            {
                throw SdkErrors.NotResuming(Name, _state);
            }
            try
            {
                if (crc32c is uint crc)
                {
                    _load.Write(data, crc);
                }
                else
                {
                    _load.Write(data);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                EnterError();
                if (e is DeviceStateException)
                {
                    throw;
                }
                throw LoadFailed(e);
            }
        }
    }

    private void BeginLoad()
    {
        AbandonLoad();
        _sectionsLoaded.Clear();
        _load = new DeviceStateAssembler(Name, MaxLoadFieldLength, LoadsSectionsEarly ? new EarlyLoader(this) : null);
    }

    /// <summary>The device's sections, loaded as they arrive while RESUMING.</summary>
    private sealed class EarlyLoader(MigratableDevice device) : SectionLoader
    {
        public override bool Takes(string name) => device.Sections.Contains(name);

        public override Memory<byte> Target(string section, string field, int length) => device.LoadTarget(section, field, length);

        public override void Load(string section, DeviceStateReader reader)
        {
            device.LoadSection(section, reader);
            device._sectionsLoaded.Add(section);
        }
    }

    private void AbandonLoad()
    {
        _load?.Dispose();
        _load = null;
    }

    // RESUMING -> STOP: the whole state has arrived; parse it, run the vendor's load code, refuse unread required fields.
    private void FinishLoad()
    {
        DeviceStateAssembler load = _load!;
        try
        {
            DeviceStateReader reader = load.Finish();
            if (LoadsSectionsEarly && Sections.FirstOrDefault(s => !_sectionsLoaded.Contains(s)) is string missing)
            {
                throw SdkErrors.SectionMissing(Name, missing);
            }
            LoadState(reader);
            reader.Complete();
        }
        catch (DeviceStateException)
        {
            EnterError();
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            EnterError();
            throw LoadFailed(e);
        }
        finally
        {
            AbandonLoad();
        }
    }

    private DeviceStateException LoadFailed(Exception e) => SdkErrors.LoadFailed(Name, e);

    private void EnterError()
    {
        AbandonLoad();
        _state = MigrationState.Error;
    }
}
