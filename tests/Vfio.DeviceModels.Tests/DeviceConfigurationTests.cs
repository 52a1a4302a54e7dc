using Vfio.DeviceModels;
using Vfio.Errors;
using Vfio.Tests.Support;

namespace Vfio.Tests.DeviceModels;

public sealed class DeviceConfigurationTests
{
    private static readonly ModelDescription Nic = TestNicModels.NicV3;

    [Fact]
    public void Version_and_override_combine()
    {
        DeviceConfiguration c = DeviceConfiguration.Parse(Nic, "version=2,rx-filter-size=64");
        Assert.Equal("64", c["rx-filter-size"]);
        Assert.Equal("off", c["rss"]);
        Assert.Equal("rx-filter-size=64", c.ToString());
    }

    [Fact]
    public void Override_position_does_not_matter()
    {
        Assert.Equal(DeviceConfiguration.Parse(Nic, "version=3,rss=off"), DeviceConfiguration.Parse(Nic, "rss=off,version=3"));
    }

    [Fact]
    public void Unnamed_parameters_are_off()
    {
        DeviceConfiguration c = DeviceConfiguration.Parse(Nic, "rss=on");
        Assert.Equal("0", c["rx-filter-size"]);
        Assert.True(c.IsOff("rx-filter-size"));
        Assert.False(c.IsOff("rss"));
    }

    [Fact]
    public void Version_one_is_all_off_and_prints_empty()
    {
        DeviceConfiguration c = DeviceConfiguration.Parse(Nic, "version=1");
        Assert.Equal(DeviceConfiguration.Off(Nic), c);
        Assert.Equal(string.Empty, c.ToString());
        Assert.Equal(c, DeviceConfiguration.Parse(Nic, ""));
    }

    [Fact]
    public void Versions_are_not_identity()
    {
        // version=3 and the explicit list it stands for are the same configuration.
        Assert.Equal(DeviceConfiguration.Parse(Nic, "version=3"), DeviceConfiguration.Parse(Nic, "rss=on,rx-filter-size=32"));
        Assert.Equal(DeviceConfiguration.Parse(Nic, "version=3").GetHashCode(), DeviceConfiguration.Parse(Nic, "rss=on,rx-filter-size=32").GetHashCode());
    }

    [Fact]
    public void Init_configuration_pins_init_values()
    {
        DeviceConfiguration c = DeviceConfiguration.FromInit(Nic);
        Assert.Equal("on", c["rss"]);
        Assert.Equal("32", c["rx-filter-size"]);
        Assert.NotEqual(DeviceConfiguration.Off(Nic), c);
    }

    [Fact]
    public void With_returns_a_changed_copy()
    {
        DeviceConfiguration a = DeviceConfiguration.Off(Nic);
        DeviceConfiguration b = a.With("rx-filter-size", "016");
        Assert.Equal("0", a["rx-filter-size"]);
        Assert.Equal("16", b["rx-filter-size"]);
        Assert.Equal("rx-filter-size=16", b.ToString());
        Assert.Equal(ErrorCode.ValueNotAllowed, Assert.Throws<DeviceModelException>(() => a.With("rx-filter-size", "129")).Code);
        Assert.Equal(ErrorCode.ParameterUnknown, Assert.Throws<DeviceModelException>(() => a.With("nope", "1")).Code);
    }

    [Fact]
    public void Values_map_lists_every_parameter()
    {
        DeviceConfiguration c = DeviceConfiguration.Parse(Nic, "rss=on");
        Assert.Equal(new Dictionary<string, string> { ["rss"] = "on", ["rx-filter-size"] = "0" }, c.Values);
    }

    [Fact]
    public void Configurations_work_as_set_keys()
    {
        var set = new HashSet<DeviceConfiguration> { DeviceConfiguration.Parse(Nic, "version=3"), DeviceConfiguration.FromInit(Nic) };
        Assert.Single(set); // init values of this model are version 3's values
        Assert.Contains(DeviceConfiguration.Parse(Nic, "rss=on,rx-filter-size=32"), set);
        Assert.DoesNotContain(DeviceConfiguration.Off(Nic), set);
    }

    [Fact]
    public void Equality_includes_the_model_id()
    {
        ModelDescription other = new ModelDescriptionBuilder("vendor-b.com/my-nic").Int("rx-filter-size", "0-128", "0", "32").Bool("rss", "off", "on").Build();
        Assert.NotEqual(DeviceConfiguration.Off(Nic), DeviceConfiguration.Off(other));
    }

    [Fact]
    public void Configurations_from_two_descriptions_with_the_same_content_are_equal()
    {
        // Same id, same parameters, different ranges: the values are what count.
        ModelDescription narrower = new ModelDescriptionBuilder(TestNicModels.NicId).Int("rx-filter-size", "0-64", "0", "32").Bool("rss", "off", "on").Build();
        Assert.Equal(DeviceConfiguration.Parse(Nic, "rx-filter-size=64"), DeviceConfiguration.Parse(narrower, "rx-filter-size=64"));
    }

    [Theory]
    [InlineData("rss=on,,x", "item 2 (column 8): an empty item")]
    [InlineData("rss=on,x", "item 2 (column 8): 'x' has no '='")]
    [InlineData("version=2,rss=on,rx-filter-size", "item 3 (column 18): 'rx-filter-size' has no '='")]
    [InlineData(",rss=on", "item 1 (column 1): an empty item")]
    public void A_malformed_item_is_named_by_its_position_and_column(string text, string named)
    {
        var e = Assert.Throws<DeviceModelException>(() => DeviceConfiguration.Parse(Nic, text, "dev0"));

        Assert.Equal(ErrorCode.ConfigurationMalformed, e.Code);
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rss=on,")]
    [InlineData(",rss=on")]
    [InlineData("rss=on,,rx-filter-size=1")]
    [InlineData("rss")]
    [InlineData("rss=")]
    [InlineData("=on")]
    [InlineData("rss = on")]
    [InlineData(" rss=on")]
    [InlineData("rss=on ")]
    [InlineData("rss=on\t")]
    [InlineData("rss=on=off")]
    [InlineData(" ")]
    [InlineData(",")]
    public void Malformed_text_is_refused(string text)
    {
        var e = Assert.Throws<DeviceModelException>(() => DeviceConfiguration.Parse(Nic, text, "dev0"));
        Assert.Equal(ErrorCode.ConfigurationMalformed, e.Code);
        Assert.Equal("dev0", e.Device);
        Assert.Equal(text, e.Value);
        Assert.False(DeviceConfiguration.TryParse(Nic, text, out _));
    }

    [Fact]
    public void Unknown_parameter_is_refused()
    {
        var e = Assert.Throws<DeviceModelException>(() => DeviceConfiguration.Parse(TestNicModels.NicV2, "rss=on", "dev0"));
        Assert.Equal(ErrorCode.ParameterUnknown, e.Code);
        Assert.Equal("rss", e.Parameter);
        Assert.Equal("on", e.Value);
        Assert.Equal("dev0", e.Device);
        Assert.Contains("rx-filter-size", e.Message);
    }

    [Theory]
    [InlineData("rss=on,rss=on")]
    [InlineData("rss=on,rss=off")]
    [InlineData("version=1,version=2")]
    public void Duplicates_are_refused(string text)
    {
        var e = Assert.Throws<DeviceModelException>(() => DeviceConfiguration.Parse(Nic, text));
        Assert.Equal(ErrorCode.ParameterDuplicate, e.Code);
        Assert.NotNull(e.Parameter);
    }

    [Theory]
    [InlineData("rss=yes", "rss", "yes")]
    [InlineData("rss=ON", "rss", "ON")]
    [InlineData("rx-filter-size=129", "rx-filter-size", "129")]
    [InlineData("rx-filter-size=-1", "rx-filter-size", "-1")]
    [InlineData("rx-filter-size=abc", "rx-filter-size", "abc")]
    public void Values_not_allowed_are_refused(string text, string parameter, string value)
    {
        var e = Assert.Throws<DeviceModelException>(() => DeviceConfiguration.Parse(Nic, text, "dev0"));
        Assert.Equal(ErrorCode.ValueNotAllowed, e.Code);
        Assert.Equal(parameter, e.Parameter);
        Assert.Equal(value, e.Value);
        Assert.Equal("dev0", e.Device);
        Assert.NotNull(e.Expected);
    }

    [Fact]
    public void Unknown_version_is_refused()
    {
        var e = Assert.Throws<DeviceModelException>(() => DeviceConfiguration.Parse(TestNicModels.NicV2, "version=3", "dev0"));
        Assert.Equal(ErrorCode.VersionUnknown, e.Code);
        Assert.Equal("3", e.Value);
        Assert.Equal("dev0", e.Device);
    }

    [Fact]
    public void TryParse_returns_the_refusal()
    {
        Assert.False(DeviceConfiguration.TryParse(Nic, "rss=maybe", out _, out DeviceModelException? error));
        Assert.Equal(ErrorCode.ValueNotAllowed, error.Code);
        Assert.False(DeviceConfiguration.TryParse(Nic, null, out _));
    }

    [Fact]
    public void Foreign_form_carries_values_and_off_values()
    {
        ForeignConfiguration f = DeviceConfiguration.Parse(Nic, "rss=on").ToForeign("dev0");
        Assert.Equal(Nic.Id, f.Model);
        Assert.Equal("on", f.Values["rss"]);
        Assert.Equal("0", f.Values["rx-filter-size"]);
        Assert.Equal("off", f.OffValues["rss"]);
        Assert.Equal("dev0", f.Device);
    }

    [Fact]
    public void Foreign_forms_compare_by_content()
    {
        ForeignConfiguration a = DeviceConfiguration.Parse(Nic, "rss=on").ToForeign("dev0");
        ForeignConfiguration b = DeviceConfiguration.Parse(Nic, "version=1,rss=on").ToForeign("dev0");
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, DeviceConfiguration.Parse(Nic, "rss=off").ToForeign("dev0"));
        Assert.NotEqual(a, DeviceConfiguration.Parse(Nic, "rss=on").ToForeign("dev1"));
        Assert.Equal(ForeignConfiguration.Parse(Nic.Id, "rss=on,rx-filter-size=1"), ForeignConfiguration.Parse(Nic.Id, "rx-filter-size=1,rss=on"));
    }

    [Fact]
    public void Foreign_parse_reads_canonical_text_without_a_description()
    {
        ForeignConfiguration f = ForeignConfiguration.Parse(Nic.Id, "rss=on,rx-filter-size=64");
        Assert.Equal(2, f.Values.Count);
        Assert.Equal("64", f.Values["rx-filter-size"]);
        Assert.Empty(ForeignConfiguration.Parse(Nic.Id, "").Values);
        Assert.Equal(ErrorCode.ConfigurationMalformed, Assert.Throws<DeviceModelException>(() => ForeignConfiguration.Parse(Nic.Id, "rss")).Code);
        Assert.Equal(ErrorCode.ConfigurationMalformed, Assert.Throws<DeviceModelException>(() => ForeignConfiguration.Parse(Nic.Id, "version=2")).Code);
        Assert.Equal(ErrorCode.ConfigurationMalformed, Assert.Throws<DeviceModelException>(() => ForeignConfiguration.Parse(Nic.Id, "rss=on ")).Code);
        Assert.Equal(ErrorCode.ParameterDuplicate, Assert.Throws<DeviceModelException>(() => ForeignConfiguration.Parse(Nic.Id, "rss=on,rss=on")).Code);
    }

    // Texts whose every name is a parameter of Nic, so only the item syntax decides: both parsers share it.
    [Theory]
    [InlineData("rss=on", true)]
    [InlineData("rss=on,rx-filter-size=64", true)]
    [InlineData("rss", false)]
    [InlineData("rss=", false)]
    [InlineData("=on", false)]
    [InlineData("rss=on=off", false)]
    [InlineData("rss=on,", false)]
    [InlineData(",rss=on", false)]
    [InlineData("rss=on,,rx-filter-size=64", false)]
    [InlineData("rss=o n", false)]
    [InlineData("rss=on\t", false)]
    public void Both_parsers_accept_and_refuse_the_same_item_syntax(string text, bool wellFormed)
    {
        bool device = DeviceConfiguration.TryParse(Nic, text, out _, out DeviceModelException? deviceError);
        Exception? foreign = Record.Exception(() => ForeignConfiguration.Parse(Nic.Id, text));

        Assert.Equal(wellFormed, device);
        Assert.Equal(wellFormed, foreign is null);
        if (!wellFormed)
        {
            Assert.Equal(ErrorCode.ConfigurationMalformed, deviceError!.Code);
            Assert.Equal(ErrorCode.ConfigurationMalformed, Assert.IsType<DeviceModelException>(foreign).Code);
        }
    }

    [Fact]
    public void Both_parsers_name_a_duplicate_the_same_way()
    {
        Assert.False(DeviceConfiguration.TryParse(Nic, "rss=on,rss=off", out _, out DeviceModelException? deviceError));
        var foreign = Assert.Throws<DeviceModelException>(() => ForeignConfiguration.Parse(Nic.Id, "rss=on,rss=off"));
        Assert.Equal(ErrorCode.ParameterDuplicate, foreign.Code);
        Assert.Equal(deviceError.Message, foreign.Message);
        Assert.Equal(("rss", "off"), (foreign.Parameter, foreign.Value));
    }
}
