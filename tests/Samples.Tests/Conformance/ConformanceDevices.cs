using Vfio.DeviceModels;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Migration;
using Vfio.Samples.Nic;
using Vfio.Samples.Serial;
using Vfio.Samples.VendorGuide;
using Vfio.Sdk;

namespace Vfio.Tests.Samples.Conformance;

/// <summary>A shipped sample device behind an emulated VFIO device, in one of the protocol and flag variants the kit is run on.</summary>
internal sealed class ConformanceDevices : IDisposable
{
    private ConformanceDevices(MigratableDevice code, EmulatedVfioDevice vfio)
    {
        Code = code;
        Vfio = vfio;
    }

    public MigratableDevice Code { get; }

    public EmulatedVfioDevice Vfio { get; }

    public static ConformanceDevices Create(string variant, string configuration, bool seedTraffic, EmulatedDriverBugs bugs = EmulatedDriverBugs.None)
    {
        (DeviceImplementation implementation, EmulatedDeviceOptions? options) = variant switch
        {
            "nic-current" => (NicImplementations.Current, null),
            "nic-current-stop-copy-only" => (NicImplementations.Current, V2(MigrationFeatures.StopCopy)),
            "nic-current-p2p" => (NicImplementations.Current, V2(MigrationFeatures.StopCopy | MigrationFeatures.P2P)),
            "nic-current-pre-copy" => (NicImplementations.Current, V2(MigrationFeatures.StopCopy | MigrationFeatures.PreCopy)),
            "nic-old-v1" => (NicImplementations.Old, new EmulatedDeviceOptions { Protocol = MigrationProtocolKind.V1Region, V1DataSectionSize = 16 * 1024 }),
            "serial-1" => (SerialImplementations.SinglePort, null),
            "serial-2" => (SerialImplementations.DualPort, null),
            "serial-2-v1" => (SerialImplementations.DualPort, new EmulatedDeviceOptions { Protocol = MigrationProtocolKind.V1Region }),
            "scratchpad" => (ScratchpadImplementation.Build, null),
            "scratchpad-v1" => (ScratchpadImplementation.Build, new EmulatedDeviceOptions { Protocol = MigrationProtocolKind.V1Region }),
            _ => throw new ArgumentException($"no variant '{variant}'", nameof(variant)),
        };
        DeviceConfiguration config = configuration.Length == 0
            ? DeviceConfiguration.FromInit(implementation.Model)
            : DeviceConfiguration.Parse(implementation.Model, configuration, variant);
        var code = (MigratableDevice)implementation.Create(variant, config);
        var vfio = new EmulatedVfioDevice(variant, code, options ?? new EmulatedDeviceOptions { Protocol = implementation.Protocol, Features = implementation.Features })
        {
            Faults = new EmulatedFaults { DriverBugs = bugs },
        };
        if (seedTraffic)
        {
            Seed(code);
        }
        return new ConformanceDevices(code, vfio);
    }

    /// <summary>Field by field, what the guest would see: equal before and after the kit means the kit left the device as found.</summary>
    public IReadOnlyDictionary<string, string> DescribeState() => Code switch
    {
        NicDevice nic => nic.DescribeState(),
        SerialDevice serial => serial.DescribeState(),
        ScratchpadDevice pad => pad.DescribeState(),
        _ => throw new InvalidOperationException(Code.GetType().Name),
    };

    public void Dispose()
    {
        Vfio.Dispose();
        Code.Dispose();
    }

    private static EmulatedDeviceOptions V2(MigrationFeatures features) => new() { Protocol = MigrationProtocolKind.V2Feature, Features = features };

    private static void Seed(MigratableDevice code)
    {
        switch (code)
        {
            case NicDevice nic:
                nic.SimulateTraffic(seed: 11, packets: 200);
                break;
            case SerialDevice serial:
                serial.WriteRegister(0, 7, 0x5A); // the scratch register
                serial.WriteRegister(0, 0, 0x41);
                break;
            case ScratchpadDevice pad:
                pad.Write(100, "conformance"u8);
                pad.RingDoorbell();
                break;
        }
    }
}
