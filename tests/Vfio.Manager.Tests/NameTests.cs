using Vfio.Errors;
using Vfio.Manager.Names;

namespace Vfio.Tests.Manager;

public sealed class NameTests
{
    [Theory]
    [InlineData("83b8f4f2-509f-382f-3c1e-e6bfe0fa1001")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    public void Uuid_CanonicalLowerCase_RoundTrips(string text) => Assert.Equal(text, MdevUuid.Parse(text).ToString());

    [Theory]
    [InlineData("83B8F4F2-509F-382F-3C1E-E6BFE0FA1001")]
    [InlineData("{83b8f4f2-509f-382f-3c1e-e6bfe0fa1001}")]
    [InlineData("83b8f4f2509f382f3c1ee6bfe0fa1001")]
    [InlineData("83b8f4f2-509f-382f-3c1e-e6bfe0fa1001\n")]
    [InlineData(" 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001")]
    [InlineData("83b8f4f2-509f-382f-3c1e-e6bfe0fa100g")]
    [InlineData("../../../etc/passwd")]
    [InlineData("")]
    public void Uuid_AnythingButCanonical_IsRefusedNamingTheInput(string text)
    {
        var e = Assert.Throws<VfioException>(() => MdevUuid.Parse(text));
        Assert.Equal(ErrorCode.NameInvalid, e.Code);
        Assert.Equal(text, e.Value);
        Assert.Contains(NameRules.Quote(text), e.Message);
    }

    [Theory]
    [InlineData("0000:00:03.0")]
    [InlineData("mtty")]
    [InlineData("0.0.0001")]
    public void ParentName_SysfsSafe_IsAccepted(string text) => Assert.Equal(text, ParentDeviceName.Parse(text).Value);

    [Theory]
    [InlineData("", "empty")]
    [InlineData(".", "'.'")]
    [InlineData("..", "'..'")]
    [InlineData("a/b", "'/'")]
    [InlineData("../x", "'/'")]
    [InlineData("mt\0ty", "NUL")]
    [InlineData("mtty\n", "white space")]
    [InlineData("mt ty", "white space")]
    public void ParentName_Unsafe_IsRefusedWithReason(string text, string reason)
    {
        var e = Assert.Throws<VfioException>(() => ParentDeviceName.Parse(text));
        Assert.Equal(ErrorCode.NameInvalid, e.Code);
        Assert.Contains(reason, e.Message);
        Assert.False(ParentDeviceName.TryParse(text, out _));
    }

    [Fact]
    public void ParentName_LongerThanNameMax_IsRefused()
    {
        Assert.True(ParentDeviceName.TryParse(new string('a', 255), out _));
        var e = Assert.Throws<VfioException>(() => ParentDeviceName.Parse(new string('a', 256)));
        Assert.Equal(ErrorCode.NameInvalid, e.Code);
    }

    [Fact]
    public void Quote_MakesControlCharactersVisible() => Assert.Equal("'a\\nb\\0'", NameRules.Quote("a\nb\0"));

    [Theory]
    [InlineData("mtty-2", "mtty")]
    [InlineData("nvidia-35", "nvidia")]
    [InlineData("i915-GVTg_V5_4", "i915")]
    [InlineData("vfio_ap-passthrough", "vfio_ap")]
    public void TypeName_RealTypes_AreAcceptedWithTheirDriverPrefix(string text, string driver)
    {
        MdevTypeName type = MdevTypeName.Parse(text);
        Assert.Equal(text, type.Value);
        Assert.Equal(driver, type.DriverPrefix);
    }

    [Theory]
    [InlineData("mtty 2")]
    [InlineData("mtty/2")]
    [InlineData("..")]
    [InlineData("mtty-2;rm")]
    [InlineData("mtty-\u00e9")]
    public void TypeName_Invalid_IsRefused(string text)
    {
        Assert.Equal(ErrorCode.NameInvalid, Assert.Throws<VfioException>(() => MdevTypeName.Parse(text)).Code);
    }

    [Theory]
    [InlineData("rss", true)]
    [InlineData("rx-filter-size", true)]
    [InlineData("available_instances", true)]
    [InlineData("migration/rss", false)]
    [InlineData("rss\n", false)]
    [InlineData("..", false)]
    [InlineData("a:b", false)]
    public void AttributeName_IsOneSafeSegment(string text, bool valid) => Assert.Equal(valid, AttributeName.TryParse(text, out _));
}
