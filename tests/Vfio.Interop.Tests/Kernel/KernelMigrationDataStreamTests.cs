using Vfio.Devices;
using Vfio.Errors;
using Vfio.Kernel;

namespace Vfio.Tests.Kernel;

/// <summary>The data_fd stream over an ordinary file: read, write, close and the PRECOPY_INFO errno mapping.</summary>
public sealed class KernelMigrationDataStreamTests : IDisposable
{
    private readonly string _file = Path.GetTempFileName();

    public void Dispose() => File.Delete(_file);

    private KernelMigrationDataStream OpenStream(bool writable) =>
        new(KernelCall.Open(_file), writable, "data_fd of test", "dev");

    [Fact]
    public void SavingSession_ReadsEveryByteThenZero()
    {
        byte[] state = Enumerable.Range(0, 10_000).Select(i => (byte)(i * 7)).ToArray();
        File.WriteAllBytes(_file, state);
        using KernelMigrationDataStream stream = OpenStream(writable: false);
        using var copy = new MemoryStream();

        stream.CopyTo(copy, 4096);

        Assert.Equal(state, copy.ToArray());
        Assert.Equal(0, stream.TryRead(new byte[16]));
        Assert.True(stream.CanRead);
        Assert.False(stream.CanWrite);
    }

    [Fact]
    public void ResumingSession_WritesEveryByte()
    {
        byte[] state = Enumerable.Range(0, 70_000).Select(i => (byte)i).ToArray();
        using (KernelMigrationDataStream stream = OpenStream(writable: true))
        {
            stream.Write(state);
            Assert.Throws<NotSupportedException>(() => stream.TryRead(new byte[1]));
        }

        Assert.Equal(state, File.ReadAllBytes(_file));
    }

    [Fact]
    public void SavingSession_RefusesWrites()
    {
        using KernelMigrationDataStream stream = OpenStream(writable: false);

        Assert.Throws<NotSupportedException>(() => stream.Write(new byte[1]));
    }

    [Fact]
    public void GetPrecopyInfo_OnAFdWithoutIt_IsFeatureUnsupported()
    {
        using KernelMigrationDataStream stream = OpenStream(writable: false);

        var e = Assert.Throws<VfioException>(() => stream.GetPrecopyInfo());

        Assert.Equal(ErrorCode.FeatureUnsupported, e.Code);
        Assert.Equal("ioctl VFIO_MIG_GET_PRECOPY_INFO on data_fd of test", Assert.IsType<VfioErrnoException>(e.InnerException).Operation);
    }

    [Fact]
    public void Dispose_ClosesTheDataFd_AndLaterUseIsRefused()
    {
        KernelMigrationDataStream stream = OpenStream(writable: false);

        stream.Dispose();

        Assert.True(stream.IsClosed);
        Assert.Throws<ObjectDisposedException>(() => stream.TryRead(new byte[1]));
        Assert.IsAssignableFrom<MigrationDataStream>(stream);
    }
}
