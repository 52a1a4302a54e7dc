using Vfio.DeviceModels;
using Vfio.DeviceModels.State;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Errors;
using Vfio.Migration;
using Vfio.Samples.Serial;

namespace Vfio.Tests.Samples;

public sealed class SerialTests
{
    private sealed class Card : IDisposable
    {
        public Card(Vfio.Sdk.DeviceImplementation implementation, string name)
        {
            Device = (SerialDevice)implementation.Create(name, DeviceConfiguration.FromInit(implementation.Model));
            Vfio = new EmulatedVfioDevice(name, Device, implementation.Protocol, implementation.Features);
            Driver = MigrationDriver.Open(Vfio);
        }

        public SerialDevice Device { get; }

        public EmulatedVfioDevice Vfio { get; }

        public MigrationDriver Driver { get; }

        public void Dispose()
        {
            Vfio.Dispose();
            Device.Dispose();
        }
    }

    // A guest that programs 115200 baud 8N1 with the FIFO on, enables interrupts and sends some bytes that loop back.
    private static void Guest(SerialDevice d, int port, string text)
    {
        d.WriteRegister(port, 3, 0x80);          // LCR: DLAB
        d.WriteRegister(port, 0, 0x01);          // DLL
        d.WriteRegister(port, 1, 0x00);          // DLM
        d.WriteRegister(port, 3, 0x03);          // LCR: 8N1
        d.WriteRegister(port, 2, 0x07 | 0x40);   // FCR: FIFO on, clear both, trigger 4
        d.WriteRegister(port, 1, 0x05);          // IER: RDI | RLSI
        d.WriteRegister(port, 7, 0x5A);          // SCR
        foreach (char c in text)
        {
            d.WriteRegister(port, 0, (byte)c);
        }
    }

    private static string Drain(SerialDevice d, int port)
    {
        var s = new System.Text.StringBuilder();
        while ((d.ReadRegister(port, 5) & 0x01) != 0)
        {
            s.Append((char)d.ReadRegister(port, 0));
        }
        return s.ToString();
    }

    [Fact]
    public void Uart_LoopsTransmittedBytesBack_AndReportsOverrunWhenTheFifoIsFull()
    {
        using var card = new Card(SerialImplementations.SinglePort, "tty");
        Guest(card.Device, 0, "0123456789abcdefXY");

        byte lsr = card.Device.ReadRegister(0, 5);
        byte iir = card.Device.ReadRegister(0, 2);
        string received = Drain(card.Device, 0);

        Assert.Equal(0x02, lsr & 0x02);            // overrun: 18 bytes into a 16-byte FIFO
        Assert.Equal(0x06, iir & 0x0F);            // line status interrupt outranks received data
        Assert.Equal("0123456789abcdef", received);
        Assert.Equal(0x60, card.Device.ReadRegister(0, 5) & 0x60); // transmitter empty again
    }

    [Fact]
    public void Uart_DivisorLatch_IsReadBackThroughDlab()
    {
        using var card = new Card(SerialImplementations.SinglePort, "tty");
        card.Device.WriteRegister(0, 3, 0x80);
        card.Device.WriteRegister(0, 0, 0x0C);
        card.Device.WriteRegister(0, 1, 0x01);

        Assert.Equal(0x0C, card.Device.ReadRegister(0, 0));
        Assert.Equal(0x01, card.Device.ReadRegister(0, 1));
        Assert.Equal("268", card.Device.DescribeState()["port-0/divisor"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Migration_MovesRegistersAndFifoContents(bool dual)
    {
        var impl = dual ? SerialImplementations.DualPort : SerialImplementations.SinglePort;
        using var src = new Card(impl, "tty-src");
        using var dst = new Card(impl, "tty-dst");
        Guest(src.Device, 0, "hello");
        if (dual)
        {
            Guest(src.Device, 1, "second port");
            src.Device.ReadRegister(1, 0); // consumes 's': the FIFO wraps from a non-zero tail
        }

        Migrate.Load(dst.Driver, Migrate.Save(src.Driver, preCopy: false));

        Assert.Equal(src.Device.DescribeState(), dst.Device.DescribeState());
        Assert.Equal("hello", Drain(dst.Device, 0));
        if (dual)
        {
            Assert.Equal("econd port", Drain(dst.Device, 1));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OtherType_IsRefusedByTheCheck_SameTypeIsAccepted(bool dualSource)
    {
        var source = DeviceConfiguration.FromInit(dualSource ? SerialModel.DualPort : SerialModel.SinglePort);
        ModelDescription other = dualSource ? SerialModel.SinglePort : SerialModel.DualPort;

        CompatibilityResult check = CompatibilityChecker.Check(source, other, "tty-src");

        CompatibilityProblem problem = Assert.Single(check.Problems);
        Assert.Equal(ErrorCode.ValueNotAcceptedByDestination, problem.Code);
        Assert.Equal((SerialModel.Ports, dualSource ? "2" : "1"), (problem.Parameter, problem.Value));
        Assert.True(CompatibilityChecker.Check(source, source.Model, "tty-src").IsCompatible);
    }

    [Fact]
    public void WithoutTheCheck_SinglePortCardRefusesADualPortState()
    {
        using var src = new Card(SerialImplementations.DualPort, "tty-src");
        using var dst = new Card(SerialImplementations.SinglePort, "tty-dst");
        byte[] data = Migrate.Save(src.Driver, preCopy: false);

        VfioException ex = Assert.ThrowsAny<VfioException>(() => Migrate.Load(dst.Driver, data));

        DeviceStateException cause = Assert.IsType<DeviceStateException>(Causes(ex).First(e => e is DeviceStateException));
        Assert.Equal(ErrorCode.DeviceStateLoadFailed, cause.Code);
        Assert.Equal("nr-ports", cause.Parameter);
        Assert.Equal(MigrationState.Error, ((IMigrationBackend)dst.Device).State);
    }

    [Theory]
    [InlineData("magic", 8)]
    [InlineData("major-version", 4)]
    public void AnotherMagicOrMajorVersion_IsRefusedWithTheField(string field, int length)
    {
        using var src = new Card(SerialImplementations.SinglePort, "tty-src");
        using var dst = new Card(SerialImplementations.SinglePort, "tty-dst");
        Guest(src.Device, 0, "abc");
        byte[] data = Migrate.Save(src.Driver, preCopy: false);
        byte[] head = [(byte)field.Length, .. System.Text.Encoding.ASCII.GetBytes(field), .. BitConverter.GetBytes((uint)length)];
        int at = data.AsSpan().IndexOf(head);
        Assert.True(at > 0);
        data[at + head.Length] ^= 0x02; // flips a bit of the value: another magic, major version 3
        DeviceState.Reseal(data);        // as a source that wrote it would have: the load code, not the checksum, refuses it

        VfioException ex = Assert.ThrowsAny<VfioException>(() => Migrate.Load(dst.Driver, data));

        DeviceStateException cause = Assert.IsType<DeviceStateException>(Causes(ex).First(e => e is DeviceStateException));
        Assert.Equal(ErrorCode.DeviceStateLoadFailed, cause.Code);
        Assert.Equal(field, cause.Parameter);
    }

    [Fact]
    public void StateHead_IsMagicThenVersions_AsInMtty()
    {
        using var card = new Card(SerialImplementations.SinglePort, "tty");

        string[] fields = card.Device.ExportSchema().Fields.Select(f => f.Path).ToArray();

        Assert.Equal(["magic", "major-version", "minor-version", "nr-ports"], fields.Where(f => !f.Contains('/') && !f.StartsWith("port-", StringComparison.Ordinal)));
    }

    [Fact]
    public void Registers_WhileStopped_AreUnreachable()
    {
        using var card = new Card(SerialImplementations.SinglePort, "tty");
        card.Driver.TransitionTo(MigrationState.Stop);

        Assert.Throws<InvalidOperationException>(() => card.Device.WriteRegister(0, 0, 1));
    }

    private static IEnumerable<Exception> Causes(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            yield return x;
        }
    }
}
