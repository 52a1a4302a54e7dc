using Vfio.Errors;
using Vfio.Manager.Devices;
using Vfio.Manager.Names;
using Vfio.Kernel;

namespace Vfio.Tests.Manager;

public sealed class DeviceHeldTests
{
    private static readonly MdevUuid Device = MdevUuid.Parse("83b8f4f2-509f-382f-3c1e-e6bfe0fa1001");

    [Fact]
    public void Held_NamesTheHoldersTheGroupAndTheVmmWorkflow()
    {
        VfioException e = KernelDeviceOpener.Held(Device, "/dev/vfio/3", [new VfioNodeHolder(812, "qemu-system-x86")]);

        Assert.Equal(ErrorCode.DeviceHeld, e.Code);
        Assert.Equal(6040, (int)e.Code);
        Assert.Equal("qemu-system-x86 (pid 812)", e.Value);
        Assert.Equal(Device.ToString(), e.Device);
        Assert.Contains("is held by qemu-system-x86 (pid 812)", e.Message, StringComparison.Ordinal);
        Assert.Contains("/dev/vfio/3", e.Message, StringComparison.Ordinal);
        Assert.Contains($"vfioctl describe {Device} --json", e.Message, StringComparison.Ordinal);
        Assert.Contains("start --like", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Held_WithNoVisibleHolder_SaysSoInsteadOfNamingNone()
    {
        VfioException e = KernelDeviceOpener.Held(Device, "/dev/vfio/3", []);

        Assert.Null(e.Value);
        Assert.Contains("held by another process (none that this user may inspect in /proc)", e.Message, StringComparison.Ordinal);
    }
}
