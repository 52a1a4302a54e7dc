using System.Globalization;
using Vfio.DeviceModels;
using Vfio.Devices;
using Vfio.Errors;
using Vfio.Sdk;

namespace Vfio.Samples.Serial;

/// <summary>
/// A PCI serial card of 16550-style UARTs whose transmit side loops back into its receive FIFO, in the spirit of the
/// kernel's mtty sample (<c>samples/vfio-mdev/mtty.c</c>), written on the vendor SDK. The guest drives it through
/// <see cref="WriteRegister"/> and <see cref="ReadRegister"/> (the I/O BAR of each port).
/// </summary>
/// <remarks>
/// <para>Register semantics follow <c>include/uapi/linux/serial_reg.h</c>: with LCR.DLAB set, offsets 0 and 1 hold the
/// divisor latch; FCR enables the 16-byte FIFO or clears it; LSR reports data ready, overrun and transmitter empty;
/// IIR reports the highest-priority pending interrupt among those IER enables.</para>
/// <para>Its saved state starts, like mtty's <c>struct mtty_data</c>, with a magic number and a major/minor version
/// and the port count, then one section per port (registers, FIFO, divisor, flags). The load refuses another magic,
/// another major version or another port count with <see cref="ErrorCode.DeviceStateLoadFailed"/>.</para>
/// </remarks>
public sealed partial class SerialDevice : MigratableDevice
{
    /// <summary>The magic at the head of the saved state ("MTTYSDK" plus a format byte, as a little-endian u64).</summary>
    public const ulong Magic = 0x014B_4453_5954_544DUL;

    /// <summary>The saved state's major version: a loader refuses any other.</summary>
    public const uint MajorVersion = 1;

    /// <summary>The saved state's minor version: newer minors only add optional fields.</summary>
    public const uint MinorVersion = 0;

    private const int RegTx = 0, RegIer = 1, RegIir = 2, RegLcr = 3, RegMcr = 4, RegLsr = 5, RegMsr = 6, RegScr = 7;
    private const byte LcrDlab = 0x80;
    private const byte FcrEnableFifo = 0x01, FcrClearRx = 0x02, FcrClearTx = 0x04;
    private const byte IerRdi = 0x01, IerThri = 0x02, IerRlsi = 0x04, IerMsi = 0x08;
    private const byte LsrDr = 0x01, LsrOe = 0x02, LsrThre = 0x20, LsrTemt = 0x40;
    private const byte IirNoInt = 0x01, IirThri = 0x02, IirRdi = 0x04, IirRlsi = 0x06, IirFifoBits = 0xC0;
    private const byte McrDtr = 0x01, McrRts = 0x02, McrAfe = 0x20;
    private const byte MsrDcts = 0x01, MsrDdsr = 0x02, MsrCts = 0x10, MsrDsr = 0x20, MsrDcd = 0x80;

    private readonly Lock _gate = new();
    private readonly SerialPortState[] _ports;

    /// <summary>Creates the card in RUNNING with every UART at its power-on state.</summary>
    /// <param name="name">The device's name.</param>
    /// <param name="configuration">A configuration of <see cref="SerialModel.SinglePort"/> or <see cref="SerialModel.DualPort"/>.</param>
    /// <exception cref="ArgumentException">When the configuration is not of model <see cref="SerialModel.Id"/>.</exception>
    public SerialDevice(string name, DeviceConfiguration configuration)
        : base(name, configuration, MigrationFeatures.StopCopy | MigrationFeatures.P2P)
    {
        if (configuration.ModelId.ToString() != SerialModel.Id)
        {
            throw new ArgumentException($"device {name}: configuration is of model {configuration.ModelId}, not {SerialModel.Id}", nameof(configuration));
        }
        int ports = int.Parse(configuration[SerialModel.Ports], CultureInfo.InvariantCulture);
        _ports = new SerialPortState[ports];
        for (int i = 0; i < ports; i++)
        {
            _ports[i] = new SerialPortState();
        }
    }

    /// <summary>The number of UARTs (the type's <c>ports</c>).</summary>
    public int PortCount => _ports.Length;

    /// <summary>The guest writes a UART register.</summary>
    /// <param name="port">The port, 0 to <see cref="PortCount"/> - 1.</param>
    /// <param name="offset">The register offset, 0-7 (THR/DLL, IER/DLM, FCR, LCR, MCR, LSR, MSR, SCR).</param>
    /// <param name="value">The byte written.</param>
    /// <exception cref="ArgumentOutOfRangeException">A port or offset out of range.</exception>
    /// <exception cref="InvalidOperationException">When the device is not executing (the guest's vCPUs are stopped).</exception>
    public void WriteRegister(int port, int offset, byte value)
    {
        SerialPortState p = Port(port, offset);
        lock (_gate)
        {
            switch (offset)
            {
                case RegTx when p.Dlab:
                    p.Divisor = (ushort)((p.Divisor & 0xFF00) | value);
                    break;
                case RegTx:
                    Transmit(p, value);
                    break;
                case RegIer when p.Dlab:
                    p.Divisor = (ushort)((p.Divisor & 0x00FF) | (value << 8));
                    break;
                case RegIer:
                    p.Registers[RegIer] = (byte)(value & 0x0F);
                    break;
                case RegIir:
                    WriteFcr(p, value);
                    break;
                case RegLcr:
                    p.Dlab = (value & LcrDlab) != 0;
                    p.Registers[RegLcr] = value;
                    break;
                case RegMcr:
                case RegScr:
                    p.Registers[offset] = value;
                    break;
                default:
                    break; // LSR and MSR are read-only
            }
        }
    }

    /// <summary>The guest reads a UART register; reading RBR takes a byte from the loopback FIFO.</summary>
    /// <param name="port">The port, 0 to <see cref="PortCount"/> - 1.</param>
    /// <param name="offset">The register offset, 0-7 (RBR/DLL, IER/DLM, IIR, LCR, MCR, LSR, MSR, SCR).</param>
    /// <returns>The register's value.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A port or offset out of range.</exception>
    /// <exception cref="InvalidOperationException">When the device is not executing.</exception>
    public byte ReadRegister(int port, int offset)
    {
        SerialPortState p = Port(port, offset);
        lock (_gate)
        {
            return offset switch
            {
                RegTx when p.Dlab => (byte)p.Divisor,
                RegTx => Receive(p),
                RegIer when p.Dlab => (byte)(p.Divisor >> 8),
                RegIer => p.Registers[RegIer],
                RegIir => Iir(p),
                RegLsr => (byte)((p.Count > 0 ? LsrDr : 0) | (p.Overrun ? LsrOe : 0) | (p.Count == 0 ? LsrThre | LsrTemt : 0)),
                RegMsr => (byte)(MsrDsr | MsrDdsr | MsrDcd | ((p.Registers[RegMcr] & McrAfe) != 0 && p.Count < p.MaxFifoSize ? MsrCts | MsrDcts : 0)),
                _ => p.Registers[offset],
            };
        }
    }

    /// <summary>
    /// The card's state as named values (<c>magic</c>, <c>port-0/lcr</c>, <c>port-1/fifo</c>, ...), for comparing a
    /// migrated device with its source field by field. The FIFO is given in order, oldest byte first.
    /// </summary>
    /// <returns>The values, sorted by key.</returns>
    public IReadOnlyDictionary<string, string> DescribeState()
    {
        lock (_gate)
        {
            var d = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["ports"] = _ports.Length.ToString(CultureInfo.InvariantCulture),
            };
            for (int i = 0; i < _ports.Length; i++)
            {
                SerialPortState p = _ports[i];
                string k = "port-" + i.ToString(CultureInfo.InvariantCulture) + "/";
                d[k + "registers"] = Convert.ToHexString(p.Registers);
                d[k + "fifo"] = Convert.ToHexString(Enumerable.Range(0, p.Count).Select(j => p.Fifo[(p.Tail + j) % SerialPortState.FifoSize]).ToArray());
                d[k + "dlab"] = p.Dlab ? "1" : "0";
                d[k + "overrun"] = p.Overrun ? "1" : "0";
                d[k + "divisor"] = p.Divisor.ToString(CultureInfo.InvariantCulture);
                d[k + "fcr"] = p.Fcr.ToString("x2", CultureInfo.InvariantCulture);
                d[k + "max-fifo-size"] = p.MaxFifoSize.ToString(CultureInfo.InvariantCulture);
                d[k + "trigger-level"] = p.TriggerLevel.ToString(CultureInfo.InvariantCulture);
            }
            return d;
        }
    }

    /// <inheritdoc />
    protected override void OnReset()
    {
        lock (_gate)
        {
            foreach (SerialPortState p in _ports)
            {
                p.Clear();
            }
        }
    }

    private SerialPortState Port(int port, int offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(port, _ports.Length);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, 7);
        MigrationState state = State;
        if (state is not (MigrationState.Running or MigrationState.RunningP2P or MigrationState.PreCopy or MigrationState.PreCopyP2P))
        {
            throw new InvalidOperationException($"device {Name} is in {state}; the guest reaches its registers only while it executes");
        }
        return _ports[port];
    }

    // THR: the byte goes into the loopback FIFO, or sets overrun when it is full.
    private static void Transmit(SerialPortState p, byte value)
    {
        if (p.Count < p.MaxFifoSize)
        {
            p.Fifo[p.Head] = value;
            p.Head = (byte)((p.Head + 1) % SerialPortState.FifoSize);
            p.Count++;
            p.Overrun = false;
        }
        else
        {
            p.Overrun = true;
        }
    }

    private static byte Receive(SerialPortState p)
    {
        if (p.Count == 0)
        {
            return 0;
        }
        byte value = p.Fifo[p.Tail];
        p.Tail = (byte)((p.Tail + 1) % SerialPortState.FifoSize);
        p.Count--;
        return value;
    }

    private static void WriteFcr(SerialPortState p, byte value)
    {
        p.Fcr = value;
        if ((value & (FcrClearRx | FcrClearTx)) != 0)
        {
            p.Head = p.Tail = p.Count = 0;
        }
        p.MaxFifoSize = (value & FcrEnableFifo) != 0 ? (byte)SerialPortState.FifoSize : (byte)1;
        // Trigger levels 1/4/8/14 from FCR bits 6-7; without the FIFO only 1 makes sense.
        p.TriggerLevel = (value & FcrEnableFifo) == 0 ? (byte)1 : (byte)((value >> 6) switch { 0 => 1, 1 => 4, 2 => 8, _ => 14 });
    }

    // IIR: the highest-priority interrupt IER enables: line status, received data, THR empty, modem status.
    private static byte Iir(SerialPortState p)
    {
        byte ier = p.Registers[RegIer];
        byte id = IirNoInt;
        if ((ier & IerRlsi) != 0 && p.Overrun)
        {
            id = IirRlsi;
        }
        else if ((ier & IerRdi) != 0 && p.Count >= p.TriggerLevel)
        {
            id = IirRdi;
        }
        else if ((ier & IerThri) != 0 && p.Count == 0)
        {
            id = IirThri;
        }
        else if ((ier & IerMsi) != 0 && (p.Registers[RegMcr] & (McrRts | McrDtr)) != 0)
        {
            id = 0x00;
        }
        return (byte)(id | ((p.Fcr & FcrEnableFifo) != 0 ? IirFifoBits : 0));
    }
}
