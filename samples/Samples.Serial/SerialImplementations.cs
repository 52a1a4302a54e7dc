using Vfio.Sdk;

namespace Vfio.Samples.Serial;

/// <summary>
/// The two types of the mtty-sdk card as hosts run them; like the kernel's mtty, each type is its own fixed
/// configuration, so the implementation ids name the type.
/// </summary>
public static class SerialImplementations
{
    /// <summary><c>kernel.org/samples/mtty-sdk@mtty-sdk-1</c>: single port serial, v2 protocol with STOP_COPY and P2P (as mtty since Linux 6.7).</summary>
    public static DeviceImplementation SinglePort { get; } = Create("mtty-sdk-1", SerialModel.SinglePort);

    /// <summary><c>kernel.org/samples/mtty-sdk@mtty-sdk-2</c>: dual port serial, v2 protocol with STOP_COPY and P2P.</summary>
    public static DeviceImplementation DualPort { get; } = Create("mtty-sdk-2", SerialModel.DualPort);

    private static DeviceImplementation Create(string type, DeviceModels.ModelDescription model) => new(
        SerialModel.Id + "@" + type,
        model,
        (name, configuration) => new SerialDevice(name, configuration));
}
