using System.Buffers.Binary;
using System.Text;
using Vfio.DeviceModels.State;
using Vfio.Devices;
using Vfio.Errors;
using Vfio.Samples.Nic;

namespace Vfio.Tests.Samples;

/// <summary>
/// A saved state whose structure is valid but whose values this NIC cannot run is refused with its code, and the
/// device's registers are left as they were (the load validates everything before applying anything).
/// </summary>
public sealed class NicLoadRefusalTests
{
    [Theory]
    [InlineData("mtu", 4, 10u, "mtu")]
    [InlineData("mtu", 4, 65_000u, "mtu")]
    [InlineData("indirection", NicDevice.RssIndirectionEntries, 9u, "rss/indirection")]
    [InlineData("capacity", 2, 16u, "rx-filter/capacity")]
    public void ValueTheDeviceCannotRun_IsRefused_DeviceUnchangedAndInError(string field, int length, uint value, string path)
    {
        using var src = new NicHost(NicImplementations.Current, "nic-src", "version=3");
        using var dst = new NicHost(NicImplementations.Current, "nic-dst", "version=3");
        src.Device.SimulateTraffic(seed: 4, packets: 200);
        byte[] data = Migrate.Save(src.Driver, preCopy: false);
        Overwrite(data, field, length, value);
        DeviceState.Reseal(data); // as a source that saved this value would have: the load code, not the checksum, refuses it
        dst.Device.SetMtu(1234);
        IReadOnlyDictionary<string, string> before = dst.Device.DescribeState();

        VfioException ex = Assert.ThrowsAny<VfioException>(() => Migrate.Load(dst.Driver, data));

        DeviceStateException cause = Cause(ex);
        Assert.Equal(ErrorCode.DeviceStateLoadFailed, cause.Code);
        Assert.Equal(path, cause.Parameter);
        Assert.Equal(MigrationState.Error, ((IMigrationBackend)dst.Device).State);
        Assert.Equal(before, dst.Device.DescribeState());
    }

    private static DeviceStateException Cause(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is DeviceStateException d)
            {
                return d;
            }
        }
        throw new Xunit.Sdk.XunitException("no DeviceStateException in " + e);
    }

    // Finds the field by its encoded name and length (docs/device-state-format.md) and overwrites its value's first bytes.
    private static void Overwrite(byte[] data, string name, int length, uint value)
    {
        byte[] head = [(byte)name.Length, .. Encoding.ASCII.GetBytes(name), .. BitConverter.GetBytes((uint)length)];
        int at = data.AsSpan().IndexOf(head);
        Assert.True(at > 0, $"field {name} not found");
        Span<byte> target = data.AsSpan(at + head.Length);
        switch (length)
        {
            case 2:
                BinaryPrimitives.WriteUInt16LittleEndian(target, (ushort)value);
                break;
            case 4:
                BinaryPrimitives.WriteUInt32LittleEndian(target, value);
                break;
            default:
                target[0] = (byte)value;
                break;
        }
    }
}
