using Vfio.DeviceModels;
using Vfio.Errors;
using Vfio.Tests.Support;

namespace Vfio.Tests.DeviceModels;

public sealed class ModelDescriptionTests
{
    [Fact]
    public void Versions_expand_through_their_bases()
    {
        ModelDescription m = TestNicModels.NicV3;
        Assert.Empty(m.ExpandVersion("1"));
        Assert.Equal(new Dictionary<string, string> { ["rx-filter-size"] = "32" }, m.ExpandVersion("2"));
        Assert.Equal(new Dictionary<string, string> { ["rss"] = "on", ["rx-filter-size"] = "32" }, m.ExpandVersion("3"));
        Assert.Equal("3", m.LatestVersion);
    }

    [Fact]
    public void A_version_overrides_its_base()
    {
        ModelDescription m = new ModelDescriptionBuilder("example.org/x")
            .Int("n", "0-10", "0", "0")
            .Version("1", null, ("n", "5"))
            .Version("2", "1", ("n", "07"))
            .Build();
        Assert.Equal("5", m.ExpandVersion("1")["n"]);
        Assert.Equal("7", m.ExpandVersion("2")["n"]);
    }

    [Fact]
    public void Parameters_are_sorted_ordinal()
    {
        Assert.Equal(["mode", "queues", "rss"], SampleModels.Mixed.Parameters.Select(p => p.Name));
    }

    [Fact]
    public void Duplicate_parameter_is_refused()
    {
        var e = Assert.Throws<DeviceModelException>(() => new ModelDescriptionBuilder("example.org/x").Bool("a", "off", "on").Bool("a", "off", "off").Build());
        Assert.Equal(ErrorCode.ModelDescriptionInvalid, e.Code);
        Assert.Equal("a", e.Parameter);
    }

    [Fact]
    public void Unknown_base_is_refused()
    {
        var e = Assert.Throws<DeviceModelException>(() => new ModelDescriptionBuilder("example.org/x").Version("2", "1").Build());
        Assert.Equal(ErrorCode.ModelDescriptionInvalid, e.Code);
        Assert.Contains("'1'", e.Message);
    }

    [Fact]
    public void Base_cycle_is_refused()
    {
        var e = Assert.Throws<DeviceModelException>(() =>
            new ModelDescription(DeviceModelId.Parse("example.org/x"), [], [new ModelVersion("1", null, "2"), new ModelVersion("2", null, "1")], "2"));
        Assert.Equal(ErrorCode.ModelDescriptionInvalid, e.Code);
    }

    [Fact]
    public void Version_assigning_unknown_parameter_is_refused()
    {
        var e = Assert.Throws<DeviceModelException>(() => new ModelDescriptionBuilder("example.org/x").Version("1", null, ("rss", "on")).Build());
        Assert.Equal(ErrorCode.ModelDescriptionInvalid, e.Code);
        Assert.Equal("rss", e.Parameter);
    }

    [Fact]
    public void Version_assigning_disallowed_value_is_refused()
    {
        var e = Assert.Throws<DeviceModelException>(() => new ModelDescriptionBuilder("example.org/x").Int("n", "0-4", "0", "0").Version("1", null, ("n", "5")).Build());
        Assert.Equal(ErrorCode.ValueNotAllowed, e.Code);
        Assert.Equal("n", e.Parameter);
        Assert.Equal("5", e.Value);
    }

    [Fact]
    public void Unknown_latest_is_refused()
    {
        var e = Assert.Throws<DeviceModelException>(() => new ModelDescriptionBuilder("example.org/x").Version("1").Latest("2").Build());
        Assert.Equal(ErrorCode.ModelDescriptionInvalid, e.Code);
        Assert.Equal("2", e.Value);
    }

    [Fact]
    public void Since_naming_undeclared_version_is_refused()
    {
        var e = Assert.Throws<DeviceModelException>(() => new ModelDescriptionBuilder("example.org/x").Bool("rss", "off", "on", since: "9").Version("1").Build());
        Assert.Equal(ErrorCode.ModelDescriptionInvalid, e.Code);
        Assert.Equal("rss", e.Parameter);
    }

    [Fact]
    public void Earlier_version_enabling_a_later_parameter_is_refused()
    {
        var e = Assert.Throws<DeviceModelException>(() => new ModelDescriptionBuilder("example.org/x")
            .Bool("rss", "off", "on", since: "2")
            .Version("1", null, ("rss", "on"))
            .Version("2", "1")
            .Build());
        Assert.Equal(ErrorCode.ModelDescriptionInvalid, e.Code);
        Assert.Equal("rss", e.Parameter);
    }

    [Fact]
    public void Unknown_version_expansion_names_declared_versions()
    {
        var e = Assert.Throws<DeviceModelException>(() => TestNicModels.NicV2.ExpandVersion("7"));
        Assert.Equal(ErrorCode.VersionUnknown, e.Code);
        Assert.Equal("7", e.Value);
        Assert.Equal("1,2", e.Expected);
    }

    [Fact]
    public void Builder_defaults_latest_to_last_declared()
    {
        Assert.Equal("3", SampleModels.Mixed.LatestVersion);
    }
}
