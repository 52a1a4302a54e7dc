namespace Mdev.Manager;

/// <summary>A type's capability document as found on the host, before or without interpretation.</summary>
/// <param name="Source">Whether it came from the type directory or from a manifest.</param>
/// <param name="Path">The file it was read from.</param>
/// <param name="Json">The document text.</param>
public sealed record TypeMigrationInfo(MigrationInfoSource Source, SysfsPath Path, string Json);
