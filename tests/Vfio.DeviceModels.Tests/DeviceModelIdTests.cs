using Vfio.DeviceModels;
using Vfio.Errors;

namespace Vfio.Tests.DeviceModels;

public sealed class DeviceModelIdTests
{
    [Theory]
    [InlineData("vendor-a.com/my-nic", "vendor-a.com", "my-nic")]
    [InlineData("kernel.org/samples/mtty", "kernel.org", "samples/mtty")]
    [InlineData("a.b.c/x_y.z", "a.b.c", "x_y.z")]
    public void Parse_accepts_canonical_ids(string text, string domain, string path)
    {
        DeviceModelId id = DeviceModelId.Parse(text);
        Assert.Equal(domain, id.Domain);
        Assert.Equal(path, id.Path);
        Assert.Equal(text, id.ToString());
    }

    [Fact]
    public void Scheme_is_refused_with_the_canonical_form()
    {
        var e = Assert.Throws<DeviceModelException>(() => DeviceModelId.Parse("https://vendor-a.com/my-nic"));
        Assert.Equal(ErrorCode.ModelIdInvalid, e.Code);
        Assert.Contains("'vendor-a.com/my-nic'", e.Message);
        Assert.Equal("vendor-a.com/my-nic", e.Expected);
        Assert.Equal("https://vendor-a.com/my-nic", e.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("vendor-a.com")]
    [InlineData("vendor-a.com/")]
    [InlineData("vendorcom/my-nic")]
    [InlineData("/my-nic")]
    [InlineData("Vendor-A.com/my-nic")]
    [InlineData("vendor-a.com/My-Nic")]
    [InlineData("vendor-a.com/my nic")]
    [InlineData(" vendor-a.com/my-nic")]
    [InlineData("vendor-a.com/my-nic\n")]
    [InlineData("vendor-a.com//my-nic")]
    [InlineData("vendor-a.com/../x")]
    [InlineData("vendor..com/x")]
    [InlineData("-vendor.com/x")]
    [InlineData("vendor-a.com/my-nic/")]
    public void Invalid_ids_are_refused(string text)
    {
        Assert.False(DeviceModelId.TryParse(text, out _));
        var e = Assert.Throws<DeviceModelException>(() => DeviceModelId.Parse(text));
        Assert.Equal(ErrorCode.ModelIdInvalid, e.Code);
    }

    [Fact]
    public void Upper_case_id_suggests_lower_case()
    {
        var e = Assert.Throws<DeviceModelException>(() => DeviceModelId.Parse("Vendor-A.com/my-nic"));
        Assert.Equal("vendor-a.com/my-nic", e.Expected);
    }

    [Fact]
    public void Ids_compare_exactly()
    {
        Assert.Equal(DeviceModelId.Parse("vendor-a.com/my-nic"), DeviceModelId.Parse("vendor-a.com/my-nic"));
        Assert.NotEqual(DeviceModelId.Parse("vendor-a.com/my-nic"), DeviceModelId.Parse("vendor-a.com/my-nic2"));
        Assert.NotEqual(DeviceModelId.Parse("vendor-a.com/a/b"), DeviceModelId.Parse("vendor-a.com/a.b"));
    }

    [Fact]
    public void Default_id_prints_empty()
    {
        Assert.Equal(string.Empty, default(DeviceModelId).ToString());
    }
}
