using Vfio.Errors;
using Vfio.IO;
using Vfio.Manager.Errors;
using Vfio.Manager.Sysfs;
using Vfio.DeviceModels.Documents;

namespace Vfio.Manager.IO;

/// <summary>
/// The check a capability document file (a type's <c>migration_info.json</c>, a manifest) gets before it is read: a
/// regular file of at most <see cref="MigrationInfo.MaxDocumentLength"/> bytes. A larger one is refused unread
/// (parsing costs many times a document's size), and a FIFO or device is refused rather than waited on.
/// </summary>
internal static class DocumentFiles
{
    /// <exception cref="VfioException"><see cref="ErrorCode.DocumentInvalid"/> for an oversized file;
    /// <see cref="ErrorCode.FileKindInvalid"/> for anything but a regular file.</exception>
    internal static void CheckBeforeRead(SysfsPath file)
    {
        string full = PathResolver.Resolve(file).FullPath;
        if (OperatingSystem.IsWindows() || !UnixFileStatus.TryStat(full, out UnixFileStatus status, out _))
        {
            return;
        }
        if (status.Kind != UnixFileKind.Regular)
        {
            throw new VfioFileException(ErrorCode.FileKindInvalid, 0, $"reading the migration info document '{file.FullPath}' (it is not a regular file)",
                file.FullPath, "nothing was read");
        }
        if (status.Size > MigrationInfo.MaxDocumentLength)
        {
            throw ManagerErrors.DocumentInvalid(file.FullPath,
                $"the migration info document is {status.Size} bytes; expected at most {MigrationInfo.MaxDocumentLength} (it is refused unread)",
                $"a document of at most {MigrationInfo.MaxDocumentLength} bytes");

        }
    }
}
