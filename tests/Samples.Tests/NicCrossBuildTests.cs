using Vfio.DeviceModels;
using Vfio.DeviceModels.State;
using Vfio.Devices;
using Vfio.Errors;
using Vfio.Migration;
using Vfio.Samples.Nic;

namespace Vfio.Tests.Samples;

/// <summary>
/// Migration between the old build (versions 1-2, v1 region) and the current build (versions 1-3, v2 feature), as an
/// orchestrator does it: check with <see cref="CompatibilityChecker"/> first, create the destination with the checked
/// configuration, then move the state with the driver.
/// </summary>
public sealed class NicCrossBuildTests
{
    private const string CrcErrors = "stats/rx-crc-errors";

    // Every version both builds know, plus explicit values inside both builds' ranges.
    public static TheoryData<string> SharedConfigurations()
    {
        var data = new TheoryData<string>();
        foreach (ModelVersion v in NicModel.Old.Versions.Where(v => NicModel.Current.HasVersion(v.Name)))
        {
            data.Add("version=" + v.Name);
        }
        data.Add("");
        data.Add("rx-filter-size=1");
        data.Add("version=2,rx-filter-size=32");
        return data;
    }

    [Fact]
    public void SharedVersions_AreOneAndTwo()
    {
        string[] shared = NicModel.Old.Versions.Select(v => v.Name).Intersect(NicModel.Current.Versions.Select(v => v.Name)).ToArray();

        Assert.Equal(["1", "2"], shared);
    }

    [Theory]
    [MemberData(nameof(SharedConfigurations))]
    public void Forward_OldToCurrent_StateMoves(string configuration)
    {
        using var src = new NicHost(NicImplementations.Old, "old-src", configuration);
        src.Device.SetMtu(4000);
        src.Device.SimulateTraffic(seed: 11, packets: 600);

        CompatibilityResult check = CompatibilityChecker.Check(src.Device.Configuration, NicModel.Current, "old-src");
        Assert.True(check.IsCompatible, check.ToString());
        using var dst = new NicHost(NicImplementations.Current, "new-dst", check.DestinationConfiguration!);
        Assert.True(CompatibilityChecker.Check(src.Device.Configuration, dst.Device.Configuration, "old-src", "new-dst").IsCompatible);
        Assert.Equal("off", dst.Device.Configuration[NicModel.Rss]);

        Migrate.Load(dst.Driver, Migrate.Save(src.Driver, preCopy: true, whilePreCopy: () => src.Device.SimulateTraffic(seed: 12, packets: 40)));

        IReadOnlyDictionary<string, string> before = src.Device.DescribeState();
        IReadOnlyDictionary<string, string> after = dst.Device.DescribeState();
        // The old build never counted CRC errors; the current build starts that counter at 0, everything else moved.
        Assert.Equal("0", after[CrcErrors]);
        Assert.Equal(before, after.Where(kv => kv.Key != CrcErrors).ToDictionary());
    }

    [Theory]
    [MemberData(nameof(SharedConfigurations))]
    public void Backward_CurrentToOld_StateMoves_OptionalCounterIsSkipped(string configuration)
    {
        using var src = new NicHost(NicImplementations.Current, "new-src", configuration);
        src.Device.SimulateTraffic(seed: 21, packets: 800);
        Assert.NotEqual(0UL, src.Device.Counters.RxCrcErrors);

        CompatibilityResult check = CompatibilityChecker.Check(src.Device.Configuration, NicModel.Old, "new-src");
        Assert.True(check.IsCompatible, check.ToString());
        using var dst = new NicHost(NicImplementations.Old, "old-dst", check.DestinationConfiguration!);

        Migrate.Load(dst.Driver, Migrate.Save(src.Driver, preCopy: false));

        IReadOnlyDictionary<string, string> before = src.Device.DescribeState();
        IReadOnlyDictionary<string, string> after = dst.Device.DescribeState();
        Assert.Equal([CrcErrors], before.Keys.Except(after.Keys));
        Assert.Equal(before.Where(kv => kv.Key != CrcErrors).ToDictionary(), after);
        Assert.Equal(MigrationState.Running, dst.Driver.GetState());
    }

    [Theory]
    [InlineData("version=3", NicModel.Rss, "on", ErrorCode.ParameterUnknownToDestination)]
    [InlineData("rss=on", NicModel.Rss, "on", ErrorCode.ParameterUnknownToDestination)]
    [InlineData("version=2,rx-filter-size=64", NicModel.RxFilterSize, "64", ErrorCode.ValueNotAcceptedByDestination)]
    [InlineData("rx-filter-size=33", NicModel.RxFilterSize, "33", ErrorCode.ValueNotAcceptedByDestination)]
    public void CurrentToOld_FeatureTheOldBuildLacks_IsRefusedBeforeAnyStateMoves(string configuration, string parameter, string value, ErrorCode code)
    {
        using var src = new NicHost(NicImplementations.Current, "new-src", configuration);

        CompatibilityResult check = CompatibilityChecker.Check(src.Device.Configuration, NicModel.Old, "new-src");

        CompatibilityProblem problem = Assert.Single(check.Problems);
        Assert.Equal(code, problem.Code);
        Assert.Equal(parameter, problem.Parameter);
        Assert.Equal(value, problem.Value);
        Assert.Null(check.DestinationConfiguration);
        DeviceModelException thrown = Assert.Throws<DeviceModelException>(check.ThrowIfIncompatible);
        Assert.Equal(code, thrown.Code);
        Assert.Equal(MigrationState.Running, src.Driver.GetState());
    }

    [Fact]
    public void Version3AndLargeFilter_BothProblemsAreReported()
    {
        using var src = new NicHost(NicImplementations.Current, "new-src", "version=3,rx-filter-size=64");

        CompatibilityResult check = CompatibilityChecker.Check(src.Device.Configuration, NicModel.Old, "new-src");

        Assert.Equal(
            [(ErrorCode.ParameterUnknownToDestination, NicModel.Rss), (ErrorCode.ValueNotAcceptedByDestination, NicModel.RxFilterSize)],
            check.Problems.Select(p => (p.Code, p.Parameter!)).Order());
    }

    [Fact]
    public void OldToExistingCurrentDeviceWithRssOn_IsDestinationOnlyFeatureEnabled()
    {
        using var src = new NicHost(NicImplementations.Old, "old-src", "version=2");
        using var dst = new NicHost(NicImplementations.Current, "new-dst", "version=3");

        CompatibilityResult check = CompatibilityChecker.Check(src.Device.Configuration, dst.Device.Configuration, "old-src", "new-dst");

        CompatibilityProblem problem = Assert.Single(check.Problems);
        Assert.Equal(ErrorCode.DestinationOnlyFeatureEnabled, problem.Code);
        Assert.Equal(NicModel.Rss, problem.Parameter);
    }

    [Fact]
    public void WithoutTheCheck_OldBuildRefusesRssStateItCannotRun_AndIsLeftInError()
    {
        // An orchestrator that skipped step 2: the current device runs rss=on, the old one was created with version=2.
        using var src = new NicHost(NicImplementations.Current, "new-src", "version=3");
        using var dst = new NicHost(NicImplementations.Old, "old-dst", "version=2");
        byte[] data = Migrate.Save(src.Driver, preCopy: false);

        VfioException ex = Assert.ThrowsAny<VfioException>(() => Migrate.Load(dst.Driver, data));

        DeviceStateException cause = FindCause<DeviceStateException>(ex);
        Assert.Equal(ErrorCode.DeviceStateFieldUnknown, cause.Code);
        Assert.Equal("rss", cause.Parameter);
        Assert.Equal(MigrationState.Error, ((IMigrationBackend)dst.Device).State);
    }

    private static T FindCause<T>(Exception e) where T : Exception
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is T t)
            {
                return t;
            }
        }
        throw new Xunit.Sdk.XunitException($"no {typeof(T).Name} in the chain of {e}");
    }
}
