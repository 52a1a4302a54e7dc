using Vfio.DeviceModels;

namespace Vfio.Samples.Nic;

/// <summary>
/// The model descriptions of <c>vendor-a.com/my-nic</c> as two builds of the driver know it: the current build
/// (versions 1-3) and an old build that predates receive side scaling (versions 1-2).
/// </summary>
/// <remarks>
/// <para>One feature per version, each behind a parameter whose off value disables it, so a source that predates a
/// parameter means exactly its off value:</para>
/// <list type="table">
/// <item><term>1</term><description>the base NIC: MAC, MTU, counters, one receive ring; no parameter on.</description></item>
/// <item><term>2</term><description>adds <c>rx-filter-size</c> (int, off 0, init 32): the receive MAC filter table.</description></item>
/// <item><term>3</term><description>adds <c>rss</c> (bool, off off, init on): RSS hash key and indirection table.</description></item>
/// </list>
/// <para>The old build accepts <c>rx-filter-size</c> 0-32 only (its filter memory is half the size), so a current
/// device created with <c>rx-filter-size=64</c> cannot move to it even with <c>rss=off</c>.</para>
/// </remarks>
public static class NicModel
{
    /// <summary>The model id both builds share.</summary>
    public const string Id = "vendor-a.com/my-nic";

    /// <summary>The receive filter table's size parameter.</summary>
    public const string RxFilterSize = "rx-filter-size";

    /// <summary>The receive side scaling switch.</summary>
    public const string Rss = "rss";

    /// <summary>The largest filter table of the current build.</summary>
    public const int MaxRxFilterSize = 64;

    /// <summary>The largest filter table of the old build.</summary>
    public const int OldMaxRxFilterSize = 32;

    /// <summary>The model as the current build describes it: versions 1-3, latest 3.</summary>
    public static ModelDescription Current { get; } = new ModelDescriptionBuilder(Id)
        .Int(RxFilterSize, "0-64", off: "0", init: "32", "Receive MAC filter entries (0 = no filter table)", since: "2")
        .Bool(Rss, off: "off", init: "on", "Receive side scaling: hash key and indirection table", since: "3")
        .Version("1")
        .Version("2", basedOn: "1", (RxFilterSize, "32"))
        .Version("3", basedOn: "2", (Rss, "on"))
        .Latest("3")
        .Build();

    /// <summary>The model as the old build describes it: versions 1-2, latest 2, no <c>rss</c>, filter table 0-32.</summary>
    public static ModelDescription Old { get; } = new ModelDescriptionBuilder(Id)
        .Int(RxFilterSize, "0-32", off: "0", init: "32", "Receive MAC filter entries (0 = no filter table)", since: "2")
        .Version("1")
        .Version("2", basedOn: "1", (RxFilterSize, "32"))
        .Latest("2")
        .Build();
}
