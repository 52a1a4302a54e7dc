using Vfio.DeviceModels;

namespace Acme.Scratchpad;

/// <summary>The model of the vendor guide's example device (docs/vendor-guide.md, step 1).</summary>
public static class ScratchpadModel
{
    /// <summary>The model id: the vendor's domain, then a path naming the device interface.</summary>
    public const string Id = "acme.example/scratchpad";

    /// <summary>Versions 1 (base) and 2 (adds <c>checksum</c>); latest 2.</summary>
    public static ModelDescription Description { get; } = new ModelDescriptionBuilder(Id)
        .Bool("checksum", off: "off", init: "on", "Keep a running checksum of every write in a register", since: "2")
        .Version("1")
        .Version("2", basedOn: "1", ("checksum", "on"))
        .Latest("2")
        .Build();
}
