using System.Runtime.InteropServices;
using Vfio.Errors;

namespace Vfio.Tests.Bindings;

public sealed class ErrnoTests
{
    public static TheoryData<int> KnownErrnos => new(Interop.Errno.Known);

    [Theory]
    [MemberData(nameof(KnownErrnos))]
    public void TableMessage_IsWhatTheCLibrarySays(int errno)
    {
        // strerror of the machine's libc is the reference; the table exists so messages do not depend on it.
        Assert.Equal(Marshal.GetPInvokeErrorMessage(errno), Interop.Errno.Message(errno));
    }

    [Theory]
    [InlineData(Interop.Errno.ENOTTY, "ENOTTY")]
    [InlineData(Interop.Errno.ENOMSG, "ENOMSG")]
    [InlineData(Interop.Errno.EOPNOTSUPP, "EOPNOTSUPP")]
    [InlineData(Interop.Errno.EBUSY, "EBUSY")]
    public void Name_IsTheCName(int errno, string name) => Assert.Equal(name, Interop.Errno.Name(errno));

    [Fact]
    public void EveryErrnoConstant_IsTmdsLibCsValueOfTheSameName()
    {
        // Tmds.LibC's errno values are static members, not constants (they differ per architecture), which a switch pattern cannot use; the
        // project keeps constants, and this pins each to the value Tmds.LibC (the library for the libc layer) gives.
        var ours = typeof(Interop.Errno).GetFields(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)
            .Where(f => f.IsLiteral && f.FieldType == typeof(int)).ToArray();
        Assert.True(ours.Length >= 30, $"only {ours.Length} errno constants found");
        foreach (System.Reflection.FieldInfo field in ours)
        {
            // A static field or property, as Tmds.LibC declares it.
            object? theirs = typeof(Tmds.Linux.LibC).GetField(field.Name)?.GetValue(null) ?? typeof(Tmds.Linux.LibC).GetProperty(field.Name)?.GetValue(null);
            Assert.True(theirs is not null, $"Tmds.LibC has no {field.Name}");
            Assert.True(Convert.ToInt32(theirs, System.Globalization.CultureInfo.InvariantCulture) == (int)field.GetRawConstantValue()!, $"{field.Name}: ours {field.GetRawConstantValue()}, Tmds.LibC's {theirs}");
        }
    }

    [Fact]
    public void UnknownErrno_IsNamedByNumberAndStillHasAMessage()
    {
        Assert.Equal("errno 133", Interop.Errno.Name(133));
        Assert.Equal(Marshal.GetPInvokeErrorMessage(133), Interop.Errno.Message(133));
    }

    [Fact]
    public void ErrnoException_CarriesCodeErrnoNameOperationAndStrerror()
    {
        var e = new VfioErrnoException(Interop.Errno.ENOTTY, "ioctl VFIO_DEVICE_GET_REGION_INFO on /dev/vfio/12 region 3", "0000:00:03.0");

        Assert.Equal(ErrorCode.KernelCallFailed, e.Code);
        Assert.Equal(25, e.Errno);
        Assert.Equal("ENOTTY", e.ErrnoName);
        Assert.Equal("ioctl VFIO_DEVICE_GET_REGION_INFO on /dev/vfio/12 region 3", e.Operation);
        Assert.Equal("0000:00:03.0", e.Device);
        Assert.Equal("0000:00:03.0: ioctl VFIO_DEVICE_GET_REGION_INFO on /dev/vfio/12 region 3 failed: ENOTTY (25): Inappropriate ioctl for device", e.Message);
        Assert.StartsWith("E1001 kernel-call-failed: ", e.ToDisplayString());
    }
}
