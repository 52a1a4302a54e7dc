using System.Runtime.InteropServices;

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
