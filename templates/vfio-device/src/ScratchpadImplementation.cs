using Vfio.Sdk;

namespace Acme.Scratchpad;

/// <summary>The build of the guide's example device that a host runs (docs/vendor-guide.md, step 6).</summary>
public static class ScratchpadImplementation
{
    /// <summary><c>acme.example/scratchpad@2</c>: versions 1-2, the v2 protocol with STOP_COPY and PRE_COPY.</summary>
    public static DeviceImplementation Build { get; } = new(
        "acme.example/scratchpad@2",
        ScratchpadModel.Description,
        (name, configuration) => new ScratchpadDevice(name, configuration));
}
