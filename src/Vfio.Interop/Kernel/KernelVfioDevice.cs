using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using Vfio.Devices;
using Vfio.Errors;

namespace Vfio.Kernel;

/// <summary>
/// A VFIO device fd from <see cref="VfioGroup.OpenDevice"/>: the kernel implementation of <see cref="IVfioDevice"/>.
/// Each member is one ioctl, pread or pwrite on the fd; the migration drivers sit above it.
/// </summary>
public sealed partial class KernelVfioDevice : IVfioDevice
{
    private readonly SafeVfioHandle _fd;
    // Where the fd came from (the group node), for messages: "ioctl ... on /dev/vfio/12 region 3".
    private readonly string _source;
    // Region index -> (offset within the device fd, size); region layout is fixed for the life of the fd.
    private readonly ConcurrentDictionary<uint, (ulong Offset, ulong Size)> _regions = new();

    internal KernelVfioDevice(SafeVfioHandle fd, string name, string source)
    {
        _fd = fd;
        Name = name;
        _source = source;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    /// <exception cref="VfioErrnoException"><see cref="ErrorCode.KernelCallFailed"/> when the ioctl fails.</exception>
    public unsafe VfioDeviceInfo GetInfo()
    {
        var info = new Interop.Vfio.vfio_device_info { argsz = (uint)sizeof(Interop.Vfio.vfio_device_info) };
        KernelCall.Ioctl(_fd, Interop.Vfio.VFIO_DEVICE_GET_INFO, &info, "ioctl VFIO_DEVICE_GET_INFO on " + _source, Name);
        return new VfioDeviceInfo((VfioDeviceFlags)info.flags, info.num_regions, info.num_irqs);
    }

    /// <inheritdoc />
    /// <exception cref="VfioErrnoException"><see cref="ErrorCode.KernelCallFailed"/> when the ioctl fails
    /// (EINVAL: no such region).</exception>
    /// <exception cref="VfioException"><see cref="ErrorCode.CapabilityChainMalformed"/> when the chain is malformed or
    /// the driver keeps asking for a larger argsz.</exception>
    public unsafe VfioRegionInfo GetRegionInfo(uint index)
    {
        string operation = string.Create(CultureInfo.InvariantCulture, $"ioctl VFIO_DEVICE_GET_REGION_INFO on {_source} region {index}");
        VfioRegionInfo region = RegionInfoQuery.Run(index, Name, buffer =>
        {
            fixed (byte* p = buffer)
            {
                KernelCall.Ioctl(_fd, Interop.Vfio.VFIO_DEVICE_GET_REGION_INFO, p, operation, Name);
            }
        });
        _regions[index] = (region.Offset, region.Size);
        return region;
    }

    /// <inheritdoc />
    /// <exception cref="VfioErrnoException"><see cref="ErrorCode.KernelCallFailed"/> when the ioctl fails.</exception>
    public unsafe VfioIrqInfo GetIrqInfo(uint index)
    {
        var info = new Interop.Vfio.vfio_irq_info { argsz = (uint)sizeof(Interop.Vfio.vfio_irq_info), index = index };
        KernelCall.Ioctl(_fd, Interop.Vfio.VFIO_DEVICE_GET_IRQ_INFO, &info,
            string.Create(CultureInfo.InvariantCulture, $"ioctl VFIO_DEVICE_GET_IRQ_INFO on {_source} irq {index}"), Name);
        return new VfioIrqInfo(info.index, (VfioIrqFlags)info.flags, info.count);
    }

    /// <inheritdoc />
    /// <exception cref="VfioException"><see cref="ErrorCode.RegionAccessInvalid"/> when the range leaves the region.</exception>
    /// <exception cref="VfioErrnoException"><see cref="ErrorCode.KernelCallFailed"/> when pread fails.</exception>
    public unsafe int ReadRegion(uint index, ulong offset, Span<byte> buffer)
    {
        long position = FilePosition(index, offset, buffer.Length, "read");
        nint n;
        fixed (byte* p = buffer)
        {
            do
            {
                n = Interop.Libc.pread(_fd, p, (nuint)buffer.Length, position);
            }
            while (n < 0 && Marshal.GetLastPInvokeError() == Interop.Errno.EINTR);
            if (n < 0)
            {
                throw new VfioErrnoException(Marshal.GetLastPInvokeError(),
                    string.Create(CultureInfo.InvariantCulture, $"pread on {_source} region {index} at 0x{offset:x} ({buffer.Length} bytes)"), Name);
            }
        }
        return (int)n;
    }

    /// <inheritdoc />
    /// <exception cref="VfioException"><see cref="ErrorCode.RegionAccessInvalid"/> when the range leaves the region.</exception>
    /// <exception cref="VfioErrnoException"><see cref="ErrorCode.KernelCallFailed"/> when pwrite fails.</exception>
    public unsafe int WriteRegion(uint index, ulong offset, ReadOnlySpan<byte> data)
    {
        long position = FilePosition(index, offset, data.Length, "write");
        nint n;
        fixed (byte* p = data)
        {
            do
            {
                n = Interop.Libc.pwrite(_fd, p, (nuint)data.Length, position);
            }
            while (n < 0 && Marshal.GetLastPInvokeError() == Interop.Errno.EINTR);
            if (n < 0)
            {
                throw new VfioErrnoException(Marshal.GetLastPInvokeError(),
                    string.Create(CultureInfo.InvariantCulture, $"pwrite on {_source} region {index} at 0x{offset:x} ({data.Length} bytes)"), Name);
            }
        }
        return (int)n;
    }

    // Region accesses are pread/pwrite on the device fd at the region's offset (vfio-pci: index << 40) plus the
    // offset within the region; a range past the region's end would silently address the next region.
    private long FilePosition(uint index, ulong offset, int length, string access)
    {
        if (!_regions.TryGetValue(index, out var region))
        {
            GetRegionInfo(index);
            region = _regions[index];
        }
        if (offset > region.Size || (ulong)length > region.Size - offset)
        {
            throw InteropErrors.AccessOutsideRegion(Name, access, length, offset, index, region.Size);

        }
        return checked((long)(region.Offset + offset));
    }

    /// <inheritdoc />
    /// <exception cref="VfioErrnoException"><see cref="ErrorCode.KernelCallFailed"/> when the ioctl fails.</exception>
    public unsafe void Reset() =>
        KernelCall.Ioctl(_fd, Interop.Vfio.VFIO_DEVICE_RESET, null, "ioctl VFIO_DEVICE_RESET on " + _source, Name);

    /// <summary>Closes the device fd.</summary>
    public void Dispose() => _fd.Dispose();
}
