namespace Vfio.Devices;

/// <summary>
/// Byte offsets of <c>struct vfio_device_migration_info</c> at the start of the v1 migration region, taken from the
/// interop struct (whose layout the ABI test checks against linux/vfio.h), for drivers that pread/pwrite fields.
/// </summary>
internal static class V1MigrationRegionLayout
{
    internal static readonly ulong DeviceState = OffsetOf(0);
    internal static readonly ulong PendingBytes = OffsetOf(1);
    internal static readonly ulong DataOffset = OffsetOf(2);
    internal static readonly ulong DataSize = OffsetOf(3);

    /// <summary>sizeof(struct vfio_device_migration_info).</summary>
    internal static readonly unsafe ulong Size = (ulong)sizeof(Interop.Vfio.vfio_device_migration_info);

    // Pointer arithmetic rather than Marshal.OffsetOf: AOT-safe and needs no field-name strings.
    private static unsafe ulong OffsetOf(int field)
    {
        Interop.Vfio.vfio_device_migration_info s = default;
        byte* b = (byte*)&s;
        byte* f = field switch
        {
            0 => (byte*)&s.device_state,
            1 => (byte*)&s.pending_bytes,
            2 => (byte*)&s.data_offset,
            _ => (byte*)&s.data_size,
        };
        return (ulong)(f - b);
    }
}
