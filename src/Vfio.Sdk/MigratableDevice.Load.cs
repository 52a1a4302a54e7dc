using Vfio.DeviceModels.State;
using Vfio.Devices;

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

    /// <inheritdoc />
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateMalformed"/> when the bytes cannot be a
    /// device state (bad preamble, oversized field, bytes after the end marker); the device is then in ERROR.</exception>
    void IMigrationBackend.WriteData(ReadOnlySpan<byte> data)
    {
        lock (_sync)
        {
            if (_state != MigrationState.Resuming || _load is null)
            {
                throw new VfioException(ErrorCode.DeviceRefusedState,
                    $"device {Name}: state to load is written in RESUMING, the device is in {_state}")
                { Device = Name, Value = _state.ToString(), Expected = "Resuming" };
            }
            try
            {
                _load.Write(data);
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
        _load = new DeviceStateAssembler(Name, MaxLoadFieldLength, LoadsSectionsEarly ? TakeSectionEarly : null);
    }

    // Called by the assembler for every complete top-level field while RESUMING.
    private bool TakeSectionEarly(string name, ReadOnlyMemory<byte> field)
    {
        if (!Sections.Contains(name))
        {
            return false;
        }
        DeviceStateReader top = DeviceStateReader.Parse(Name, "", [field]);
        LoadSection(name, top.ReadSection(name));
        top.Complete();
        _sectionsLoaded.Add(name);
        return true;
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
                throw new DeviceStateException(ErrorCode.DeviceStateMalformed, Name, missing,
                    $"device {Name}: required section '{missing}' never arrived in the saved state");
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

    private DeviceStateException LoadFailed(Exception e) =>
        new(ErrorCode.DeviceStateLoadFailed, Name, e is VfioException { Parameter: { } field } ? field : null,
            $"device {Name}: its load code refused the saved state: {e.Message}", e);

    private void EnterError()
    {
        AbandonLoad();
        _state = MigrationState.Error;
    }
}
