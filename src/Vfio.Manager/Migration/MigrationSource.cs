using Vfio.Manager.Names;

namespace Vfio.Manager.Migration;

/// <summary>The device whose state leaves: an existing mediated device on a host.</summary>
/// <param name="Endpoint">The host it lives on.</param>
/// <param name="Device">Its UUID.</param>
public sealed record MigrationSource(MigrationEndpoint Endpoint, MdevUuid Device);
