using Vfio.Samples.Nic;
using Vfio.Samples.Serial;
using Vfio.Sdk;
using Vfio.Sdk.Testing;

namespace Vfio.Tests.Samples;

/// <summary>The vendor's test kit on the NIC's two builds: v1 region (old) and v2 feature (current) protocols.</summary>
public sealed class MigrationTestKitTests
{
    private static readonly MigrationTestOptions<NicDevice> Traffic = new()
    {
        Exercise = nic => nic.SimulateTraffic(seed: 3, packets: 200),
        WhilePreCopy = nic => nic.SimulateTraffic(seed: 4, packets: 20),
        Describe = nic => nic.DescribeState(),
    };

    [Fact]
    public void OldAndCurrent_EverySharedVersion_BothDirections_BothModes()
    {
        MigrationProof proof = MigrationTestKit.Prove(NicImplementations.Old, NicImplementations.Current, Traffic);

        // Versions 1 and 2 are shared; both builds offer pre-copy (v1: SAVING|RUNNING, v2: PRE_COPY).
        Assert.Equal(8, proof.Cases.Count);
        Assert.Equal(
            [(NicImplementations.Old.Id, NicImplementations.Current.Id), (NicImplementations.Current.Id, NicImplementations.Old.Id)],
            proof.Cases.Select(c => (c.SourceBuild, c.DestinationBuild)).Distinct());
        Assert.All(proof.Cases, c => Assert.True(c.Passed, c.ToString()));
        Assert.All(proof.Cases, c => Assert.InRange(c.StateBytes, 1, c.EnvelopeBytes));
        Assert.All(proof.Cases.Where(c => c.PreCopy), c => Assert.InRange(c.PreCopyBytes, 1, c.StateBytes - 1));
        Assert.All(proof.Cases.Where(c => !c.PreCopy), c => Assert.Equal(0, c.PreCopyBytes));
        MigrationCaseResult back = proof.Case(NicImplementations.Current.Id, NicImplementations.Old.Id, "version=2", preCopy: true);
        Assert.Equal(back.SourceDescription!["rx-head"], back.DestinationDescription!["rx-head"]);
    }

    [Fact]
    public void OneBuild_WithoutDescribe_ComparesTheSavedStates()
    {
        MigrationProof proof = MigrationTestKit.Prove(NicImplementations.Current, NicImplementations.Current);

        Assert.Equal(["version=1", "version=2", "version=3"], proof.Cases.Select(c => c.Configuration).Distinct());
        Assert.Equal(6, proof.Cases.Count);
        Assert.All(proof.Cases, c => Assert.Null(c.DestinationDescription));
    }

    [Fact]
    public void AModelWithoutVersions_MovesItsInitConfiguration()
    {
        MigrationProof proof = MigrationTestKit.Prove(SerialImplementations.DualPort, SerialImplementations.DualPort,
            new MigrationTestOptions<SerialDevice> { Describe = card => card.DescribeState() });

        MigrationCaseResult only = Assert.Single(proof.Cases); // mtty-sdk offers no pre-copy
        Assert.False(only.PreCopy);
        Assert.Equal(only.SourceDescription, only.DestinationDescription);
    }

    [Fact]
    public void AConfigurationTheOtherBuildLacks_FailsNamingTheCheck()
    {
        var options = new MigrationTestOptions<NicDevice> { Configurations = ["version=3"] };

        MigrationTestException failure = Assert.Throws<MigrationTestException>(() => MigrationTestKit.Prove(NicImplementations.Current, NicImplementations.Old, options));

        Assert.Contains($"{NicImplementations.Current.Id} -> {NicImplementations.Old.Id}, version=3, stop-copy: FAILED: the compatibility check refuses it", failure.Message);
        Assert.Contains("E3002", failure.Message);
        Assert.Contains($"{NicImplementations.Old.Id} -> {NicImplementations.Current.Id}, version=3", failure.Message);
        Assert.Equal(4, failure.Proof!.Cases.Count(c => !c.Passed));
    }

    [Fact]
    public void TwoModels_AreRefusedBeforeAnyCase()
    {
        var other = new DeviceImplementation("example.com/other@1", Vfio.Samples.VendorGuide.ScratchpadModel.Description,
            (name, configuration) => new Vfio.Samples.VendorGuide.ScratchpadDevice(name, configuration));

        MigrationTestException failure = Assert.Throws<MigrationTestException>(() => MigrationTestKit.Prove(NicImplementations.Current, other));

        Assert.Contains("never crosses models", failure.Message);
        Assert.Null(failure.Proof);
    }
}
