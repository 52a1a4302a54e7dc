using Vfio.DeviceModels.State;
using Vfio.Devices;
using Vfio.Errors;

namespace Vfio.Sdk;

// Keeping a device across processes (the emulated host): the device's own save and load code writes and reads its
// state outside any migration, and the migration state is restored without running a migration.
public abstract partial class MigratableDevice
{
    /// <summary>
    /// Writes the device's complete state (every section, then the core fields) in the device-state format, using
    /// the device's own save code, without touching the migration state or an open save session.
    /// </summary>
    /// <param name="output">Where the container goes.</param>
    /// <remarks>For hosts that keep an emulated device between processes; a migration reads the same format through
    /// <see cref="IMigrationBackend.ReadData(Span{byte})"/>.</remarks>
    void IPersistentMigrationBackend.ExportState(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        lock (_sync)
        {
            using var buffer = new StateBuffer(4096);
            DeviceState.WriteFramed(buffer, writer =>
            {
                foreach (string section in Sections)
                {
                    writer.WriteSection(section, s => SaveSection(section, s));
                }
                SaveState(writer);
            });
            output.Write(buffer.WrittenSpan);
        }
    }

    /// <summary>
    /// Loads a state written by <see cref="IPersistentMigrationBackend.ExportState"/> with the device's own load code (unknown required fields
    /// refused, unknown optional fields skipped), without a RESUMING session.
    /// </summary>
    /// <param name="state">The container.</param>
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateChecksumMismatch"/> (a byte of the file
    /// changed since it was written; nothing was loaded), <see cref="ErrorCode.DeviceStateMalformed"/> or
    /// <see cref="ErrorCode.DeviceStateFieldUnknown"/>; the device is unchanged by the format checks but the load code
    /// may have run partly.</exception>
    void IPersistentMigrationBackend.ImportState(ReadOnlySpan<byte> state)
    {
        lock (_sync)
        {
            DeviceState.Load(state, Name, LoadState, MaxLoadFieldLength);
        }
    }

    /// <summary>
    /// Puts the device back in a migration state it was persisted in, as if the arcs to it had been taken: a saving
    /// state starts a fresh save session, RESUMING a fresh load session (the previous process's data session is gone,
    /// as a closed <c>data_fd</c> is), and a stopped state runs <see cref="OnStopped"/>.
    /// </summary>
    /// <param name="state">The persisted state; ERROR is kept until a reset.</param>
    void IPersistentMigrationBackend.RestoreMigrationState(MigrationState state)
    {
        lock (_sync)
        {
            EndSave();
            AbandonLoad();
            if (state != MigrationState.Error)
            {
                RunHooks(_state, state);
            }
            if (IsSaving(state))
            {
                BeginSave();
            }
            else if (state == MigrationState.Resuming)
            {
                BeginLoad();
            }
            _state = state;
        }
    }
}
