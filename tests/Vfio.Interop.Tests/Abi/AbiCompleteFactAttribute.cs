namespace Vfio.Tests.Abi;

/// <summary>
/// A fact that needs a header with every item of <see cref="AbiTable"/> (Linux 6.12, from .ci/fetch-vfio-header).
/// Locally, against an older header, it skips and says which items stay unchecked; under CI=true it never skips,
/// so an unchecked item fails the build.
/// </summary>
[Xunit.Sdk.XunitTestCaseDiscoverer(Vfio.Tests.Shared.ExplainedSkipFactDiscoverer.TypeName, "Vfio.Interop.Tests")]
public sealed class AbiCompleteFactAttribute : FactAttribute
{
    public AbiCompleteFactAttribute()
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
        UapiHeader header = UapiHeader.Locate();
        IReadOnlyList<string> missing = header.MissingGuards(AbiTable.Items.Select(i => i.Guard));
        if (missing.Count > 0)
        {
            int unchecked_ = AbiTable.Items.Count(i => i.Guard is not null && missing.Contains(i.Guard));
            Skip = $"{header.VfioHeaderPath} ({header.Origin}) lacks {string.Join(", ", missing)}: {unchecked_} ABI items unchecked. " +
                   "Run .ci/fetch-vfio-header (Linux 6.12 header into .headers/) or set VFIO_UAPI_INCLUDE; under CI=true this fails instead.";
        }
    }
}
