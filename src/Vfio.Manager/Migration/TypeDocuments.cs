using Vfio.Manager.Errors;
using Vfio.Manager.Host;
using Vfio.Manager.Names;
using Vfio.DeviceModels.Documents;

namespace Vfio.Manager.Migration;

/// <summary>The capability document of a destination type, required for checks against it.</summary>
internal static class TypeDocuments
{
    internal static MigrationInfo Require(MdevType type, MdevUuid device) =>
        type.Migration?.Document ?? throw ManagerErrors.NoDocumentToCheck(device, type);


}
