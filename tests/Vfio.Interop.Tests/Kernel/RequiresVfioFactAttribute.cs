namespace Vfio.Tests.Kernel;

/// <summary>A fact that needs the kernel's VFIO container node; skipped where /dev/vfio/vfio does not exist.</summary>
[Xunit.Sdk.XunitTestCaseDiscoverer(Vfio.Tests.Shared.ExplainedSkipFactDiscoverer.TypeName, "Vfio.Interop.Tests")]
public sealed class RequiresVfioFactAttribute : FactAttribute
{
    public RequiresVfioFactAttribute()
    {
        if (!File.Exists("/dev/vfio/vfio"))
        {
            Skip = "needs /dev/vfio/vfio (the vfio module); this machine has none";
        }
    }
}

/// <summary>
/// A fact that needs a real VFIO device: VFIO_TEST_GROUP (IOMMU group number) and VFIO_TEST_DEVICE (PCI address or
/// mdev UUID, e.g. an mtty device) must name a device bound to a VFIO driver that this user may open.
/// </summary>
[Xunit.Sdk.XunitTestCaseDiscoverer(Vfio.Tests.Shared.ExplainedSkipFactDiscoverer.TypeName, "Vfio.Interop.Tests")]
public sealed class RequiresVfioDeviceFactAttribute : FactAttribute
{
    public RequiresVfioDeviceFactAttribute()
    {
        if (!File.Exists("/dev/vfio/vfio"))
        {
            Skip = "needs /dev/vfio/vfio (the vfio module); this machine has none";
        }
        else if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("VFIO_TEST_GROUP")) ||
                 string.IsNullOrEmpty(Environment.GetEnvironmentVariable("VFIO_TEST_DEVICE")))
        {
            Skip = "set VFIO_TEST_GROUP and VFIO_TEST_DEVICE to a device bound to a VFIO driver (e.g. an mtty mdev)";
        }
    }
}
