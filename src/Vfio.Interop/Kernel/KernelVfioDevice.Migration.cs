using System.Globalization;
using Vfio.Devices;
using Vfio.Errors;

namespace Vfio.Kernel;

// The v2 migration features (VFIO_DEVICE_FEATURE, Linux 5.18+): one ioctl with a vfio_device_feature header
// followed by the feature's struct.
public sealed partial class KernelVfioDevice
{
    /// <inheritdoc />
    /// <exception cref="VfioErrnoException"><see cref="ErrorCode.KernelCallFailed"/> for a failure other than
    /// "feature absent" (ENOTTY on kernels without VFIO_DEVICE_FEATURE, EINVAL/EOPNOTSUPP from drivers without it).</exception>
    public MigrationFeatures GetMigrationFeatures()
    {
        var migration = default(Interop.Vfio.vfio_device_feature_migration);
        int errno = Feature(Interop.Vfio.VFIO_DEVICE_FEATURE_GET | Interop.Vfio.VFIO_DEVICE_FEATURE_MIGRATION, ref migration);
        if (errno != 0)
        {
            if (KernelCall.IsFeatureAbsent(errno))
            {
                return MigrationFeatures.None;
            }
            throw new VfioErrnoException(errno, FeatureOperation("GET", "VFIO_DEVICE_FEATURE_MIGRATION"), Name);
        }
        return (MigrationFeatures)migration.flags;
    }

    /// <inheritdoc />
    /// <exception cref="VfioErrnoException"><see cref="ErrorCode.KernelCallFailed"/> when the ioctl fails.</exception>
    public MigrationState GetMigrationState()
    {
        var state = new Interop.Vfio.vfio_device_feature_mig_state { data_fd = -1 };
        int errno = Feature(Interop.Vfio.VFIO_DEVICE_FEATURE_GET | Interop.Vfio.VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, ref state);
        if (errno != 0)
        {
            throw new VfioErrnoException(errno, FeatureOperation("GET", "VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE"), Name);
        }
        return (MigrationState)state.device_state;
    }

    /// <inheritdoc />
    /// <exception cref="VfioErrnoException"><see cref="ErrorCode.KernelCallFailed"/> when the device refuses the arc;
    /// the kernel then leaves the device in its old state or in ERROR (read it back with <see cref="GetMigrationState"/>).</exception>
    public MigrationDataStream? SetMigrationState(MigrationState next)
    {
        var state = new Interop.Vfio.vfio_device_feature_mig_state { device_state = (uint)next, data_fd = -1 };
        int errno = Feature(Interop.Vfio.VFIO_DEVICE_FEATURE_SET | Interop.Vfio.VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, ref state);
        if (errno != 0)
        {
            throw new VfioErrnoException(errno, FeatureOperation("SET", "VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE", $" to {next}"), Name);
        }
        if (state.data_fd < 0)
        {
            return null;
        }
        // The kernel created an fd for us: own it at once. RESUMING is the only state whose session is written.
        var dataFd = new SafeVfioHandle(state.data_fd);
        return new KernelMigrationDataStream(dataFd, writable: next == MigrationState.Resuming,
            string.Create(CultureInfo.InvariantCulture, $"data_fd {state.data_fd} of {Name} ({next})"), Name);
    }

    /// <inheritdoc />
    /// <exception cref="VfioException"><see cref="ErrorCode.FeatureUnsupported"/> when the device lacks the feature
    /// (Linux before 6.2, or a driver without it).</exception>
    /// <exception cref="VfioErrnoException"><see cref="ErrorCode.KernelCallFailed"/> for other failures.</exception>
    public ulong GetMigrationDataSize()
    {
        var size = default(Interop.Vfio.vfio_device_feature_mig_data_size);
        int errno = Feature(Interop.Vfio.VFIO_DEVICE_FEATURE_GET | Interop.Vfio.VFIO_DEVICE_FEATURE_MIG_DATA_SIZE, ref size);
        if (errno != 0)
        {
            var cause = new VfioErrnoException(errno, FeatureOperation("GET", "VFIO_DEVICE_FEATURE_MIG_DATA_SIZE"), Name);
            if (KernelCall.IsFeatureAbsent(errno))
            {
                throw InteropErrors.MigDataSizeUnsupported(Name, cause);

            }
            throw cause;
        }
        return size.stop_copy_length;
    }

    // One VFIO_DEVICE_FEATURE call: header + payload in one buffer, payload copied back on success.
    // Returns 0 or the errno, read immediately after the ioctl.
    private unsafe int Feature<T>(uint flags, ref T payload)
        where T : unmanaged
    {
        int size = sizeof(Interop.Vfio.vfio_device_feature) + sizeof(T);
        // ulong elements: the payload starts at offset 8 and holds __aligned_u64 fields.
        ulong* buffer = stackalloc ulong[(size + 7) / 8];
        var header = (Interop.Vfio.vfio_device_feature*)buffer;
        header->argsz = (uint)size;
        header->flags = flags;
        T* data = (T*)(header + 1);
        *data = payload;
        if (KernelCall.TryIoctl(_fd, Interop.Vfio.VFIO_DEVICE_FEATURE, buffer, out int errno) < 0)
        {
            return errno;
        }
        payload = *data;
        return 0;
    }

    private string FeatureOperation(string direction, string feature, string detail = "") =>
        $"ioctl VFIO_DEVICE_FEATURE {direction} {feature}{detail} on {_source}";
}
