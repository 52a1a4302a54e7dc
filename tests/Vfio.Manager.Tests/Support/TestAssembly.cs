namespace Vfio.Tests.Shared;

/// <summary>This test assembly's name, for the shared attributes that name a discoverer in it (../Shared/Mdevctl.cs).</summary>
internal static class TestAssembly
{
    public const string Name = "Vfio.Manager.Tests";
}
