using Vfio.Sdk.Testing;
using Xunit;

namespace Acme.Scratchpad.Tests;

/// <summary>The device migrates between its builds: every shared version, both directions, with pre-copy.</summary>
public sealed class MigrationTests
{
    [Fact]
    public void The_build_migrates_into_itself_with_the_guest_state_intact()
    {
        MigrationProof proof = MigrationTestKit.Prove(ScratchpadImplementation.Build, ScratchpadImplementation.Build,
            new MigrationTestOptions<ScratchpadDevice>
            {
                Exercise = pad => { pad.Write(100, "hello"u8); pad.RingDoorbell(); },
                WhilePreCopy = pad => pad.Write(5000, "dirty"u8),
                Describe = pad => pad.DescribeState(),
            });

        Assert.NotEmpty(proof.Cases);
    }
}
