using Vfio.DeviceModels;
using Vfio.Errors;
using Vfio.Tests.Support;

namespace Vfio.Tests.DeviceModels;

public sealed class CompatibilityCheckerTests
{
    private static readonly ModelDescription WithRss = TestNicModels.NicV3;

    // The same model, an implementation without rss.
    private static readonly ModelDescription WithoutRss = new ModelDescriptionBuilder(TestNicModels.NicId)
        .Int("rx-filter-size", "0-128", "0", "32")
        .Build();

    [Theory]
    [InlineData("on", true, true, null)]
    [InlineData("on", false, false, ErrorCode.ParameterUnknownToDestination)]
    [InlineData("off", true, true, null)]
    [InlineData("off", false, true, null)]
    public void Rss_on_or_off_against_destination_with_or_without_rss(string rss, bool destinationHasRss, bool compatible, ErrorCode? code)
    {
        DeviceConfiguration source = DeviceConfiguration.Parse(WithRss, $"rss={rss},rx-filter-size=16");
        CompatibilityResult r = CompatibilityChecker.Check(source, destinationHasRss ? WithRss : WithoutRss, "src0");
        Assert.Equal(compatible, r.IsCompatible);
        if (compatible)
        {
            Assert.NotNull(r.DestinationConfiguration);
            Assert.Equal("16", r.DestinationConfiguration["rx-filter-size"]);
            if (destinationHasRss)
            {
                Assert.Equal(rss, r.DestinationConfiguration["rss"]);
            }
        }
        else
        {
            CompatibilityProblem p = Assert.Single(r.Problems);
            Assert.Equal(code, p.Code);
            Assert.Equal("src0", p.Device);
            Assert.Equal("rss", p.Parameter);
            Assert.Equal("on", p.Value);
            Assert.Contains("src0", p.Message);
            Assert.Null(r.DestinationConfiguration);
        }
    }

    [Fact]
    public void Smaller_filter_is_not_loadable_into_an_existing_device_with_a_bigger_one()
    {
        DeviceConfiguration source = DeviceConfiguration.Parse(WithRss, "rx-filter-size=16");
        DeviceConfiguration existing = DeviceConfiguration.Parse(WithRss, "rx-filter-size=32");
        CompatibilityResult r = CompatibilityChecker.Check(source, existing, "src0", "dst0");
        CompatibilityProblem p = Assert.Single(r.Problems);
        Assert.Equal(ErrorCode.ConfigurationMismatch, p.Code);
        Assert.Equal("dst0", p.Device);
        Assert.Equal("rx-filter-size", p.Parameter);
        Assert.Equal("16", p.Value);
        Assert.Equal("32", p.Expected);
        Assert.Contains("src0", p.Message);
        Assert.Contains("dst0", p.Message);
    }

    [Fact]
    public void Existing_device_with_the_same_configuration_is_compatible()
    {
        DeviceConfiguration source = DeviceConfiguration.Parse(WithRss, "version=3");
        DeviceConfiguration existing = DeviceConfiguration.Parse(WithRss, "rss=on,rx-filter-size=32");
        CompatibilityResult r = CompatibilityChecker.Check(source, existing);
        Assert.True(r.IsCompatible);
        Assert.Equal(existing, r.DestinationConfiguration);
    }

    [Fact]
    public void Destination_only_feature_enabled_on_existing_device_is_refused()
    {
        // The source's implementation has no rss; the existing destination device runs rss=on.
        DeviceConfiguration source = DeviceConfiguration.Parse(WithoutRss, "rx-filter-size=16");
        DeviceConfiguration existing = DeviceConfiguration.Parse(WithRss, "rss=on,rx-filter-size=16");
        CompatibilityResult r = CompatibilityChecker.Check(source, existing, "src0", "dst0");
        CompatibilityProblem p = Assert.Single(r.Problems);
        Assert.Equal(ErrorCode.DestinationOnlyFeatureEnabled, p.Code);
        Assert.Equal("rss", p.Parameter);
        Assert.Equal("on", p.Value);
        Assert.Equal("off", p.Expected);
        Assert.Equal("dst0", p.Device);
    }

    [Fact]
    public void Source_with_feature_off_against_existing_device_with_it_on_is_a_mismatch()
    {
        DeviceConfiguration source = DeviceConfiguration.Parse(WithRss, "rx-filter-size=16");
        DeviceConfiguration existing = DeviceConfiguration.Parse(WithRss, "rss=on,rx-filter-size=16");
        CompatibilityProblem p = Assert.Single(CompatibilityChecker.Check(source, existing).Problems);
        Assert.Equal(ErrorCode.ConfigurationMismatch, p.Code);
        Assert.Equal("rss", p.Parameter);
    }

    [Fact]
    public void Old_version_one_device_moves_to_a_newer_implementation_and_back()
    {
        DeviceConfiguration onOld = DeviceConfiguration.Parse(TestNicModels.NicV1, "version=1", "vm1-nic");
        CompatibilityResult forward = CompatibilityChecker.Check(onOld, TestNicModels.NicV2, "vm1-nic");
        Assert.True(forward.IsCompatible, forward.ToString());
        DeviceConfiguration onNew = forward.DestinationConfiguration!;
        // The newer implementation runs it as its own version 1: every feature off.
        Assert.Equal(DeviceConfiguration.Parse(TestNicModels.NicV2, "version=1"), onNew);
        Assert.Equal("0", onNew["rx-filter-size"]);

        CompatibilityResult back = CompatibilityChecker.Check(onNew, TestNicModels.NicV1, "vm1-nic");
        Assert.True(back.IsCompatible, back.ToString());
        Assert.Equal(onOld, back.DestinationConfiguration);
    }

    [Fact]
    public void A_stated_value_whose_off_ness_is_unknown_is_refused_without_advice_that_contradicts_it()
    {
        // A hand-written document: 'rss=off' with no parameter table, so nothing says off is rss's off value.
        ForeignConfiguration stated = ForeignConfiguration.Parse(DeviceModelId.Parse(TestNicModels.NicId), "rss=off", "doc");

        CompatibilityProblem p = Assert.Single(CompatibilityChecker.Check(stated, TestNicModels.NicV2).Problems);

        Assert.Equal(ErrorCode.ParameterUnknownToDestination, p.Code);
        Assert.DoesNotContain("create the source with 'rss' off", p.Message, StringComparison.Ordinal);
        Assert.Contains("describe --json", p.Message, StringComparison.Ordinal);

        // The same value, with the off value stated (as describe --json states it), moves.
        var described = new ForeignConfiguration(DeviceModelId.Parse(TestNicModels.NicId), new Dictionary<string, string> { ["rss"] = "off" }.AsReadOnly(),
            new Dictionary<string, string> { ["rss"] = "off" }, "doc");
        Assert.True(CompatibilityChecker.Check(described, TestNicModels.NicV2).IsCompatible);
    }

    [Fact]
    public void A_document_that_does_not_state_its_off_values_learns_them_from_any_description_of_the_model()
    {
        // Hand-written 'rss=off' checked against an implementation without rss: a newer description of the same model
        // (the destination host's other type, or this host's) says off is rss's off value, so nothing of rss is in the state.
        ForeignConfiguration stated = ForeignConfiguration.Parse(DeviceModelId.Parse(TestNicModels.NicId), "rss=off", "doc");

        ForeignConfiguration learned = stated.WithOffValuesFrom([TestNicModels.NicV2, TestNicModels.NicV3, SampleModels.Mixed]);

        Assert.Equal("off", learned.OffValues["rss"]);
        CompatibilityResult result = CompatibilityChecker.Check(learned, TestNicModels.NicV2);
        Assert.True(result.IsCompatible, string.Join("; ", result.Problems.Select(p => p.Message)));
        Assert.Equal("0", result.DestinationConfiguration!["rx-filter-size"]);
        // 'rss=on' learns the same off value, and so is known to be in use: refused, with the advice to turn it off.
        ForeignConfiguration on = ForeignConfiguration.Parse(DeviceModelId.Parse(TestNicModels.NicId), "rss=on", "doc").WithOffValuesFrom([TestNicModels.NicV3]);
        CompatibilityProblem p = Assert.Single(CompatibilityChecker.Check(on, TestNicModels.NicV2).Problems);
        Assert.Equal(ErrorCode.ParameterUnknownToDestination, p.Code);
        Assert.Contains("off is off", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Off_values_are_not_learned_from_other_models_from_descriptions_that_disagree_or_over_what_the_source_states()
    {
        DeviceModelId nic = DeviceModelId.Parse(TestNicModels.NicId);
        ForeignConfiguration stated = ForeignConfiguration.Parse(nic, "rss=off", "doc");
        ModelDescription onByDefault = new ModelDescriptionBuilder(TestNicModels.NicId)
            .Bool("rss", off: "on", init: "off", "Receive side scaling, inverted")
            .Version("1")
            .Latest("1")
            .Build();

        // Another model's rss says nothing about this one's; nor does a description that lacks rss.
        Assert.Same(stated, stated.WithOffValuesFrom([SampleModels.Mixed, TestNicModels.NicV2]));
        // Two descriptions of the model that disagree settle nothing, in either order: the safe reading (in use) stays.
        Assert.Empty(stated.WithOffValuesFrom([TestNicModels.NicV3, onByDefault]).OffValues);
        Assert.Empty(stated.WithOffValuesFrom([onByDefault, TestNicModels.NicV3, TestNicModels.NicV3]).OffValues);
        Assert.Equal(ErrorCode.ParameterUnknownToDestination,
            Assert.Single(CompatibilityChecker.Check(stated.WithOffValuesFrom([TestNicModels.NicV3, onByDefault]), TestNicModels.NicV2).Problems).Code);
        // What the source states is never overridden.
        var described = new ForeignConfiguration(nic, new Dictionary<string, string> { ["rss"] = "off" }.AsReadOnly(),
            new Dictionary<string, string> { ["rss"] = "on" }, "doc");
        Assert.Same(described, described.WithOffValuesFrom([TestNicModels.NicV3]));
    }

    [Fact]
    public void New_version_two_device_is_refused_by_an_old_implementation()
    {
        DeviceConfiguration onNew = DeviceConfiguration.Parse(TestNicModels.NicV2, "version=2", "vm2-nic");
        CompatibilityResult r = CompatibilityChecker.Check(onNew, TestNicModels.NicV1, "vm2-nic");
        CompatibilityProblem p = Assert.Single(r.Problems);
        Assert.Equal(ErrorCode.ParameterUnknownToDestination, p.Code);
        Assert.Equal("rx-filter-size", p.Parameter);
        Assert.Equal("32", p.Value);
        Assert.Equal("vm2-nic", p.Device);
    }

    [Fact]
    public void A_new_implementation_device_created_as_version_one_is_accepted_by_the_old_one()
    {
        DeviceConfiguration onNew = DeviceConfiguration.Parse(TestNicModels.NicV3, "version=1");
        Assert.True(CompatibilityChecker.Check(onNew, TestNicModels.NicV1).IsCompatible);
    }

    [Fact]
    public void Ranges_that_grew_accept_and_older_ranges_refuse()
    {
        ModelDescription upTo64 = new ModelDescriptionBuilder(TestNicModels.NicId).Int("rx-filter-size", "0-64", "0", "32").Build();
        DeviceConfiguration source = DeviceConfiguration.Parse(upTo64, "rx-filter-size=64", "src0");
        Assert.True(CompatibilityChecker.Check(source, TestNicModels.NicV3).IsCompatible); // 0-128
        CompatibilityResult r = CompatibilityChecker.Check(source, TestNicModels.NicV2, "src0"); // 0-32
        CompatibilityProblem p = Assert.Single(r.Problems);
        Assert.Equal(ErrorCode.ValueNotAcceptedByDestination, p.Code);
        Assert.Equal("rx-filter-size", p.Parameter);
        Assert.Equal("64", p.Value);
        Assert.Equal("0-32", p.Expected);
        Assert.Equal("src0", p.Device);
    }

    [Fact]
    public void Different_models_are_refused_and_nothing_else_is_reported()
    {
        ModelDescription other = new ModelDescriptionBuilder("vendor-b.com/my-nic").Int("rx-filter-size", "0-128", "0", "32").Build();
        CompatibilityResult r = CompatibilityChecker.Check(DeviceConfiguration.Parse(WithRss, "rss=on"), other, "src0");
        CompatibilityProblem p = Assert.Single(r.Problems);
        Assert.Equal(ErrorCode.ModelMismatch, p.Code);
        Assert.Equal("vendor-a.com/my-nic", p.Value);
        Assert.Equal("vendor-b.com/my-nic", p.Expected);
    }

    [Fact]
    public void Every_problem_is_gathered()
    {
        ModelDescription old = new ModelDescriptionBuilder(TestNicModels.NicId).Int("rx-filter-size", "0-8", "0", "0").Build();
        CompatibilityResult r = CompatibilityChecker.Check(DeviceConfiguration.Parse(WithRss, "rss=on,rx-filter-size=64"), old, "src0");
        Assert.Equal([ErrorCode.ParameterUnknownToDestination, ErrorCode.ValueNotAcceptedByDestination], r.Problems.Select(p => p.Code));
        var e = Assert.Throws<DeviceModelException>(r.ThrowIfIncompatible);
        Assert.Equal(ErrorCode.ParameterUnknownToDestination, e.Code);
        Assert.Contains("rss", e.Message);
        Assert.Contains("rx-filter-size", e.Message);
    }

    [Fact]
    public void Plain_map_without_off_values_treats_unknown_parameters_as_in_use()
    {
        var values = new Dictionary<string, string> { ["rss"] = "off", ["rx-filter-size"] = "16" };
        CompatibilityResult r = CompatibilityChecker.Check(WithRss.Id, values, "src0", WithoutRss);
        Assert.Equal(ErrorCode.ParameterUnknownToDestination, Assert.Single(r.Problems).Code);

        // With the source's off values the same map is loadable: rss is off.
        var withOff = new ForeignConfiguration(WithRss.Id, values, new Dictionary<string, string> { ["rss"] = "off", ["rx-filter-size"] = "0" }, "src0");
        Assert.True(CompatibilityChecker.Check(withOff, WithoutRss).IsCompatible);
    }

    [Fact]
    public void Canonical_text_from_another_host_is_checked_with_the_destination_description()
    {
        ForeignConfiguration source = ForeignConfiguration.Parse(WithRss.Id, "rx-filter-size=0016", "src0");
        CompatibilityResult r = CompatibilityChecker.Check(source, WithRss);
        Assert.True(r.IsCompatible);
        Assert.Equal("rx-filter-size=16", r.DestinationConfiguration!.ToString());
    }

    [Fact]
    public void Value_of_wrong_type_is_not_accepted()
    {
        var source = ForeignConfiguration.Parse(WithRss.Id, "rss=yes");
        CompatibilityProblem p = Assert.Single(CompatibilityChecker.Check(source, WithRss).Problems);
        Assert.Equal(ErrorCode.ValueNotAcceptedByDestination, p.Code);
        Assert.Equal("off,on", p.Expected);
    }
}
