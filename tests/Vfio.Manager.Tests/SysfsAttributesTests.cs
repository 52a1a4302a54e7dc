using Vfio.Errors;
using Vfio.Manager.Names;
using Vfio.Manager.Sysfs;

namespace Vfio.Tests.Manager;

public sealed class SysfsAttributesTests
{
    private static readonly SysfsPath File = new SysfsLayout("/h", "/m").MdevBus / "p" / "available_instances";

    [Theory]
    [InlineData("24\n", 24)]
    [InlineData("0\n", 0)]
    [InlineData("12", 12)]
    public void ParseInt_OneNumberAndOptionalNewline(string content, int expected) => Assert.Equal(expected, SysfsAttributes.ParseInt(File, content));

    [Theory]
    [InlineData("24x\n", ":1:", "non-negative decimal integer")]
    [InlineData("24 \n", ":1:", "non-negative decimal integer")]
    [InlineData("-1\n", ":1:", "non-negative decimal integer")]
    [InlineData("", ":1:", "empty")]
    [InlineData("\n", ":1:", "empty")]
    [InlineData("24\n25\n", ":2:", "more than one line")]
    [InlineData("24\n\n", ":2:", "more than one line")]
    [InlineData("99999999999\n", ":1:", "non-negative decimal integer")]
    public void ParseInt_Malformed_NamesFileLineAndQuotesContent(string content, string line, string problem)
    {
        var e = Assert.Throws<VfioException>(() => SysfsAttributes.ParseInt(File, content));
        Assert.Equal(ErrorCode.SysfsAttributeMalformed, e.Code);
        Assert.StartsWith(File.FullPath + line, e.Message);
        Assert.Contains(problem, e.Message);
        Assert.Contains(NameRules.Quote(content), e.Message);
        Assert.Equal(content, e.Value);
    }

    [Fact]
    public void ParseLine_KeepsInnerSpaces() => Assert.Equal("Dual port serial", SysfsAttributes.ParseLine(File, "Dual port serial\n"));
}
