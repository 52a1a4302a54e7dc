using Vfio.DeviceModels.State;
using Vfio.Devices;

namespace Vfio.DeviceModels.Sdk;

public abstract partial class MigratableDevice
{
    private DeviceStateAssembler? _load;

    /// <inheritdoc />
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateMalformed"/> when the bytes cannot be a
    /// device state (bad preamble, oversized field, bytes after the end marker); the device is then in ERROR.</exception>
    public void WriteData(ReadOnlySpan<byte> data)
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
            catch (DeviceStateException)
            {
                EnterError();
                throw;
            }
        }
    }

    private void BeginLoad()
    {
        AbandonLoad();
        _load = new DeviceStateAssembler(Name, MaxLoadFieldLength);
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
            string field = e is VfioException v && v.Parameter is not null ? v.Parameter : "";
            throw new DeviceStateException(ErrorCode.DeviceStateLoadFailed, Name, field.Length == 0 ? null : field,
                $"device {Name}: its load code refused the saved state: {e.Message}", e);
        }
        finally
        {
            AbandonLoad();
        }
    }

    private void EnterError()
    {
        AbandonLoad();
        _state = MigrationState.Error;
    }
}
