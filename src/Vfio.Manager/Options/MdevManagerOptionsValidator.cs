using Microsoft.Extensions.Options;

namespace Vfio.Manager.Options;

/// <summary>The attribute rules of <see cref="MdevManagerOptions"/>, generated at compile time (no reflection, AOT-clean).</summary>
[OptionsValidator]
internal sealed partial class MdevManagerOptionsValidator : IValidateOptions<MdevManagerOptions>
{
}
