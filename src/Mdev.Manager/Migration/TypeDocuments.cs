using Mdev.Manager.Host;
using Mdev.Manager.Names;
using Vfio;
using Vfio.DeviceModels.Documents;

namespace Mdev.Manager.Migration;

/// <summary>The capability document of a destination type, required for checks against it.</summary>
internal static class TypeDocuments
{
    internal static MigrationInfo Require(MdevType type, MdevUuid device) =>
        type.Migration?.Document ?? throw ManagerErrors.NoDocumentToCheck(device, type);


}
