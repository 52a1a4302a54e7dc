using Vfio.DeviceModels;

namespace Vfio.Samples.Serial;

/// <summary>
/// The model <c>kernel.org/samples/mtty-sdk</c>: the kernel's mtty sample (a PCI card of 16550-style UARTs with a
/// loopback FIFO, <c>samples/vfio-mdev/mtty.c</c>) rewritten on the vendor SDK. Like mtty it has two mdev types, one
/// and two ports, and the type fixes the configuration.
/// </summary>
/// <remarks>
/// The single parameter <c>ports</c> has one allowed value per type, which is therefore also its off and init value
/// (the convention of samples/mtty/ for the kernel's own mtty). A device migrates only to a device of its own type:
/// checking a 2-port source against the 1-port description names <c>ports</c>, the value 2 and the allowed value 1
/// (E3003).
/// </remarks>
public static class SerialModel
{
    /// <summary>The model id.</summary>
    public const string Id = "kernel.org/samples/mtty-sdk";

    /// <summary>The number-of-ports parameter.</summary>
    public const string Ports = "ports";

    /// <summary>The description of type <c>mtty-sdk-1</c> (single port serial): <c>ports</c> fixed to 1.</summary>
    public static ModelDescription SinglePort { get; } = ForPorts(1);

    /// <summary>The description of type <c>mtty-sdk-2</c> (dual port serial): <c>ports</c> fixed to 2.</summary>
    public static ModelDescription DualPort { get; } = ForPorts(2);

    private static ModelDescription ForPorts(int ports)
    {
        string n = ports.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new ModelDescriptionBuilder(Id)
            .Int(Ports, n, off: n, init: n, $"Serial ports of the device; fixed by the type ({n})")
            .Build();
    }
}
