using Vfio.Ctl.Cli;
using Vfio.Errors;

namespace Vfio.Tests.Vfioctl;

/// <summary>The documented exit codes follow the catalogue's ranges, so a code added later lands in the right class.</summary>
public sealed class ExitCodeTests
{
    [Theory]
    [InlineData(ErrorCode.ParameterUnknownToDestination, 2)]
    [InlineData(ErrorCode.ModelMismatch, 2)]
    [InlineData(ErrorCode.DeviceRefusedState, 3)]
    [InlineData(ErrorCode.DeviceInErrorState, 3)]
    [InlineData(ErrorCode.KernelCallFailed, 3)]
    [InlineData(ErrorCode.StreamMagic, 4)]
    [InlineData(ErrorCode.StreamCrc, 4)]
    [InlineData(ErrorCode.UsageError, 64)]
    [InlineData(ErrorCode.DeviceNotFound, 1)]
    [InlineData(ErrorCode.ValueNotAllowed, 1)]
    [InlineData(ErrorCode.OptionsInvalid, 1)]
    [InlineData(ErrorCode.ConformanceFailed, 5)]
    [InlineData(ErrorCode.RecoveryFailed, 3)]
    public void Codes_map_to_the_documented_exit_codes(ErrorCode code, int exitCode) => Assert.Equal(exitCode, ExitCodes.For(code));

    [Fact]
    public void The_operator_guide_documents_every_exit_code()
    {
        string guide = File.ReadAllText(Path.Join(Support.Golden.RepositoryRoot(), "docs", "operator-guide.md"));

        foreach (int code in new[] { ExitCodes.Ok, ExitCodes.Other, ExitCodes.Incompatible, ExitCodes.DeviceError, ExitCodes.StreamError, ExitCodes.ConformanceFailed, ExitCodes.Usage })
        {
            Assert.Contains($"| {code} |", guide, StringComparison.Ordinal);
        }
    }
}
