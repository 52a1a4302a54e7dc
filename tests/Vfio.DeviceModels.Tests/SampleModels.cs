using Vfio.DeviceModels;

namespace Vfio.Tests.DeviceModels;

/// <summary>
/// Models the model tests need beside the test NIC's (whose generations are <see cref="Vfio.Tests.Support.TestNicModels"/>).
/// </summary>
internal static class SampleModels
{
    /// <summary>A model with every parameter type, for parser and round-trip tests.</summary>
    public static ModelDescription Mixed { get; } = new ModelDescriptionBuilder("example.org/mixed")
        .Bool("rss", "off", "on")
        .Int("queues", "0-8,16,32-64", "0", "4")
        .Str("mode", "fifo,none,ring", "none", "ring")
        .Version("1")
        .Version("2", "1", ("queues", "4"))
        .Version("3", "2", ("mode", "ring"), ("rss", "on"))
        .Build();
}
