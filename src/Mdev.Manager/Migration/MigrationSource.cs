namespace Mdev.Manager;

/// <summary>The device whose state leaves: an existing mediated device on a host.</summary>
/// <param name="Host">The host it lives on.</param>
/// <param name="Device">Its UUID.</param>
public sealed record MigrationSource(MigrationHost Host, MdevUuid Device);
