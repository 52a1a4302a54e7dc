using Vfio.DeviceModels;
using Vfio.DeviceModels.Documents;
using Vfio.Errors;
using Vfio.Tests.Support;

namespace Vfio.Tests.DeviceModels;

public sealed class ParameterSpecTests
{
    [Theory]
    [InlineData("0-255,512", "0-255,512")]
    [InlineData("512,0-255", "0-255,512")]
    [InlineData("0-3,4-7", "0-7")]
    [InlineData("5,0-10", "0-10")]
    [InlineData("007-010", "7-10")]
    [InlineData("3", "3")]
    public void Int_allowed_values_are_canonical(string text, string canonical)
    {
        Assert.Equal(canonical, AllowedValues.Parse(ParameterType.Int, text).Text);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0-")]
    [InlineData("-5")]
    [InlineData("1,,2")]
    [InlineData("10-5")]
    [InlineData("a-b")]
    [InlineData("0x10")]
    [InlineData("1, 2")]
    [InlineData("99999999999999999999")]
    public void Bad_int_allowed_values_are_refused(string text)
    {
        var e = Assert.Throws<DeviceModelException>(() => AllowedValues.Parse(ParameterType.Int, text));
        Assert.Equal(ErrorCode.ParameterSpecInvalid, e.Code);
    }

    [Fact]
    public void Contains_checks_every_range()
    {
        AllowedValues a = AllowedValues.Parse(ParameterType.Int, "0-8,16,32-64");
        Assert.True(a.Contains("0"));
        Assert.True(a.Contains("8"));
        Assert.False(a.Contains("9"));
        Assert.True(a.Contains("16"));
        Assert.False(a.Contains("17"));
        Assert.True(a.Contains("32"));
        Assert.True(a.Contains("64"));
        Assert.False(a.Contains("65"));
    }

    [Fact]
    public void Subset_follows_ranges()
    {
        AllowedValues small = AllowedValues.Parse(ParameterType.Int, "0-32");
        AllowedValues big = AllowedValues.Parse(ParameterType.Int, "0-64");
        AllowedValues split = AllowedValues.Parse(ParameterType.Int, "0-10,20-64");
        Assert.True(small.IsSubsetOf(big));
        Assert.False(big.IsSubsetOf(small));
        Assert.False(small.IsSubsetOf(split));
        Assert.True(split.IsSubsetOf(big));
        Assert.False(AllowedValues.BoolBoth.IsSubsetOf(big));
    }

    [Fact]
    public void Int_values_are_normalised_to_decimal()
    {
        ParameterSpec p = ParameterSpec.Int("rx-filter-size", "0-64", "0", "32");
        Assert.True(p.TryNormalize("064", out string? v));
        Assert.Equal("64", v);
        Assert.False(p.TryNormalize("+5", out _));
        Assert.False(p.TryNormalize("0x10", out _));
        Assert.False(p.TryNormalize("65", out _));
        Assert.False(p.TryNormalize("", out _));
    }

    [Theory]
    [InlineData("on", true)]
    [InlineData("off", true)]
    [InlineData("ON", false)]
    [InlineData("true", false)]
    [InlineData("1", false)]
    public void Bool_accepts_only_on_and_off(string value, bool ok)
    {
        Assert.Equal(ok, ParameterSpec.Bool("rss").TryNormalize(value, out _));
    }

    [Fact]
    public void Off_value_not_allowed_is_refused()
    {
        var e = Assert.Throws<DeviceModelException>(() => ParameterSpec.Int("rx-filter-size", "8-64", "0", "32"));
        Assert.Equal(ErrorCode.ParameterSpecInvalid, e.Code);
        Assert.Equal("rx-filter-size", e.Parameter);
        Assert.Equal("0", e.Value);
        Assert.Equal("8-64", e.Expected);
    }

    [Fact]
    public void Init_value_not_allowed_is_refused()
    {
        var e = Assert.Throws<DeviceModelException>(() => ParameterSpec.Str("mode", "none,fifo", "none", "ring"));
        Assert.Equal(ErrorCode.ParameterSpecInvalid, e.Code);
        Assert.Equal("ring", e.Value);
    }

    [Theory]
    [InlineData("Rss")]
    [InlineData("rx=size")]
    [InlineData("rx/size")]
    [InlineData("rx,size")]
    [InlineData("rx size")]
    [InlineData("rx_size")]
    [InlineData("")]
    [InlineData("1rss")]
    [InlineData("rss-")]
    [InlineData("version")]
    public void Bad_names_are_refused(string name)
    {
        var e = Assert.Throws<DeviceModelException>(() => ParameterSpec.Bool(name));
        Assert.Equal(ErrorCode.ParameterSpecInvalid, e.Code);
        Assert.Equal(name, e.Parameter);
    }

    [Fact]
    public void Allowed_values_of_the_wrong_type_are_refused()
    {
        var e = Assert.Throws<DeviceModelException>(() =>
            new ParameterSpec("x", ParameterType.Str, AllowedValues.Parse(ParameterType.Int, "0-4"), "0", "0"));
        Assert.Equal(ErrorCode.ParameterSpecInvalid, e.Code);
    }

    [Fact]
    public void Normalize_refusal_names_device_parameter_value_and_allowed()
    {
        ParameterSpec p = ParameterSpec.Int("rx-filter-size", "0-64", "0", "32");
        var e = Assert.Throws<DeviceModelException>(() => p.Normalize("128", DeviceModelId.Parse(TestNicModels.NicId), "dev0"));
        Assert.Equal(ErrorCode.ValueNotAllowed, e.Code);
        Assert.Equal("dev0", e.Device);
        Assert.Equal("rx-filter-size", e.Parameter);
        Assert.Equal("128", e.Value);
        Assert.Equal("0-64", e.Expected);
        Assert.Contains("dev0", e.Message);
        Assert.Contains("128", e.Message);
        Assert.Contains("0-64", e.Message);
    }

    [Fact]
    public void Ranges_reaching_the_largest_integer_merge_without_overflow()
    {
        AllowedValues a = AllowedValues.FromRanges([new IntRange(5, long.MaxValue), new IntRange(0, 3), new IntRange(long.MaxValue, long.MaxValue)]);
        Assert.Equal($"0-3,5-{long.MaxValue}", a.Text);
        Assert.True(a.Contains(long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.False(a.Contains("4"));
        Assert.False(a.Contains("9223372036854775808")); // does not fit a long: not a value at all
    }

    [Fact]
    public void String_allowed_values_keep_their_declared_order_and_compare_as_sets()
    {
        AllowedValues a = AllowedValues.Parse(ParameterType.Str, "ring,fifo,ring");
        Assert.Equal("ring,fifo", a.Text);
        Assert.Equal(["ring", "fifo"], a.Tokens);
        Assert.Equal("fifo,ring", a.CanonicalText);
        Assert.True(a.Contains("fifo") && a.Contains("ring") && !a.Contains("rings"));
        Assert.Equal(a, AllowedValues.FromTokens(ParameterType.Str, ["fifo", "ring"]));
        Assert.Equal(a.GetHashCode(), AllowedValues.FromTokens(ParameterType.Str, ["fifo", "ring"]).GetHashCode());
        Assert.Equal(ErrorCode.ParameterSpecInvalid, Assert.Throws<DeviceModelException>(() => AllowedValues.Parse(ParameterType.Bool, "on,yes")).Code);
    }

    [Fact]
    public void A_description_prints_its_string_sets_in_declared_order_and_its_fingerprint_ignores_that_order()
    {
        ModelDescription declared = new ModelDescriptionBuilder("example.org/q").Str("mode", "ring,fifo", "ring", "fifo").Version("1").Build();
        ModelDescription sorted = new ModelDescriptionBuilder("example.org/q").Str("mode", "fifo,ring", "ring", "fifo").Version("1").Build();

        string json = new MigrationInfo([declared]).ToJson();

        Assert.Contains("\"ring,fifo\"", json, StringComparison.Ordinal);
        Assert.Equal("ring,fifo", MigrationInfo.Parse(json).Models[0].GetParameter("mode").AllowedValues.Text);
        Assert.Equal(MigrationInfo.Fingerprint(declared), MigrationInfo.Fingerprint(sorted));
    }
}
