using Vfio.DeviceModels;
using Vfio.Tests.Support;

namespace Vfio.Tests.Manager;

/// <summary>Models the manager tests need beside the test NIC's (<see cref="Vfio.Tests.Support.TestNicModels"/>).</summary>
internal static class TestModels
{
    /// <summary>Another model altogether: the migration tests' serial type, which the test NIC's code runs and no NIC
    /// build accepts.</summary>
    public static ModelDescription Serial { get; } = new ModelDescriptionBuilder("test.example/serial")
        .Version("1")
        .Build();
}
