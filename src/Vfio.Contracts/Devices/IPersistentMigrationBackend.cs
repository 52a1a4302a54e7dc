namespace Vfio.Devices;

/// <summary>
/// A device whose state can be kept across processes (the emulated host keeps its devices between commands): the
/// device's own save and load code write and read its state outside any migration, and the migration state is put
/// back without running a migration. The vendor SDK's <c>MigratableDevice</c> implements it explicitly.
/// </summary>
public interface IPersistentMigrationBackend : IMigrationBackend
{
    /// <summary>Writes the device's complete state in the device-state format, without touching the migration state.</summary>
    /// <param name="output">Where the state goes.</param>
    void ExportState(Stream output);

    /// <summary>Loads a state written by <see cref="ExportState"/> with the device's own load code, without a RESUMING session.</summary>
    /// <param name="state">The state.</param>
    void ImportState(ReadOnlySpan<byte> state);

    /// <summary>Puts the device back in a migration state it was persisted in, as if the arcs to it had been taken.</summary>
    /// <param name="state">The persisted state.</param>
    void RestoreMigrationState(MigrationState state);
}
