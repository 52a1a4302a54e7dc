using System.Globalization;
using Vfio.Conformance;
using Vfio.Devices;
using Vfio.Kernel;

namespace Vfio.Tests.Kernel;

/// <summary>
/// The conformance kit against a real kernel device (the kernel lab's mtty): VFIO_TEST_GROUP and VFIO_TEST_DEVICE name it.
/// The device must speak a migration protocol (mtty: v2). Destructive to the device's guest-visible state, as the kit
/// is; skipped where there is no such device.
/// </summary>
public sealed class KernelConformanceTests
{
    [RequiresVfioDeviceFact]
    public void RealDevice_PassesTheConformanceKit()
    {
        int groupNumber = int.Parse(Environment.GetEnvironmentVariable("VFIO_TEST_GROUP")!, CultureInfo.InvariantCulture);
        string name = Environment.GetEnvironmentVariable("VFIO_TEST_DEVICE")!;
        using VfioContainer container = VfioContainer.Open();
        using VfioGroup group = VfioGroup.Open(groupNumber);
        group.RequireViable();
        group.SetContainer(container);
        container.SetIommu(container.CheckExtension(VfioExtension.Type1v2Iommu) ? VfioExtension.Type1v2Iommu : VfioExtension.NoIommu);
        using KernelVfioDevice device = group.OpenDevice(name);

        ConformanceReport report = ConformanceKit.Run(device);

        Assert.True(report.Passed, string.Join("\n", report.Failures.Select(f => $"{f.Name}: {f.Detail}")));
        Assert.Equal(MigrationState.Running, device.GetMigrationState());
    }
}
