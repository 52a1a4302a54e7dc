using Vfio.Manager.Devices;
using Vfio.Manager.Names;
using Vfio.Devices;

namespace Vfio.KernelLab;

/// <summary>
/// The guest-visible state of an mtty device, read and written the way a guest driver would: each port is a 16550
/// UART in its own I/O BAR (region 0 and 1), with a scratch register at offset 7 and a loopback FIFO behind the
/// transmit/receive register at offset 0. Opening goes through the project's own bindings (container, group,
/// device fd); the device is closed again before vfioctl touches it, because a VFIO group has one user at a time.
/// </summary>
internal sealed class MttyPorts : IDisposable
{
    private const ulong Data = 0;      // THR on write, RBR on read (DLAB clear)
    private const ulong LineStatus = 5;
    private const ulong Scratch = 7;

    /// <summary>The scratch register's offset in a UART's I/O BAR (what a VM's <c>o</c>/<c>i</c> address).</summary>
    public const int ScratchOffset = (int)Scratch;
    private const byte DataReady = 0x01;

    private readonly IVfioDevice _device;

    private MttyPorts(IVfioDevice device) => _device = device;

    public static MttyPorts Open(KernelDeviceOpener opener, string uuid) => new(opener.Open(MdevUuid.Parse(uuid)));

    public void Dispose() => _device.Dispose();

    public void SetScratch(uint port, byte value) => Write(port, Scratch, value);

    public byte GetScratch(uint port) => Read(port, Scratch);

    /// <summary>Transmits bytes; mtty loops every transmitted byte back into the port's receive FIFO.</summary>
    public void Transmit(uint port, ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            Write(port, Data, b);
        }
    }

    /// <summary>Drains the receive FIFO (at most <paramref name="max"/> bytes): what a guest would read next.</summary>
    public byte[] Receive(uint port, int max = 64)
    {
        var received = new List<byte>();
        while (received.Count < max && (Read(port, LineStatus) & DataReady) != 0)
        {
            received.Add(Read(port, Data));
        }
        return [.. received];
    }

    public MigrationState State => _device.GetMigrationState();

    private void Write(uint port, ulong register, byte value)
    {
        int n = _device.WriteRegion(port, register, [value]);
        if (n != 1)
        {
            throw new InvalidOperationException($"BAR{port} register {register}: wrote {n} bytes, expected 1");
        }
    }

    private byte Read(uint port, ulong register)
    {
        Span<byte> one = stackalloc byte[1];
        int n = _device.ReadRegion(port, register, one);
        return n == 1 ? one[0] : throw new InvalidOperationException($"BAR{port} register {register}: read {n} bytes, expected 1");
    }
}

/// <summary>What the battery writes into a source and expects on the destination: both scratch registers and FIFO bytes.</summary>
internal sealed record PortState(byte Scratch0, byte Scratch1, string Fifo0)
{
    public void WriteTo(MttyPorts ports)
    {
        ports.Receive(0);
        ports.SetScratch(0, Scratch0);
        ports.SetScratch(1, Scratch1);
        ports.Transmit(0, System.Text.Encoding.ASCII.GetBytes(Fifo0));
    }

    /// <summary>Reads the state back; this drains port 0's FIFO, so it is done once, at the end of a check.</summary>
    public static PortState ReadFrom(MttyPorts ports) =>
        new(ports.GetScratch(0), ports.GetScratch(1), System.Text.Encoding.ASCII.GetString(ports.Receive(0)));

    public override string ToString() => $"SCR0=0x{Scratch0:x2} SCR1=0x{Scratch1:x2} FIFO0=\"{Fifo0}\"";
}
